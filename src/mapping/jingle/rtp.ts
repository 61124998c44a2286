/**
 * XEP-0167 Jingle RTP Sessions 1.2.3 (`urn:xmpp:jingle:apps:rtp:1`): the RTP `<description/>`
 * with payload types, `<rtcp-mux/>`, `<bandwidth/>` and SDES `<encryption/>` [X167 §4, §6, §7],
 * plus the extensions that live inside it: XEP-0293 feedback (rtcp-fb.ts), XEP-0294 header
 * extensions (hdrext.ts) and XEP-0339 sources (ssma.ts). Mapping table: §1.2.
 */
import { xml, type Element } from '@xmpp/component';
import type { Bandwidth, Crypto, Parameter, PayloadType, RtpDescription } from '../model.ts';
import {
  children,
  malformed,
  optionalAttr,
  optionalBoolean,
  optionalUint,
  requiredAttr,
  requiredUint,
  singleChild,
} from './attrs.ts';
import { buildExtmapAllowMixed, buildHeaderExtension, parseExtmapAllowMixed, parseHeaderExtensions } from './hdrext.ts';
import { NS_RTP } from './namespaces.ts';
import { buildFeedback, parseFeedback } from './rtcp-fb.ts';
import { buildSource, buildSourceGroup, parseSourceGroups, parseSources } from './ssma.ts';

/** RTP payload type numbers are 7 bits [RFC3550 §5.1]. */
const maxPayloadType = 127;

/** Parses an RTP `<description/>` (the caller has checked its namespace). */
export function parseRtpDescription(el: Element): RtpDescription {
  const media = requiredAttr(el, 'media');
  // It becomes the first field of the m= line, a token [RFC 8866 §5.14] that the SDP parser
  // (sdp-transform, `\w+`) reads back as text: a letter, then letters, digits or `_`.
  if (!/^[A-Za-z]\w*$/.test(media)) throw malformed(`<description/> 'media' is not a media type token`);
  const ssrc = optionalAttr(el, 'ssrc');
  const level = parseFeedback(el);
  const encryption = singleChild(el, 'encryption', NS_RTP);
  const description: RtpDescription = {
    kind: 'rtp',
    media,
    payloadTypes: children(el, 'payload-type', NS_RTP).map(parsePayloadType),
    feedback: level.feedback,
    headerExtensions: parseHeaderExtensions(el),
    extmapAllowMixed: parseExtmapAllowMixed(el),
    rtcpMux: children(el, 'rtcp-mux', NS_RTP).length > 0,
    bandwidth: children(el, 'bandwidth', NS_RTP).map(parseBandwidth),
    crypto: encryption === undefined ? [] : children(encryption, 'crypto', NS_RTP).map(parseCrypto),
    cryptoRequired: encryption === undefined ? false : (optionalBoolean(encryption, 'required') ?? false),
    sources: parseSources(el),
    sourceGroups: parseSourceGroups(el),
  };
  if (ssrc !== undefined) description.ssrc = ssrc;
  if (level.trrInt !== undefined) description.trrInt = level.trrInt;
  return description;
}

function parsePayloadType(el: Element): PayloadType {
  const pt: PayloadType = {
    id: requiredUint(el, 'id', maxPayloadType),
    parameters: children(el, 'parameter', NS_RTP).map(parseParameter),
    feedback: [],
  };
  const name = optionalAttr(el, 'name');
  if (name !== undefined && name !== '') pt.name = name;
  const clockrate = optionalUint(el, 'clockrate');
  if (clockrate !== undefined) pt.clockrate = clockrate;
  // X167 §6: channels defaults to 1; the model leaves the default implicit.
  const channels = optionalUint(el, 'channels');
  if (channels === 0) throw malformed(`<payload-type id='${pt.id}'/> has 0 channels`);
  if (channels !== undefined && channels !== 1) pt.channels = channels;
  const ptime = optionalUint(el, 'ptime');
  if (ptime !== undefined) pt.ptime = ptime;
  const maxptime = optionalUint(el, 'maxptime');
  if (maxptime !== undefined) pt.maxptime = maxptime;
  const fb = parseFeedback(el);
  pt.feedback = fb.feedback;
  if (fb.trrInt !== undefined) pt.trrInt = fb.trrInt;
  return pt;
}

function parseParameter(el: Element): Parameter {
  return { name: requiredAttr(el, 'name'), value: optionalAttr(el, 'value') ?? '' };
}

/** `<bandwidth type='AS'>128</bandwidth>` ⇄ `b=AS:128` [X167 §4; RFC8866 §5.8]. */
function parseBandwidth(el: Element): Bandwidth {
  const type = requiredAttr(el, 'type');
  const text = el.getText().trim();
  if (!/^\d{1,10}$/.test(text)) throw malformed(`<bandwidth type='${type}'/> value is not a number`);
  return { type, value: Number(text) };
}

/** X167 §7 `<crypto/>` ⇄ RFC 4568 §4 `a=crypto:<tag> <suite> <key-params> [<session-params>]`. */
function parseCrypto(el: Element): Crypto {
  const crypto: Crypto = {
    tag: requiredUint(el, 'tag', 999_999_999),
    suite: requiredAttr(el, 'crypto-suite'),
    keyParams: requiredAttr(el, 'key-params'),
  };
  const sessionParams = optionalAttr(el, 'session-params');
  if (sessionParams !== undefined && sessionParams !== '') crypto.sessionParams = sessionParams;
  return crypto;
}

/**
 * Builds an RTP `<description/>`; children in a fixed order (payload types, feedback, header
 * extensions, bandwidth, rtcp-mux, encryption, sources) so output is deterministic.
 */
export function buildRtpDescription(d: RtpDescription): Element {
  const el = xml('description', { xmlns: NS_RTP, media: d.media, ssrc: d.ssrc });
  for (const pt of d.payloadTypes) el.append(buildPayloadType(pt));
  el.append(...buildFeedback(d));
  for (const ext of d.headerExtensions) el.append(buildHeaderExtension(ext));
  if (d.extmapAllowMixed) el.append(buildExtmapAllowMixed());
  for (const bw of d.bandwidth) el.append(xml('bandwidth', { type: bw.type }, String(bw.value)));
  if (d.rtcpMux) el.append(xml('rtcp-mux'));
  if (d.crypto.length > 0 || d.cryptoRequired) {
    el.append(
      xml(
        'encryption',
        { required: d.cryptoRequired ? 'true' : undefined },
        d.crypto.map((c) =>
          xml('crypto', {
            'crypto-suite': c.suite,
            'key-params': c.keyParams,
            'session-params': c.sessionParams,
            tag: c.tag,
          }),
        ),
      ),
    );
  }
  for (const source of d.sources) el.append(buildSource(source));
  for (const group of d.sourceGroups) el.append(buildSourceGroup(group));
  return el;
}

function buildPayloadType(pt: PayloadType): Element {
  return xml(
    'payload-type',
    {
      id: pt.id,
      name: pt.name,
      clockrate: pt.clockrate,
      channels: pt.channels === 1 ? undefined : pt.channels,
      ptime: pt.ptime,
      maxptime: pt.maxptime,
    },
    pt.parameters.map((p) => xml('parameter', { name: p.name, value: p.value })),
    buildFeedback(pt),
  );
}
