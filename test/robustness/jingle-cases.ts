/**
 * The malformed-Jingle matrix (issue 4 "Malformed Jingle"): bad stanzas and the typed answer the
 * gateway owes each, per XEP-0166 §6.3.2, §7, §10, spec §3.3, §3.5, §4, §6.2, §6.5 and
 * docs/errors.md. Kept apart from the runner so the end-to-end file can replay some of them.
 */
import { FP16, FP256, J1_CANDIDATE, RTP_PCMU, dtlsFingerprint, iceTransport } from '../helpers/jingle-fixtures.ts';

export const ROMEO = 'romeo@example.org/orchard';
export const MALLORY = 'mallory@example.org/cellar';
export const CALLEE = '+15551234567\\40sip.example.net@gw.example';
/** The outbound call every `outbound` case starts with. */
export const OUTBOUND_SID = 'out1';
/** The SIP caller's JID and the XMPP callee of every `inbound` case; the sid is fakeContext's first. */
export const SIP_CALLER = 'alice\\40pbx.example.org@gw.example/sip';
export const JULIET = 'juliet@capulet.lit/balcony';
export const INBOUND_SID = 'sid1';

const NS_JINGLE = 'urn:xmpp:jingle:1';
const NS_INFO = 'urn:xmpp:jingle:apps:rtp:info:1';

/** What the gateway must answer. */
export type Expected =
  | {
      error: { condition: string; type: string; jingle?: string };
      /** The IQ error also ends the pending call: SIP final status and the session-terminate reason. */
      ends?: { sip: number; reason: string };
    }
  | { result: true; terminate?: string };

export interface JingleCase {
  name: string;
  /** none: no call yet; outbound: Romeo's call to SIP is ringing; inbound: the gateway's call to Juliet awaits her accept; active: Juliet accepted. */
  state: 'none' | 'outbound' | 'inbound' | 'active';
  from?: string;
  /** The IQ payload(s): usually one `<jingle/>`. */
  payload: string;
  expect: Expected;
}

export function jingle(attrs: string, inner = '', ns = NS_JINGLE): string {
  return `<jingle xmlns='${ns}' ${attrs}>${inner}</jingle>`;
}

export function rtpContent(transport = iceTransport(), attrs = `creator='initiator' name='voice'`): string {
  return `<content ${attrs}>${RTP_PCMU}${transport}</content>`;
}

const init = (inner: string, attrs = `sid='new1' initiator='${ROMEO}'`) =>
  jingle(`action='session-initiate' ${attrs}`, inner);
const withFingerprint = (fp: string) => rtpContent(iceTransport(`${fp}${J1_CANDIDATE}`));
const onOutbound = (action: string, inner = '') => jingle(`action='${action}' sid='${OUTBOUND_SID}'`, inner);
const onInbound = (action: string, inner = '') => jingle(`action='${action}' sid='${INBOUND_SID}'`, inner);

/** Juliet's session-accept on the inbound call; `setup` of her fingerprint. */
export function julietAccept(setup: string): string {
  const transport = `<transport xmlns='urn:xmpp:jingle:transports:raw-udp:1'>${dtlsFingerprint(`hash='sha-256' setup='${setup}'`, FP256)}<candidate component='1' generation='0' id='j1' ip='10.0.0.7' port='20000'/></transport>`;
  return jingle(
    `action='session-accept' sid='${INBOUND_SID}' initiator='${SIP_CALLER}' responder='${JULIET}'`,
    rtpContent(transport, `creator='initiator' name='audio'`),
  );
}

const badRequest = { error: { condition: 'bad-request', type: 'cancel' } } as const;
const unknownSession = { error: { condition: 'item-not-found', type: 'cancel', jingle: 'unknown-session' } } as const;
const outOfOrder = { error: { condition: 'unexpected-request', type: 'wait', jingle: 'out-of-order' } } as const;
const policyViolation = { error: { condition: 'policy-violation', type: 'modify' } } as const;

const many = (n: number, make: (i: number) => string) => Array.from({ length: n }, (_, i) => make(i)).join('');
const candidate = (i: number) =>
  `<candidate component='1' foundation='${String(i)}' generation='0' id='c${String(i)}' ip='10.0.1.${String(i % 250)}' port='${String(9000 + i)}' priority='1' protocol='udp' type='host'/>`;

