/**
 * Spec §8.2 assertions about the translator that the golden pairs do not pin down on their own:
 * tls-id rules (32–34), early answers (35), conflict texts (26), no a=creq (47), no
 * a=tls-methods on XEP-0320-derived SDP (61), and the mid/senders tables (70–72).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from '../../src/mapping/errors.ts';
import { randomIdSource, sequentialIdSource } from '../../src/mapping/ids.ts';
import { parseJingle, requireMediaSession } from '../../src/mapping/jingle/jingle.ts';
import { parseXmlElement } from '../../src/mapping/jingle/xml.ts';
import { jingleAnswerToSdp } from '../../src/mapping/translate/jingle-answer.ts';
import { jingleOfferToSdp } from '../../src/mapping/translate/jingle-offer.ts';
import { translateOptions } from '../../src/mapping/translate/options.ts';
import { sdpAnswerToJingle, sdpEarlyAnswerToJingle } from '../../src/mapping/translate/sdp-answer.ts';
import { inspectSdpOffer, sdpOfferToJingle } from '../../src/mapping/translate/sdp-offer.ts';
import { decodeMid, encodeMid } from '../../src/mapping/sdp/write.ts';
import { readFileSync } from 'node:fs';

const golden = (f: string) => readFileSync(new URL(`../golden/${f}`, import.meta.url), 'utf8');
const session = (f: string) => requireMediaSession(parseJingle(parseXmlElement(golden(f))).session);
const origin = { sessionId: '1', sessionVersion: 1, address: '192.0.2.100' };
const FP256B = 'BD:E8:2C:D3:BD:B6:98:50:45:7D:5B:36:89:53:31:15:52:25:88:82:06:95:88:A3:3D:A5:43:8D:5C:21:21:66';
const tlsIds = (sdp: string) => [...sdp.matchAll(/^a=tls-id:(.*)\r$/gm)].map((m) => m[1]!);

describe('tls-id (spec §3.6)', () => {
  it('assertion 32: random ids match the grammar, one per fingerprinted m-line, unique', () => {
    const offer = jingleOfferToSdp(
      session('two-capneg-mlines.jingle.xml'),
      translateOptions(),
      randomIdSource(),
      origin,
    );
    const ids = tlsIds(offer.sdp);
    assert.equal(ids.length, 2);
    for (const id of ids) assert.match(id, /^[A-Za-z0-9+/_-]{20,255}$/);
    assert.notEqual(ids[0], ids[1]);
  });
  it('assertion 32: with BUNDLE only the tagged m-line carries a=tls-id', () => {
    const offer = jingleOfferToSdp(
      session('media-rich-bundle.jingle.xml'),
      translateOptions(),
      randomIdSource(),
      origin,
    );
    assert.equal(tlsIds(offer.sdp).length, 1);
    assert.equal((offer.sdp.match(/^a=fingerprint:/gm) ?? []).length, 2);
  });
  it('assertion 33: an offer without tls-id gets an answer without tls-id; with one, the gateway generates its own', () => {
    const ids = sequentialIdSource();
    const withoutTlsId = sdpOfferToJingle(inspectSdpOffer(golden('s1-to-jul.sdp')), 'dtls', ids);
    const accept = session('s1-jul-accept.jingle.xml');
    assert.doesNotMatch(jingleAnswerToSdp(accept, withoutTlsId, translateOptions(), ids, origin), /tls-id/);
    const withTlsId = sdpOfferToJingle(
      inspectSdpOffer(golden('s1-to-jul.sdp').replace('a=sendrecv', 'a=sendrecv\r\na=tls-id:peerTlsIdValue1234567890')),
      'dtls',
      ids,
    );
    const answer = jingleAnswerToSdp(accept, withTlsId, translateOptions(), ids, origin);
    assert.deepEqual(tlsIds(answer).length, 1);
    assert.notEqual(tlsIds(answer)[0], 'peerTlsIdValue1234567890');
  });
  it('assertion 34: the second offer repeats the first offer’s tls-id and setup', () => {
    const ids = sequentialIdSource();
    const offer = jingleOfferToSdp(session('j2-founding-xtls.jingle.xml'), translateOptions(), ids, origin);
    const result = sdpAnswerToJingle(golden('j2-answer-acfg.sdp'), offer, translateOptions(), ids);
    assert.ok(result.secondOffer);
    assert.deepEqual(tlsIds(result.secondOffer.sdp), tlsIds(offer.sdp));
    assert.match(result.secondOffer.sdp, /^a=setup:active\r$/m);
    assert.match(result.secondOffer.sdp, /^o=- 1 2 IN IP4 /m);
  });
});

describe('answers to gateway offers', () => {
  const j1 = () =>
    jingleOfferToSdp(session('j1-xep0320-ice.jingle.xml'), translateOptions(), sequentialIdSource(), origin);
  const early = (setup: string) =>
    `v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\nt=0 0\r\nm=audio 12000 UDP/TLS/RTP/SAVP 0\r\nc=IN IP4 192.0.2.9\r\na=ice-ufrag:Ufr4\r\na=ice-pwd:Zx9vEv3iFRCZGm6QKJUqzU\r\na=setup:${setup}\r\na=fingerprint:sha-256 ${FP256B}\r\n`;
  it('assertion 35: a 183 answer becomes a transport-info fingerprint with its role', () => {
    const info = sdpEarlyAnswerToJingle(early('active'), j1(), sequentialIdSource());
    assert.deepEqual(info?.contents[0]?.security, {
      kind: 'dtls',
      fingerprints: [{ hash: 'sha-256', value: FP256B }],
      setup: 'active',
    });
    assert.equal(sdpEarlyAnswerToJingle(early('actpass'), j1(), sequentialIdSource()), undefined);
  });
  it('assertion 26: the XTLS role conflict names the SIP answer role', () => {
    const offer = jingleOfferToSdp(
      session('j2-founding-xtls.jingle.xml'),
      translateOptions(),
      sequentialIdSource(),
      origin,
    );
    for (const role of ['active', 'actpass']) {
      assert.throws(
        () =>
          sdpAnswerToJingle(
            golden('j2-answer-acfg.sdp').replace('passive', role),
            offer,
            translateOptions(),
            sequentialIdSource(),
          ),
        (err: unknown) =>
          err instanceof GatewayError &&
          err.code === 'xtls-role-conflict' &&
          err.jingleReason === 'security-error' &&
          err.message.includes(`a=setup:${role}`),
      );
    }
  });
  it('assertion 24: XEP-0320 offer active answered active → incompatible-parameters', () => {
    const active = session('j1-xep0320-ice.jingle.xml');
    const sec = active.contents[0]!.security!;
    if (sec.kind === 'dtls') sec.setup = 'active';
    const offer = jingleOfferToSdp(active, translateOptions(), sequentialIdSource(), origin);
    assert.throws(
      () => sdpAnswerToJingle(early('active'), offer, translateOptions(), sequentialIdSource()),
      (err: unknown) => err instanceof GatewayError && err.jingleReason === 'incompatible-parameters',
    );
  });
});

describe('SDP the gateway writes', () => {
  it('assertion 47: no answer carries a=creq, even to an offer with a=creq', () => {
    const ids = sequentialIdSource();
    const offer = sdpOfferToJingle(inspectSdpOffer(golden('creq-unsupported.sdp')), 'dtls', ids);
    assert.doesNotMatch(
      jingleAnswerToSdp(session('creq-accept.jingle.xml'), offer, translateOptions(), ids, origin),
      /creq/,
    );
  });
  it('assertion 61: XEP-0320-derived SDP never has a=tls-methods', () => {
    const ids = sequentialIdSource();
    assert.doesNotMatch(
      jingleOfferToSdp(session('j1-xep0320-ice.jingle.xml'), translateOptions(), ids, origin).sdp,
      /tls-methods/,
    );
    const offer = sdpOfferToJingle(inspectSdpOffer(golden('s1-to-jul.sdp')), 'dtls', ids);
    assert.doesNotMatch(
      jingleAnswerToSdp(session('s1-jul-accept.jingle.xml'), offer, translateOptions(), ids, origin),
      /tls-methods/,
    );
  });
  it('never answers with setup=actpass (spec §3.5)', () => {
    const ids = sequentialIdSource();
    const offer = sdpOfferToJingle(inspectSdpOffer(golden('s2-to-jul.sdp')), 'dtls', ids);
    const accept = session('s1-jul-accept.jingle.xml');
    assert.match(jingleAnswerToSdp(accept, offer, translateOptions(), ids, origin), /^a=setup:active\r$/m);
  });
  it('assertion 72: content names ⇄ a=mid escape and reverse exactly', () => {
    for (const name of ['room pan', 'voice', '0', '100%', 'ü/x', 'a:b']) assert.equal(decodeMid(encodeMid(name)), name);
    assert.equal(encodeMid('room pan'), 'room%20pan');
    assert.equal(encodeMid('100%'), '100%25');
  });
  it('assertion 70: senders=initiator offers a=sendonly; an a=recvonly answer reads back as senders=initiator', () => {
    const ids = sequentialIdSource();
    const offer = jingleOfferToSdp(session('senders-and-mid.jingle.xml'), translateOptions(), ids, origin);
    assert.match(offer.sdp, /^a=sendonly\r$/m);
    const answer = golden('j2-answer-plain.sdp').replace(
      'c=IN IP4 192.0.2.9\r\n',
      'c=IN IP4 192.0.2.9\r\na=recvonly\r\n',
    );
    const accepted = sdpAnswerToJingle(answer, offer, translateOptions(), ids);
    assert.equal(accepted.session.contents[0]?.senders, 'initiator');
  });
  it('assertion 6: several SDP fingerprints become several <fingerprint/> in order with one setup', () => {
    const two = golden('s2-to-jul.sdp').replace(
      'm=audio',
      'a=fingerprint:sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB\r\nm=audio',
    );
    const offer = sdpOfferToJingle(inspectSdpOffer(two), 'dtls', sequentialIdSource());
    const security = offer.session.contents[0]?.security;
    assert.equal(security?.kind, 'dtls');
    assert.deepEqual(
      security.fingerprints.map((f) => f.hash),
      ['sha-256', 'sha-1'],
    );
    assert.equal(security.kind === 'dtls' ? security.setup : undefined, 'actpass');
  });
});
