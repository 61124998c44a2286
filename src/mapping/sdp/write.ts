/**
 * The neutral model → SDP text, last stage of J→S. Every description the gateway writes uses
 * CRLF line ends and puts security attributes at media level (spec §0.2).
 */
import type { ContentGroup, Fingerprint, MediaContent, Role, SetupRole } from '../model.ts';
import { directionForSenders } from '../senders.ts';
import { XMLSTREAM_FORMAT } from './parse.ts';
import { writeRtpAttributes, writeRtpTransportAttributes, writeSourceAttributes } from './rtp.ts';
import { writeTransport } from './transport.ts';

export interface SdpOriginOut {
  sessionId: string;
  sessionVersion: number;
  address: string;
}

/** Security attributes of one m-line, already decided by the translator. */
export interface SdpSecurityOut {
  fingerprints: Fingerprint[];
  setup?: SetupRole;
  tlsId?: string;
  tlsMethods?: string[];
}

export interface SdpMediaOut {
  content: MediaContent;
  /**
   * The a=mid to write; default: the content name encoded per spec §1.1. Answers echo the
   * offer's, and write none when the offer had none [RFC 5888 §9.1]: `null`.
   */
  mid?: string | null;
  proto: string;
  security?: SdpSecurityOut;
  /** RFC 5939 attribute values (`tcap:…`, `pcfg:…` or `acfg:…`), written after security. */
  capneg?: string[];
  /** SDES `a=crypto` only applies without DTLS (spec §1.3.1). */
  withCrypto: boolean;
}

export interface SdpOut {
  origin: SdpOriginOut;
  author: Role;
  groups: ContentGroup[];
  media: SdpMediaOut[];
  /** Session-level attribute values such as `csup:cap-v0` [RFC 5939 §3.6.2]. */
  sessionAttributes?: string[];
}

export function writeSdp(out: SdpOut): string {
  const address = out.origin.address;
  const lines = [
    'v=0',
    `o=- ${out.origin.sessionId} ${out.origin.sessionVersion} IN ${address.includes(':') ? 'IP6' : 'IP4'} ${address}`,
    's=-',
    't=0 0',
  ];
  const mids = new Map(out.media.map((m) => [m.content.name, m.mid ?? encodeMid(m.content.name)]));
  // (a group naming an m-line without a=mid cannot occur: groups come from a=mid values.)
  for (const g of out.groups) {
    lines.push(`a=group:${g.semantics} ${g.contents.map((name) => mids.get(name) ?? encodeMid(name)).join(' ')}`);
  }
  for (const a of out.sessionAttributes ?? []) lines.push(`a=${a}`);
  for (const media of out.media) lines.push(...writeMedia(media, out.author));
  return `${lines.join('\r\n')}\r\n`;
}

function writeMedia(out: SdpMediaOut, author: Role): string[] {
  const { content } = out;
  const description = content.description;
  const transport = writeTransport(content.transport);
  const port = content.rejected === true ? 0 : transport.port;
  const mediaType = description.kind === 'rtp' ? description.media : 'application';
  const formats = description.kind === 'rtp' ? description.payloadTypes.map((p) => p.id).join(' ') : XMLSTREAM_FORMAT;
  const lines = [`m=${mediaType} ${port} ${out.proto} ${formats}`, `c=${transport.connection}`];
  const rtp = description.kind === 'rtp' ? writeRtpAttributes(description, author) : { bandwidth: [], attributes: [] };
  for (const b of rtp.bandwidth) lines.push(`b=${b}`);
  const a: string[] = out.mid === null ? [] : [`mid:${out.mid ?? encodeMid(content.name)}`];
  a.push(...rtp.attributes);
  a.push(directionForSenders(content.senders, author));
  a.push(...transport.attributes);
  if (description.kind === 'rtp') a.push(...writeRtpTransportAttributes(description, out.withCrypto));
  if (out.security) {
    const s = out.security;
    if (s.setup !== undefined) a.push(`setup:${s.setup}`);
    for (const fp of s.fingerprints) a.push(`fingerprint:${fp.hash} ${fp.value}`);
    if (s.tlsId !== undefined) a.push(`tls-id:${s.tlsId}`);
    if (s.tlsMethods !== undefined && s.tlsMethods.length > 0) a.push(`tls-methods:${s.tlsMethods.join(' ')}`);
  }
  a.push(...(out.capneg ?? []));
  if (description.kind === 'rtp') a.push(...writeSourceAttributes(description));
  for (const attr of a) lines.push(`a=${attr}`);
  return lines;
}

/**
 * Content name ⇄ `a=mid` (spec §1.1): RFC 4566 token characters stay, every other byte becomes
 * `%HH` (uppercase) and `%` itself `%25`, so the mapping reverses exactly [X338 §2; RFC 5888 §4].
 */
export function encodeMid(name: string): string {
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out +=
      byte < 0x80 && /[!#$&'*+\-.^_`{|}~0-9A-Za-z]/.test(ch)
        ? ch
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The inverse of `encodeMid`; a malformed escape leaves the text as it is, and so does one that
 * decodes to a control character or U+FFFE/U+FFFF (`a=mid:room%00`): the name goes into XML,
 * which cannot carry them [XML 1.0 §2.2], and `encodeMid` never writes them for a Jingle name.
 */
export function decodeMid(mid: string): string {
  if (!mid.includes('%')) return mid;
  try {
    const decoded = decodeURIComponent(mid);
    // eslint-disable-next-line no-control-regex -- control characters are what is refused
    return /[\0-\x1f\x7f\ufffe\uffff]/.test(decoded) ? mid : decoded;
  } catch {
    return mid;
  }
}
