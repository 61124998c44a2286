/**
 * Reads the RFC 5939 capabilities and configurations of a description and applies the
 * validity rules of mapping §2.2 [RFC5939 §3.3–§3.5]. Anything invalid is left out of the
 * result and described in `problems`, so callers can log why a pcfg was skipped; nothing here
 * throws on bad input, because a broken capneg attribute only means "plain RFC 3264".
 */
import type { SdpLine, SdpSections } from '../sdp/lines.ts';
import { splitAttribute } from '../sdp/lines.ts';
import type { Acfg, AcapList, DeleteAttributes, Pcfg, PotentialConfigList } from './grammar.ts';
import { parseAcap, parseAcfg, parseOptionTags, parsePcfg, parseTcap } from './grammar.ts';

/** `'session'` or the index of the m-section the attribute sits in. */
export type CapabilityLevel = 'session' | number;

export interface AttributeCapability {
  number: number;
  name: string;
  value: string | undefined;
  level: CapabilityLevel;
}

export interface TransportCapability {
  /** Number of the first proto; the k-th proto is `first + k - 1` [RFC5939 §3.4.2]. */
  first: number;
  protos: string[];
  level: CapabilityLevel;
}

export interface CapnegProblem {
  level: CapabilityLevel;
  attribute: string;
  value: string;
  reason: string;
}

export interface SessionCapabilities {
  acaps: AttributeCapability[];
  tcap: TransportCapability | undefined;
  csup: string[];
  creq: string[];
}

export interface MediaCapabilities extends SessionCapabilities {
  /** Valid pcfgs only, lowest (= most preferred) config-number first [RFC5939 §3.5.1]. */
  pcfgs: Pcfg[];
  /** The m-line's single valid `a=acfg`, if any (answers only) [RFC5939 §3.5.2]. */
  acfg: Acfg | undefined;
}

export interface Capabilities {
  session: SessionCapabilities;
  media: MediaCapabilities[];
  problems: CapnegProblem[];
}

/** The six attributes RFC 5939 defines; none of them may be nested in an acap [RFC5939 §3.3.1]. */
export const CAPNEG_ATTRIBUTES: ReadonlySet<string> = new Set(['csup', 'creq', 'acap', 'tcap', 'pcfg', 'acfg']);

/**
 * Attributes defined for media level only (RFC 8866 §6 and the IANA att-field usage levels;
 * `tls-id` RFC 8842 §4, `tls-methods` [EXT] mapping §5.2). A session-level acap holding one
 * cannot be used by any pcfg (mapping §2.2).
 */
export const MEDIA_ONLY_ATTRIBUTES: ReadonlySet<string> = new Set([
  'rtpmap',
  'fmtp',
  'ptime',
  'maxptime',
  'framerate',
  'quality',
  'rtcp',
  'rtcp-mux',
  'rtcp-rsize',
  'rtcp-fb',
  'mid',
  'candidate',
  'remote-candidates',
  'crypto',
  'ssrc',
  'ssrc-group',
  'label',
  'content',
  'imageattr',
  'rid',
  'simulcast',
  'msid',
  'sctp-port',
  'max-message-size',
  'tls-id',
  'tls-methods',
]);

/** Option tags this gateway supports: only the base framework [RFC5939 §3.3.1]. */
export const SUPPORTED_OPTION_TAGS: readonly string[] = ['cap-v0'];

/** True for an `a=` line carrying one of the capneg attributes. */
export function isCapnegAttribute(line: SdpLine): boolean {
  return line.type === 'a' && CAPNEG_ATTRIBUTES.has(splitAttribute(line.value).name);
}

/** The lines without tcap/acap/pcfg/acfg/csup/creq (internal offers, second offers [mapping §2.7]). */
export function stripCapnegAttributes(lines: readonly SdpLine[]): SdpLine[] {
  return lines.filter((line) => !isCapnegAttribute(line));
}

interface RawLevel {
  acaps: AttributeCapability[];
  tcaps: TransportCapability[];
  pcfgs: Pcfg[];
  acfgs: Acfg[];
  csup: string[];
  creq: string[];
}