export const jingleCases: JingleCase[] = [
  // --- the envelope [X166 §7; spec §6.5] ---
  {
    name: 'session-initiate without sid',
    state: 'none',
    payload: init(rtpContent(), `initiator='${ROMEO}'`),
    expect: badRequest,
  },
  {
    name: 'session-initiate with an empty sid',
    state: 'none',
    payload: init(rtpContent(), `sid='' initiator='${ROMEO}'`),
    expect: badRequest,
  },
  {
    name: 'session-initiate without initiator',
    state: 'none',
    payload: init(rtpContent(), `sid='new1'`),
    expect: badRequest,
  },
  { name: 'no action, unknown sid', state: 'none', payload: jingle(`sid='zzz'`), expect: badRequest },
  {
    name: 'no action on a live session',
    state: 'outbound',
    payload: jingle(`sid='${OUTBOUND_SID}'`),
    expect: badRequest,
  },
  {
    name: 'no sid on a transport-info',
    state: 'outbound',
    payload: jingle(`action='transport-info'`),
    expect: badRequest,
  },
  {
    name: "unknown action 'foo', unknown sid (assertion 101)",
    state: 'none',
    payload: jingle(`action='foo' sid='zzz'`),
    expect: badRequest,
  },
  { name: "unknown action 'foo' on a live session", state: 'outbound', payload: onOutbound('foo'), expect: badRequest },
  {
    name: 'action in the wrong case (Session-Initiate)',
    state: 'none',
    payload: jingle(`action='Session-Initiate' sid='new1' initiator='${ROMEO}'`, rtpContent()),
    expect: badRequest,
  },
  {
    name: 'urn:xmpp:jingle:0 (assertion 107)',
    state: 'none',
    payload: jingle(`action='session-initiate' sid='new1' initiator='${ROMEO}'`, rtpContent(), 'urn:xmpp:jingle:0'),
    expect: { error: { condition: 'service-unavailable', type: 'cancel' } },
  },
  {
    name: 'urn:xmpp:jingle:0 on a live session',
    state: 'outbound',
    payload: jingle(`action='session-terminate' sid='${OUTBOUND_SID}'`, '', 'urn:xmpp:jingle:0'),
    expect: { error: { condition: 'service-unavailable', type: 'cancel' } },
  },
  {
    name: 'two payloads in one IQ (RFC 6120 §8.2.3)',
    state: 'none',
    payload: init(rtpContent()) + init(rtpContent(), `sid='new2' initiator='${ROMEO}'`),
    expect: { error: { condition: 'bad-request', type: 'modify' } },
  },
  // --- contents [X166 §7.2.10, §7.3] ---
  { name: 'session-initiate without content', state: 'none', payload: init(''), expect: badRequest },
  {
    name: 'content without description',
    state: 'none',
    payload: init(`<content creator='initiator' name='voice'>${iceTransport()}</content>`),
    expect: badRequest,
  },
  {
    name: 'content without transport',
    state: 'none',
    payload: init(`<content creator='initiator' name='voice'>${RTP_PCMU}</content>`),
    expect: badRequest,
  },
  {
    name: 'content without name',
    state: 'none',
    payload: init(rtpContent(iceTransport(), `creator='initiator'`)),
    expect: badRequest,
  },
  { name: 'duplicate content names', state: 'none', payload: init(rtpContent() + rtpContent()), expect: badRequest },
  {
    name: 'two descriptions in one content',
    state: 'none',
    payload: init(`<content creator='initiator' name='voice'>${RTP_PCMU}${RTP_PCMU}${iceTransport()}</content>`),
    expect: badRequest,
  },
  {
    name: "creator='bogus'",
    state: 'none',
    payload: init(rtpContent(iceTransport(), `creator='bogus' name='voice'`)),
    expect: badRequest,
  },
  {
    name: "senders='everyone'",
    state: 'none',
    payload: init(rtpContent(iceTransport(), `creator='initiator' name='voice' senders='everyone'`)),
    expect: badRequest,
  },
  {
    name: "only content disposition='early-session' (assertion 108)",
    state: 'none',
    payload: init(rtpContent(iceTransport(), `creator='initiator' name='voice' disposition='early-session'`)),
    expect: badRequest,
  },
  {
    name: 'payload-type without id',
    state: 'none',
    payload: init(
      `<content creator='initiator' name='voice'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'><payload-type name='PCMU' clockrate='8000'/></description>${iceTransport()}</content>`,
    ),
    expect: badRequest,
  },
  {
    name: "candidate port='abc'",
    state: 'none',
    payload: init(
      rtpContent(
        iceTransport(
          `${dtlsFingerprint()}<candidate component='1' foundation='1' generation='0' id='c1' ip='10.0.1.1' port='abc' priority='1' protocol='udp' type='host'/>`,
        ),
      ),
    ),
    expect: badRequest,
  },
  {
    name: "ICE ufrag 'ab' (assertion 76)",
    state: 'none',
    payload: init(rtpContent(iceTransport(undefined, `ufrag='ab' pwd='asd88fgpdd777uzjYhagZg'`))),
    expect: badRequest,
  },
  {
    name: 'ICE pwd of 8 characters',
    state: 'none',
    payload: init(rtpContent(iceTransport(undefined, `ufrag='8hhy' pwd='short123'`))),
    expect: badRequest,
  },
  {
    name: 'only an IBB transport → unsupported-transports',
    state: 'none',
    payload: init(rtpContent(`<transport xmlns='urn:xmpp:jingle:transports:ibb:1' block-size='4096' sid='ibb1'/>`)),
    expect: { result: true, terminate: 'unsupported-transports' },
  },
  {
    name: 'only a file transfer → unsupported-applications',
    state: 'none',
    payload: init(
      `<content creator='initiator' name='file'><description xmlns='urn:xmpp:jingle:apps:file-transfer:5'><file><name>a.txt</name></file></description>${iceTransport()}</content>`,
    ),
    expect: { result: true, terminate: 'unsupported-applications' },
  },
  // --- fingerprints and setup [spec §3.3, §3.5, §4] ---
  {
    name: 'fingerprint not hex (assertion 9)',
    state: 'none',
    payload: init(withFingerprint(dtlsFingerprint(undefined, 'RomeoX509CertificateHash'))),
    expect: badRequest,
  },
  {
    name: 'fingerprint mixing colon and bare hex',
    state: 'none',
    payload: init(
      withFingerprint(dtlsFingerprint(undefined, `${FP256.slice(0, 47)}${FP256.slice(48).replace(/:/g, '')}`)),
    ),
    expect: badRequest,
  },
  {
    name: 'sha-256 fingerprint of 20 bytes (assertion 10)',
    state: 'none',
    payload: init(withFingerprint(dtlsFingerprint(undefined, FP256.slice(0, 59)))),
    expect: badRequest,
  },
  {
    name: 'fingerprint without hash',
    state: 'none',
    payload: init(withFingerprint(dtlsFingerprint(`setup='actpass'`))),
    expect: badRequest,
  },
  {
    name: "hash='md5' → security-error (assertion 8)",
    state: 'none',
    payload: init(withFingerprint(dtlsFingerprint(`hash='md5' setup='actpass'`, FP16))),
    expect: { result: true, terminate: 'security-error' },
  },
  {
    name: 'fingerprint without setup (assertion 21)',
    state: 'none',
    payload: init(withFingerprint(dtlsFingerprint(`hash='sha-256'`))),
    expect: badRequest,
  },
  {
    name: "setup='holdconn' in an offer (assertion 20)",
    state: 'none',
    payload: init(withFingerprint(dtlsFingerprint(`hash='sha-256' setup='holdconn'`))),
    expect: badRequest,
  },
  {
    name: "setup='bogus'",
    state: 'none',
    payload: init(withFingerprint(dtlsFingerprint(`hash='sha-256' setup='bogus'`))),
    expect: badRequest,
  },
  {
    name: "answer with setup='actpass' (assertion 23)",
    state: 'inbound',
    from: JULIET,
    payload: julietAccept('actpass'),
    expect: { ...badRequest, ends: { sip: 488, reason: 'incompatible-parameters' } },
  },
  {
    name: "answer with setup='holdconn'",
    state: 'inbound',
    from: JULIET,
    payload: julietAccept('holdconn'),
    expect: { ...badRequest, ends: { sip: 488, reason: 'incompatible-parameters' } },
  },
  // --- session-info [spec §6.2; X166 §6.8] ---
  {
    name: 'unknown session-info payload (assertion 102)',
    state: 'outbound',
    payload: onOutbound('session-info', `<foo xmlns='urn:example'/>`),
    expect: { error: { condition: 'feature-not-implemented', type: 'modify', jingle: 'unsupported-info' } },
  },
  {
    name: 'session-info payload of an unknown name in the RTP info namespace',
    state: 'outbound',
    payload: onOutbound('session-info', `<dance xmlns='${NS_INFO}'/>`),
    expect: { error: { condition: 'feature-not-implemented', type: 'modify', jingle: 'unsupported-info' } },
  },
  {
    name: 'session-info for an unknown sid',
    state: 'none',
    payload: jingle(`action='session-info' sid='zzz'`, `<ringing xmlns='${NS_INFO}'/>`),
    expect: unknownSession,
  },
  // --- actions out of order, ownership [X166 §7.2, §10; spec §6.5] ---
  {
    name: 'session-initiate twice',
    state: 'outbound',
    payload: init(rtpContent(), `sid='${OUTBOUND_SID}' initiator='${ROMEO}'`),
    expect: outOfOrder,
  },
  {
    name: 'session-accept from the initiator',
    state: 'outbound',
    payload: jingle(
      `action='session-accept' sid='${OUTBOUND_SID}' initiator='${ROMEO}' responder='${ROMEO}'`,
      withFingerprint(dtlsFingerprint(`hash='sha-256' setup='active'`)),
    ),
    expect: outOfOrder,
  },
  {
    name: 'a second session-accept (assertion 103)',
    state: 'active',
    from: JULIET,
    payload: julietAccept('active'),
    expect: outOfOrder,
  },
  {
    name: 'session-accept from a JID that is not the callee',
    state: 'inbound',
    from: MALLORY,
    payload: julietAccept('active'),
    expect: unknownSession,
  },
  {
    name: 'session-terminate from a JID that is not the initiator',
    state: 'outbound',
    from: MALLORY,
    payload: onOutbound('session-terminate', '<reason><success/></reason>'),
    expect: unknownSession,
  },
  {
    name: 'transport-info for an unknown sid (assertion 100)',
    state: 'none',
    payload: jingle(`action='transport-info' sid='zzz'`, rtpContent()),
    expect: unknownSession,
  },
  {
    name: 'session-terminate with two reasons',
    state: 'outbound',
    payload: onOutbound('session-terminate', '<reason><success/></reason><reason><busy/></reason>'),
    expect: badRequest,
  },
  {
    name: 'transport-info with a malformed candidate on a live session',
    state: 'outbound',
    payload: onOutbound('transport-info', rtpContent(iceTransport(`<candidate component='x'/>`))),
    expect: badRequest,
  },
  {
    name: 'content-add (not mapped yet)',
    state: 'outbound',
    payload: onOutbound('content-add', rtpContent(iceTransport(), `creator='initiator' name='video'`)),
    expect: { error: { condition: 'feature-not-implemented', type: 'cancel' } },
  },
  {
    name: 'session-terminate on the inbound call from its callee is accepted',
    state: 'inbound',
    from: JULIET,
    payload: onInbound('session-terminate', '<reason><decline/></reason>'),
    expect: { result: true },
  },
  // --- limits (src/mapping/limits.ts) ---
  {
    name: '17 contents',
    state: 'none',
    payload: init(many(17, (i) => rtpContent(iceTransport(), `creator='initiator' name='c${String(i)}'`))),
    expect: policyViolation,
  },
  {
    name: '33 candidates in one transport',
    state: 'none',
    payload: init(rtpContent(iceTransport(`${dtlsFingerprint()}${many(33, candidate)}`))),
    expect: policyViolation,
  },
  {
    name: '9 fingerprints in one content',
    state: 'none',
    payload: init(withFingerprint(many(9, () => dtlsFingerprint()))),
    expect: policyViolation,
  },
  {
    name: '65 payload types',
    state: 'none',
    payload: init(
      `<content creator='initiator' name='voice'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>${many(65, (i) => `<payload-type id='${String(i)}' name='X${String(i)}' clockrate='8000'/>`)}</description>${iceTransport()}</content>`,
    ),
    expect: policyViolation,
  },
  {
    name: 'a 70 KB session-initiate',
    state: 'none',
    payload: init(rtpContent() + `<x xmlns='urn:example:pad'>${'p'.repeat(70_000)}</x>`),
    expect: policyViolation,
  },
  {
    name: 'over-limit transport-info on a live session',
    state: 'outbound',
    payload: onOutbound('transport-info', rtpContent(iceTransport(many(33, candidate)))),
    expect: policyViolation,
  },
];

/** Deeply nested payload: `depth` elements under `<jingle/>`. */
export function nested(depth: number): string {
  return `${'<n>'.repeat(depth)}${'</n>'.repeat(depth)}`;
}
