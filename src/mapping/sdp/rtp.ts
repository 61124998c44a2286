/**
 * RTP description ⇄ SDP media attributes (spec §1.2): rtpmap/fmtp/ptime/maxptime, rtcp-fb and
 * trr-int [X293], extmap and extmap-allow-mixed [X294], rtcp-mux, bandwidth, SDES crypto,
 * ssrc and ssrc-group [X339].
 */
import type { MediaDescription } from 'sdp-transform';
import type {
  HeaderExtension,
  Parameter,
  PayloadType,
  Role,
  RtcpFeedback,
  RtpDescription,
  SourceParameter,
} from '../model.ts';
import { directionForSenders, isDirection, sendersForDirection } from '../senders.ts';

/** RFC 3551 §6 Table 4/5: static payload types, used when an SDP omits their rtpmap. */
const staticPayloadTypes: Record<number, { name: string; clockrate: number; channels?: number }> = {
  0: { name: 'PCMU', clockrate: 8000 },
  3: { name: 'GSM', clockrate: 8000 },
  4: { name: 'G723', clockrate: 8000 },
  5: { name: 'DVI4', clockrate: 8000 },
  6: { name: 'DVI4', clockrate: 16000 },
  7: { name: 'LPC', clockrate: 8000 },
  8: { name: 'PCMA', clockrate: 8000 },
  9: { name: 'G722', clockrate: 8000 },
  10: { name: 'L16', clockrate: 44100, channels: 2 },
  11: { name: 'L16', clockrate: 44100 },
  12: { name: 'QCELP', clockrate: 8000 },
  13: { name: 'CN', clockrate: 8000 },
  14: { name: 'MPA', clockrate: 90000 },
  15: { name: 'G728', clockrate: 8000 },
  16: { name: 'DVI4', clockrate: 11025 },
  17: { name: 'DVI4', clockrate: 22050 },
  18: { name: 'G729', clockrate: 8000 },
  25: { name: 'CelB', clockrate: 90000 },
  26: { name: 'JPEG', clockrate: 90000 },
  28: { name: 'nv', clockrate: 90000 },
  31: { name: 'H261', clockrate: 90000 },
  32: { name: 'MPV', clockrate: 90000 },
  33: { name: 'MP2T', clockrate: 90000 },
  34: { name: 'H263', clockrate: 90000 },
};

/**
 * The author of an SDP is needed to read `a=extmap` directions [X294 §3]; parsing happens
 * before the author is known, so directions are kept relative and resolved by `resolveAuthor`.
 */
export function parseRtpDescription(
  media: string,
  _proto: string,
  formats: string[],
  m: MediaDescription,
): RtpDescription {
  const payloadTypes: PayloadType[] = [];
  for (const format of formats) {
    if (!/^\d+$/.test(format)) continue;
    const id = Number(format);
    const pt: PayloadType = { id, parameters: [], feedback: [] };
    const rtpmap = m.rtp.find((r) => r.payload === id);
    const known = rtpmap
      ? { name: String(rtpmap.codec), clockrate: rtpmap.rate, channels: rtpmap.encoding }
      : staticPayloadTypes[id];
    if (known) {
      pt.name = known.name;
      if (known.clockrate !== undefined) pt.clockrate = known.clockrate;
      if (known.channels !== undefined && known.channels !== 1) pt.channels = Number(known.channels);
    }
    // spec §1.2: one a=ptime per m-line, applied to every payload type (per-PT values are lossy).
    if (m.ptime !== undefined) pt.ptime = Number(m.ptime);
    if (m.maxptime !== undefined) pt.maxptime = Number(m.maxptime);
    // sdp-transform turns all-digit fields into numbers (`a=fmtp:96 1`, `a=ssrc-group:FID 1`): String().
    for (const fmtp of m.fmtp) if (fmtp.payload === id) pt.parameters.push(...parseFmtp(String(fmtp.config)));
    pt.feedback = feedbackFor(m, String(id));
    const trr = m.rtcpFbTrrInt?.find((t) => String(t.payload) === String(id));
    if (trr) pt.trrInt = Number(trr.value);
    payloadTypes.push(pt);
  }
  const description: RtpDescription = {
    kind: 'rtp',
    media,
    payloadTypes,
    feedback: feedbackFor(m, '*'),
    headerExtensions: (m.ext ?? []).map((e) => {
      // Stored relative (as if the initiator wrote it) until resolveAuthor knows the author.
      const direction = e.direction !== undefined && isDirection(e.direction) ? e.direction : undefined;
      const ext: HeaderExtension = { id: e.value, uri: e.uri, senders: sendersForDirection(direction, 'initiator') };
      // sdp-transform turns an all-digit field into a number (`a=extmap:1 urn:x 0`).
      if (e.config !== undefined) ext.attributes = String(e.config);
      return ext;
    }),
    extmapAllowMixed: m.extmapAllowMixed !== undefined,
    rtcpMux: m.rtcpMux !== undefined,
    bandwidth: (m.bandwidth ?? []).map((b) => ({ type: b.type, value: Number(b.limit) })),
    crypto: (m.crypto ?? []).map((c) => {
      const crypto = {
        tag: c.id,
        suite: String(c.suite),
        keyParams: String(c.config),
      } as RtpDescription['crypto'][number];
      if (c.sessionConfig !== undefined) crypto.sessionParams = String(c.sessionConfig);
      return crypto;
    }),
    cryptoRequired: false,
    sources: parseSources(m),
    sourceGroups: (m.ssrcGroups ?? []).map((g) => ({
      semantics: String(g.semantics),
      sources: String(g.ssrcs).split(' ').filter(Boolean),
    })),
  };
  const trr = m.rtcpFbTrrInt?.find((t) => t.payload === '*');
  if (trr) description.trrInt = Number(trr.value);
  return description;
}