/** Reads every capneg attribute of a description and keeps the valid ones [mapping §2.2]. */
export function readCapabilities(sections: SdpSections): Capabilities {
  const problems: CapnegProblem[] = [];
  const levels: { level: CapabilityLevel; lines: readonly SdpLine[] }[] = [
    { level: 'session', lines: sections.session },
    ...sections.media.map((lines, index) => ({ level: index, lines })),
  ];
  const raw = levels.map(({ level, lines }) => readLevel(level, lines, problems));

  const invalidAcaps = new Map<number, string>();
  const acaps = validAcaps(
    raw.flatMap((r) => r.acaps),
    invalidAcaps,
    problems,
  );
  const tcaps = validTcaps(
    raw.flatMap((r) => r.tcaps),
    problems,
  );

  const sessionRaw = raw[0]!;
  for (const pcfg of sessionRaw.pcfgs)
    problem(problems, 'session', 'pcfg', String(pcfg.configNumber), 'pcfg is media-level only');
  for (const acfg of sessionRaw.acfgs)
    problem(problems, 'session', 'acfg', String(acfg.configNumber), 'acfg is media-level only');

  const session: SessionCapabilities = {
    acaps: acaps.filter((a) => a.level === 'session'),
    tcap: tcaps.find((t) => t.level === 'session'),
    csup: sessionRaw.csup,
    creq: sessionRaw.creq,
  };
  const media = sections.media.map((_, index): MediaCapabilities => {
    const r = raw[index + 1]!;
    const scope: ReferenceScope = {
      index,
      acaps: new Map([...session.acaps, ...acaps.filter((a) => a.level === index)].map((a) => [a.number, a])),
      allAcaps: acaps,
      invalidAcaps,
      tcaps: [session.tcap, tcaps.find((t) => t.level === index)].filter((t) => t !== undefined),
      allTcaps: tcaps,
    };
    if (r.acfgs.length > 1) problem(problems, index, 'acfg', '', 'more than one acfg on the m-line');
    return {
      acaps: acaps.filter((a) => a.level === index),
      tcap: tcaps.find((t) => t.level === index),
      pcfgs: validPcfgs(r.pcfgs, scope, problems),
      acfg: r.acfgs.length === 1 ? r.acfgs[0] : undefined,
      csup: r.csup,
      creq: r.creq,
    };
  });
  return { session, media, problems };
}

/** The proto a tcap number stands for in the scope of one m-line, if any. */
export function tcapProto(caps: Capabilities, mediaIndex: number, tcap: number): string | undefined {
  for (const t of [caps.session.tcap, caps.media[mediaIndex]?.tcap]) {
    if (t !== undefined && tcap >= t.first && tcap < t.first + t.protos.length) return t.protos[tcap - t.first];
  }
  return undefined;
}

/** The acap a number stands for in the scope of one m-line (its own or a session-level one). */
export function acapInScope(caps: Capabilities, mediaIndex: number, acap: number): AttributeCapability | undefined {
  return [...caps.session.acaps, ...(caps.media[mediaIndex]?.acaps ?? [])].find((a) => a.number === acap);
}

/** The `a=` list of a pcfg, the `t=` list, and whether any "+" extension is demanded. */
export function pcfgParts(pcfg: Pcfg): {
  deleteAttributes: DeleteAttributes | undefined;
  alternatives: AcapList[] | undefined;
  tcaps: number[] | undefined;
  mandatoryExtensions: string[];
} {
  const attributes = pcfg.lists.find((l) => l.kind === 'attributes');
  const transports = pcfg.lists.find((l) => l.kind === 'transports');
  return {
    deleteAttributes: attributes?.deleteAttributes,
    alternatives: attributes?.alternatives,
    tcaps: transports?.tcaps,
    mandatoryExtensions: pcfg.lists.flatMap((l) => (l.kind === 'extension' && l.mandatory ? [l.name] : [])),
  };
}

function readLevel(level: CapabilityLevel, lines: readonly SdpLine[], problems: CapnegProblem[]): RawLevel {
  const out: RawLevel = { acaps: [], tcaps: [], pcfgs: [], acfgs: [], csup: [], creq: [] };
  for (const line of lines) {
    if (!isCapnegAttribute(line)) continue;
    const { name, value = '' } = splitAttribute(line.value);
    const bad = (): void => {
      problem(problems, level, name, value, 'does not match the RFC 5939 grammar');
    };
    switch (name) {
      case 'csup':
      case 'creq': {
        const tags = parseOptionTags(value);
        if (tags === undefined) bad();
        else out[name].push(...tags);
        break;
      }
      case 'acap': {
        const acap = parseAcap(value);
        if (acap === undefined) bad();
        else out.acaps.push({ ...acap, level });
        break;
      }
      case 'tcap': {
        const tcap = parseTcap(value);
        if (tcap === undefined) bad();
        else out.tcaps.push({ ...tcap, level });
        break;
      }
      case 'pcfg': {
        const pcfg = parsePcfg(value);
        if (pcfg === undefined) bad();
        else out.pcfgs.push(pcfg);
        break;
      }
      case 'acfg': {
        const acfg = parseAcfg(value);
        if (acfg === undefined) bad();
        else out.acfgs.push(acfg);
        break;
      }
    }
  }
  return out;
}

/**
 * acap numbers are unique in the whole description; a duplicated number is ambiguous, so every
 * acap carrying it is invalid. An acap embedding a capneg attribute is never expanded, and a
 * session-level acap holding a media-only attribute is unusable [RFC5939 §3.3.1; mapping §2.2].
 */
