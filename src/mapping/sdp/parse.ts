/**
 * SDP text → the neutral model, first stage of S→J. sdp-transform parses the common media
 * attributes; the attributes it cannot carry faithfully (several `a=fingerprint`, lenient
 * `a=setup`, candidate extensions such as `network`, `tls-id`, `tls-methods` and the RFC 5939
 * attributes) are read from the raw lines. Security values stay raw here: whether a bad
 * fingerprint is an error or just makes a configuration unusable depends on the caller (§1.3.2).
 */
import sdpTransform from 'sdp-transform';
import type { MediaDescription, SessionDescription } from 'sdp-transform';
import { GatewayError } from '../errors.ts';
import type { ContentGroup, Direction, RtpDescription, XmlStreamDescription } from '../model.ts';
import { isDirection } from '../senders.ts';
import { attributeValues, joinSdp, splitSdp, type SdpLine, type SdpSections } from './lines.ts';
import { parseRtpDescription } from './rtp.ts';
import { isPort, parseTransport, type ParsedTransport } from './transport.ts';

export interface SdpOrigin {
  username: string;
  sessionId: string;
  sessionVersion: number;
  address: string;
  ipVersion: 4 | 6;
}

/** The security attributes that apply to one m-line: media level, else session level (§0.2). */
export interface SdpSecurityAttributes {
  fingerprints: string[];
  setup?: string;
  tlsId?: string;
  tlsMethods?: string[];
}

export interface SdpMedia {
  index: number;
  media: string;
  port: number;
  proto: string;
  formats: string[];
  mid?: string;
  direction?: Direction;
  description: RtpDescription | XmlStreamDescription;
  transport: ParsedTransport;
  security: SdpSecurityAttributes;
  /** Raw lines of the m-section (its `m=` first), for capability negotiation. */
  lines: SdpLine[];
}

export interface ParsedSdp {
  origin: SdpOrigin;
  groups: ContentGroup[];
  media: SdpMedia[];
  sections: SdpSections;
  /** Session-level option tags [RFC 5939 §3.3.1, §3.3.2]. */
  csup: string[];
  creq: string[];
}

/** The m= proto of a Jingle XML stream (XEP-0247) content; see docs/mapping.md. */
export const XMLSTREAM_FORMAT = 'xmpp';

export function parseSdp(text: string): ParsedSdp {
  return parseSdpSections(splitSdp(text));
}

export function parseSdpSections(sections: SdpSections): ParsedSdp {
  let parsed: SessionDescription;
  try {
    parsed = sdpTransform.parse(joinSdp(sections));
  } catch (err) {
    throw new GatewayError('sdp-syntax', `SDP could not be parsed: ${(err as Error).message}`);
  }
  if (parsed.media.length !== sections.media.length) {
    throw new GatewayError('sdp-syntax', 'SDP m-lines could not be parsed');
  }
  const origin = parseOrigin(sections.session);
  const session = sections.session;
  const media = parsed.media.map((m, index) => parseMedia(m, index, sections.media[index]!, session, parsed));
  return {
    origin,
    groups: (parsed.groups ?? []).map((g) => ({
      semantics: g.type,
      contents: String(g.mids).split(' ').filter(Boolean),
    })),
    media,
    sections,
    csup: optionTags(attributeValues(session, 'csup')),
    creq: optionTags(attributeValues(session, 'creq')),
  };
}

function parseOrigin(session: readonly SdpLine[]): SdpOrigin {
  const o = session.find((l) => l.type === 'o');
  // RFC 8866 §5.2: o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>
  const fields = o?.value.trim().split(/\s+/) ?? [];
  const [username, sessionId, version, , addrType, address] = fields;
  if (fields.length !== 6 || !/^\d+$/.test(sessionId ?? '') || !/^\d+$/.test(version ?? '')) {
    throw new GatewayError('sdp-syntax', 'SDP o= line is missing or malformed');
  }
  return {
    username: username!,
    sessionId: sessionId!,
    sessionVersion: Number(version),
    address: address!,
    ipVersion: addrType === 'IP6' ? 6 : 4,
  };
}

function parseMedia(
  m: MediaDescription,
  index: number,
  lines: SdpLine[],
  session: readonly SdpLine[],
  parsed: SessionDescription,
): SdpMedia {
  const header = lines[0]!.value.trim().split(/\s+/);
  const [media, portField, proto, ...formats] = header;
  // sdp-transform reads the rest of the m-section through its own m= grammar (`\w+` media,
  // digits-only port): a line it cannot read left the port undefined ("m=RTP/AVPF 5000 …").
  const readByLibrary = String(m.type) === media && typeof m.port === 'number';
  const [port, count] = (portField ?? '').split('/');
  const portOk = isPort(port ?? '') && (count === undefined || /^\d{1,5}$/.test(count));
  if (media === undefined || proto === undefined || !portOk || !readByLibrary) {
    throw new GatewayError('sdp-syntax', `SDP m= line ${index + 1} is malformed`);
  }
  const direction = m.direction ?? sessionDirection(session);
  const description: RtpDescription | XmlStreamDescription =
    formats.length === 1 && formats[0] === XMLSTREAM_FORMAT && /^TCP(\/TLS)?$/.test(proto)
      ? { kind: 'xmlstream' }
      : parseRtpDescription(media, proto, formats, withSessionDefaults(m, parsed));
  const result: SdpMedia = {
    index,
    media,
    port: Number(portField!.split('/')[0]),
    proto,
    formats,
    description,
    transport: parseTransport(m, lines, session, parsed, description.kind === 'rtp'),
    security: securityAttributes(lines, session),
    lines,
  };
  if (m.mid !== undefined) result.mid = String(m.mid);
  if (direction !== undefined) result.direction = direction;
  return result;
}

/** Session-level attributes that apply to every m-line without its own (§0.2; RFC 8285 §6). */
function withSessionDefaults(m: MediaDescription, parsed: SessionDescription): MediaDescription {
  if (m.extmapAllowMixed === undefined && parsed.extmapAllowMixed !== undefined) {
    return { ...m, extmapAllowMixed: parsed.extmapAllowMixed };
  }
  return m;
}

function sessionDirection(session: readonly SdpLine[]): Direction | undefined {
  for (const line of session) if (line.type === 'a' && isDirection(line.value)) return line.value;
  return undefined;
}

function securityAttributes(lines: readonly SdpLine[], session: readonly SdpLine[]): SdpSecurityAttributes {
  const pick = (name: string): string[] => {
    const own = attributeValues(lines, name);
    return own.length > 0 ? own : attributeValues(session, name);
  };
  const security: SdpSecurityAttributes = { fingerprints: pick('fingerprint').map((v) => v.trim()) };
  const setup = pick('setup')[0];
  if (setup !== undefined) security.setup = setup.trim().toLowerCase();
  const tlsId = pick('tls-id')[0];
  if (tlsId !== undefined) security.tlsId = tlsId.trim();
  const methods = pick('tls-methods')[0];
  if (methods !== undefined) security.tlsMethods = methods.trim().split(/\s+/).filter(Boolean);
  return security;
}

function optionTags(values: string[]): string[] {
  return values.flatMap((v) => v.split(',').map((t) => t.trim())).filter(Boolean);
}
