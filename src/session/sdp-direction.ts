/**
 * Media directions of an SDP body, for hold and resume (spec §6.2) [RFC 3264 §5.1, §6.1, §8.4].
 * Works on the text so the rest of the body goes back unchanged, line for line.
 */
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

const directionLine = /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/;

interface Section {
  lines: string[];
  port: number;
}

function split(sdp: string): { session: string[]; media: Section[]; eol: string } {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const session: string[] = [];
  const media: Section[] = [];
  for (const line of lines) {
    if (line.startsWith('m=')) media.push({ lines: [line], port: Number(line.split(' ')[1] ?? '0') });
    else (media.at(-1)?.lines ?? session).push(line);
  }
  return { session, media, eol };
}

function join(parts: { session: string[]; media: Section[]; eol: string }): string {
  return [...parts.session, ...parts.media.flatMap((m) => m.lines)].join(parts.eol) + parts.eol;
}

/** Each m-line's direction (a session-level one applies where the m-line has none; default sendrecv). */
export function mediaDirections(sdp: string): { direction: Direction; port: number }[] {
  const { session, media } = split(sdp);
  const sessionDirection = session.map((l) => directionLine.exec(l)?.[1]).find((d) => d !== undefined) as
    Direction | undefined;
  return media.map((m) => {
    const own = m.lines.map((l) => directionLine.exec(l)?.[1]).find((d) => d !== undefined) as Direction | undefined;
    return { direction: own ?? sessionDirection ?? 'sendrecv', port: m.port };
  });
}

/** spec §6.2: a hold makes every active m-line sendonly or inactive. */
export function isHold(sdp: string): boolean {
  const active = mediaDirections(sdp).filter((m) => m.port !== 0);
  return active.length > 0 && active.every((m) => m.direction === 'sendonly' || m.direction === 'inactive');
}

/** RFC 3264 §6.1: the answer's direction for an offered one. */
export function answerDirection(offered: Direction): Direction {
  if (offered === 'sendonly') return 'recvonly';
  if (offered === 'recvonly') return 'sendonly';
  return offered;
}

/** RFC 3264 §8.4: sendrecv → sendonly and recvonly → inactive put the peer on hold. */
export function holdDirection(current: Direction): Direction {
  if (current === 'sendrecv') return 'sendonly';
  if (current === 'recvonly') return 'inactive';
  return current;
}

/** The body with m-line `i` set to `directionFor(i, current)`; session-level directions are dropped. */
export function withDirections(sdp: string, directionFor: (index: number, current: Direction) => Direction): string {
  const current = mediaDirections(sdp);
  const parts = split(sdp);
  parts.session = parts.session.filter((l) => !directionLine.test(l));
  parts.media.forEach((section, i) => {
    const next = `a=${directionFor(i, current[i]!.direction)}`;
    const at = section.lines.findIndex((l) => directionLine.test(l));
    if (at >= 0) section.lines[at] = next;
    else section.lines.push(next);
  });
  return join(parts);
}

/** RFC 3264 §8: a changed offer carries the o= version plus one. */
export function bumpVersion(sdp: string): string {
  return sdp.replace(
    /^(o=\S+ \S+ )(\d+)/m,
    (_, head: string, version: string) => `${head}${String(BigInt(version) + 1n)}`,
  );
}