function validAcaps(
  all: readonly AttributeCapability[],
  invalid: Map<number, string>,
  problems: CapnegProblem[],
): AttributeCapability[] {
  const counts = new Map<number, number>();
  for (const a of all) counts.set(a.number, (counts.get(a.number) ?? 0) + 1);
  return all.filter((a) => {
    let reason: string | undefined;
    if ((counts.get(a.number) ?? 0) > 1) reason = `acap number ${a.number} is defined more than once`;
    else if (CAPNEG_ATTRIBUTES.has(a.name)) reason = `acap ${a.number} nests the capneg attribute ${a.name}`;
    else if (a.level === 'session' && MEDIA_ONLY_ATTRIBUTES.has(a.name)) {
      reason = `session-level acap ${a.number} holds the media-only attribute ${a.name}`;
    }
    if (reason === undefined) return true;
    invalid.set(a.number, reason);
    problem(problems, a.level, 'acap', `${a.number}`, reason);
    return false;
  });
}

/**
 * At most one tcap per level, and the number ranges of all tcaps are disjoint; a tcap breaking
 * either rule is ambiguous and invalid [RFC5939 §3.4.2; mapping §2.2].
 */
function validTcaps(all: readonly TransportCapability[], problems: CapnegProblem[]): TransportCapability[] {
  const last = (t: TransportCapability): number => t.first + t.protos.length - 1;
  // Linear after a sort, not pairwise: an offer may carry thousands of tcap lines (fuzzing
  // found 1,280 of them taking 47 ms). Sorted by first number, a range overlaps another when
  // an earlier one reaches into it or the next one starts inside it.
  const perLevel = new Map<CapabilityLevel, number>();
  for (const t of all) perLevel.set(t.level, (perLevel.get(t.level) ?? 0) + 1);
  const sorted = [...all].sort((a, b) => a.first - b.first);
  const overlapping = new Set<TransportCapability>();
  let reach = -Infinity;
  sorted.forEach((t, i) => {
    const next = sorted[i + 1];
    if (reach >= t.first || (next !== undefined && next.first <= last(t))) overlapping.add(t);
    reach = Math.max(reach, last(t));
  });
  return all.filter((t) => {
    let reason: string | undefined;
    if ((perLevel.get(t.level) ?? 0) > 1) reason = 'more than one tcap at this level';
    else if (overlapping.has(t)) reason = `tcap numbers ${t.first}..${last(t)} overlap another tcap`;
    if (reason !== undefined) problem(problems, t.level, 'tcap', `${t.first} ${t.protos.join(' ')}`, reason);
    return reason === undefined;
  });
}

interface ReferenceScope {
  index: number;
  acaps: ReadonlyMap<number, AttributeCapability>;
  allAcaps: readonly AttributeCapability[];
  invalidAcaps: ReadonlyMap<number, string>;
  tcaps: readonly TransportCapability[];
  allTcaps: readonly TransportCapability[];
}

/**
 * config-numbers are unique per m-line (a repeated one is ambiguous in an acfg, so all its pcfgs
 * are dropped), and a pcfg may only reference capabilities of its own m-line or the session
 * [RFC5939 §3.5.1; mapping §2.2]. Sorted by preference, lowest number first.
 */
function validPcfgs(pcfgs: readonly Pcfg[], scope: ReferenceScope, problems: CapnegProblem[]): Pcfg[] {
  const valid = pcfgs.filter((pcfg) => {
    const reason =
      pcfgs.filter((p) => p.configNumber === pcfg.configNumber).length > 1
        ? `config-number ${pcfg.configNumber} is used more than once on the m-line`
        : pcfg.lists.map((list) => listReferenceProblem(list, scope)).find((r) => r !== undefined);
    if (reason !== undefined) problem(problems, scope.index, 'pcfg', `${pcfg.configNumber}`, reason);
    return reason === undefined;
  });
  return valid.sort((a, b) => a.configNumber - b.configNumber);
}

function listReferenceProblem(list: PotentialConfigList, scope: ReferenceScope): string | undefined {
  if (list.kind === 'transports') {
    for (const n of list.tcaps) {
      if (scope.tcaps.some((t) => n >= t.first && n < t.first + t.protos.length)) continue;
      const elsewhere = scope.allTcaps.some((t) => n >= t.first && n < t.first + t.protos.length);
      return elsewhere ? `tcap ${n} belongs to another m-line` : `tcap ${n} is not defined`;
    }
  } else if (list.kind === 'attributes') {
    for (const n of list.alternatives.flatMap((alt) => [...alt.mandatory, ...alt.optional])) {
      if (scope.acaps.has(n)) continue;
      const invalid = scope.invalidAcaps.get(n);
      if (invalid !== undefined) return `references an invalid acap: ${invalid}`;
      return scope.allAcaps.some((a) => a.number === n)
        ? `acap ${n} belongs to another m-line`
        : `acap ${n} is not defined`;
    }
  }
  return undefined;
}

function problem(
  problems: CapnegProblem[],
  level: CapabilityLevel,
  attribute: string,
  value: string,
  reason: string,
): void {
  problems.push({ level, attribute, value, reason });
}