/** Re-reads header-extension directions for the real author of the SDP. */
export function resolveAuthor(description: RtpDescription, author: Role): RtpDescription {
  if (author === 'initiator') return description;
  return {
    ...description,
    headerExtensions: description.headerExtensions.map((e) => ({
      ...e,
      senders: sendersForDirection(directionForSenders(e.senders, 'initiator'), author),
    })),
  };
}

/** `a=fmtp` parameters [RFC 8866 §6.15]; a token without `=` (e.g. `0-15`) keeps an empty value. */
function parseFmtp(config: string): Parameter[] {
  const out: Parameter[] = [];
  for (const part of config.split(';')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    out.push(eq < 0 ? { name: item, value: '' } : { name: item.slice(0, eq).trim(), value: item.slice(eq + 1).trim() });
  }
  return out;
}

function feedbackFor(m: MediaDescription, payload: string): RtcpFeedback[] {
  return (m.rtcpFb ?? [])
    .filter((f) => String(f.payload) === payload)
    .map((f) => (f.subtype === undefined ? { type: f.type } : { type: f.type, subtype: f.subtype }));
}

function parseSources(m: MediaDescription): RtpDescription['sources'] {
  const sources: RtpDescription['sources'] = [];
  for (const line of m.ssrcs ?? []) {
    const ssrc = String(line.id);
    let source = sources.find((s) => s.ssrc === ssrc);
    if (!source) {
      source = { ssrc, parameters: [] };
      sources.push(source);
    }
    const parameter: SourceParameter = { name: line.attribute };
    if (line.value !== undefined) parameter.value = line.value;
    source.parameters.push(parameter);
  }
  return sources;
}

/** RTP description → media-level attribute lines (values after `a=`), in a fixed order. */
export function writeRtpAttributes(
  description: RtpDescription,
  author: Role,
): { bandwidth: string[]; attributes: string[] } {
  const a: string[] = [];
  for (const pt of description.payloadTypes) {
    // spec §1.2: rtpmap for dynamic PTs and whenever the name is known; channels omitted when 1.
    if (pt.name !== undefined) {
      const channels = pt.channels !== undefined && pt.channels !== 1 ? `/${pt.channels}` : '';
      a.push(`rtpmap:${pt.id} ${pt.name}/${pt.clockrate ?? staticPayloadTypes[pt.id]?.clockrate ?? 8000}${channels}`);
    }
    if (pt.parameters.length > 0) {
      a.push(`fmtp:${pt.id} ${pt.parameters.map((p) => (p.value === '' ? p.name : `${p.name}=${p.value}`)).join(';')}`);
    }
  }
  for (const f of description.feedback) a.push(feedbackLine('*', f));
  if (description.trrInt !== undefined) a.push(`rtcp-fb:* trr-int ${description.trrInt}`);
  for (const pt of description.payloadTypes) {
    for (const f of pt.feedback) a.push(feedbackLine(String(pt.id), f));
    if (pt.trrInt !== undefined) a.push(`rtcp-fb:${pt.id} trr-int ${pt.trrInt}`);
  }
  for (const e of description.headerExtensions) {
    const direction = e.senders === 'both' ? '' : `/${directionForSenders(e.senders, author)}`;
    a.push(`extmap:${e.id}${direction} ${e.uri}${e.attributes !== undefined ? ` ${e.attributes}` : ''}`);
  }
  if (description.extmapAllowMixed) a.push('extmap-allow-mixed');
  // spec §1.2: one ptime/maxptime per m-line, the first payload type's.
  const first = description.payloadTypes[0];
  if (first?.ptime !== undefined) a.push(`ptime:${first.ptime}`);
  if (first?.maxptime !== undefined) a.push(`maxptime:${first.maxptime}`);
  return { bandwidth: description.bandwidth.map((b) => `${b.type}:${b.value}`), attributes: a };
}

/** rtcp-mux and SDES crypto lines, written after the transport block. */
export function writeRtpTransportAttributes(description: RtpDescription, withCrypto: boolean): string[] {
  const a: string[] = [];
  if (description.rtcpMux) a.push('rtcp-mux');
  if (withCrypto) {
    for (const c of description.crypto) {
      a.push(`crypto:${c.tag} ${c.suite} ${c.keyParams}${c.sessionParams !== undefined ? ` ${c.sessionParams}` : ''}`);
    }
  }
  return a;
}

/** ssrc-group and ssrc lines [RFC 5576], written last. */
export function writeSourceAttributes(description: RtpDescription): string[] {
  const a: string[] = [];
  for (const g of description.sourceGroups) a.push(`ssrc-group:${g.semantics} ${g.sources.join(' ')}`);
  for (const s of description.sources) {
    for (const p of s.parameters) a.push(`ssrc:${s.ssrc} ${p.name}${p.value !== undefined ? `:${p.value}` : ''}`);
  }
  return a;
}

function feedbackLine(payload: string, f: RtcpFeedback): string {
  return `rtcp-fb:${payload} ${f.type}${f.subtype !== undefined ? ` ${f.subtype}` : ''}`;
}
