/**
 * The peer converters bench:mapping compares with, driven the way their own libraries use them:
 *
 * - stanza 12 (`stanza/jingle/sdp`): SDP ⇄ an "intermediate" object ⇄ stanza's Jingle JSON, and
 *   XML ⇄ JSON through stanza's JXT registry. Text in → text out, like ours.
 * - sdp-jingle-json 3 (the converter of jingle.js / stanza.io ≤ 9): SDP ⇄ its own Jingle JSON
 *   only; it has no XML side. Its Jingle→SDP input is the JSON it makes from the golden SDP, so its
 *   figures leave out XML parsing and serialisation: a lower bound for that peer.
 *
 * Neither knows XTLS (urn:xmpp:jingle:security:xtls:0) or RFC 5939 capability negotiation
 * (a=tcap/acap/pcfg/acfg): on such inputs they drop what they do not know and still return
 * something, so those inputs are excluded from the comparison rather than timed.
 */
import { createRequire } from 'node:module';
import { Registry, parse } from 'stanza/jxt/index.js';
import ProtocolModule from 'stanza/protocol/index.js';
import { exportToSDP, importFromSDP } from 'stanza/jingle/sdp/Intermediate.js';
import { convertIntermediateToRequest, convertRequestToIntermediate } from 'stanza/jingle/sdp/Protocol.js';

interface SdpJingleJson {
  toIncomingSDPOffer(session: unknown): string;
  toOutgoingJSONOffer(sdp: string, creators?: string[]): unknown;
}
const sdpJingleJson = createRequire(import.meta.url)('sdp-jingle-json') as SdpJingleJson;

// stanza/protocol is CommonJS with `exports.default`; Node's ESM loader hands over the exports object.
type Definitions = Parameters<Registry['define']>[0];
const Protocol =
  (ProtocolModule as unknown as { default?: Definitions }).default ?? (ProtocolModule as unknown as Definitions);
const registry = new Registry();
registry.define(Protocol);

const NS_ICE = 'urn:xmpp:jingle:transports:ice-udp:1';

/** Why a peer cannot take an input at all (it would silently lose its security), or undefined. */
export function peerLimitation(text: string): string | undefined {
  if (text.includes('urn:xmpp:jingle:security:xtls:0') || /a=tls-methods|UDP\/TLS\/TLS/.test(text)) return 'XTLS';
  if (/a=(tcap|acap|pcfg|acfg):/.test(text)) return 'capneg';
  return undefined;
}

export function stanzaJingleToSdp(jingleXml: string): string {
  const iq = registry.import(parse(`<iq xmlns='jabber:client' type='set' id='1'>${jingleXml}</iq>`)) as {
    jingle: Parameters<typeof convertRequestToIntermediate>[0];
  };
  return exportToSDP(convertRequestToIntermediate(iq.jingle, 'responder'));
}

export function stanzaSdpToJingle(sdp: string): string {
  const request = convertIntermediateToRequest(importFromSDP(sdp), 'initiator', NS_ICE);
  const xml = registry.export('iq', {
    type: 'set',
    id: '1',
    jingle: { ...request, action: 'session-initiate', sid: 's', initiator: 'a@b/c' },
  } as never);
  if (xml === undefined) throw new Error('stanza exported nothing');
  return xml.toString();
}

export function sdpJingleJsonSdpToJingle(sdp: string): unknown {
  return sdpJingleJson.toOutgoingJSONOffer(sdp);
}

export function sdpJingleJsonJingleToSdp(session: unknown): string {
  return sdpJingleJson.toIncomingSDPOffer(session);
}
