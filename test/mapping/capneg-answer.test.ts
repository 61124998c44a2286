import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SdpLine, SdpSections } from '../../src/mapping/sdp/lines.ts';
import { joinSdp, splitSdp } from '../../src/mapping/sdp/lines.ts';
import { stripCapnegAttributes } from '../../src/mapping/capneg/capabilities.ts';
import { readAcfgAnswer } from '../../src/mapping/capneg/answer.ts';
import { capnegOfferLines, secondOfferMediaSection } from '../../src/mapping/capneg/generated-offer.ts';
import { potentialConfigurations } from '../../src/mapping/capneg/offer.ts';

const FP1 = '4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB';
const FP256 = '02:1A:CC:54:27:AB:EB:9C:53:3F:3E:4B:65:2E:7D:46:3F:54:42:CD:54:F1:7A:03:A2:7D:F9:B0:7F:46:19:B2';
const FP256B = 'BD:E8:2C:D3:BD:B6:98:50:45:7D:5B:36:89:53:31:15:52:25:88:82:06:95:88:A3:3D:A5:43:8D:5C:21:21:66';
const TLS_ID = 'Qm9uam91ciBKdWxpZXR0ZQ';

const sdp = (...lines: string[]): SdpSections => splitSdp(lines.join('\r\n'));
const text = (lines: readonly SdpLine[]): string[] => lines.map((l) => `${l.type}=${l.value}`);
const ANSWER_HEAD = ['v=0', 'o=- 99 1 IN IP4 192.0.2.20', 's=-', 'c=IN IP4 192.0.2.20', 't=0 0'];

/** The mapping §2.6 J2 offer, built from capnegOfferLines(1, …). */
function j2Offer(): SdpSections {
  const capneg = capnegOfferLines(1, 'UDP/TLS/RTP/SAVP', 'RTP/AVP');
  return sdp(
    'v=0',
    'o=- 4711 1 IN IP4 198.51.100.7',
    's=-',
    'c=IN IP4 10.1.1.104',
    't=0 0',
    'm=audio 13540 RTP/AVP 0',
    'a=mid:voice',
    'a=rtpmap:0 PCMU/8000',
    'a=sendrecv',
    'a=setup:active',
    `a=fingerprint:sha-1 ${FP1}`,
    `a=tls-id:${TLS_ID}`,
    'a=tls-methods:x509 srp',
    `a=tcap:${capneg.tcap}`,
    `a=pcfg:${capneg.pcfg}`,
  );
}

const j2Answer = (...media: string[]): SdpSections =>
  sdp(...ANSWER_HEAD, ...media, 'a=setup:passive', `a=fingerprint:sha-256 ${FP256B}`);

describe('capneg offers the gateway generates [mapping §2.6]', () => {
  it('the k-th capneg m-line gets tcap 2k-1 (secure, plain) and pcfg 1 t=2k-1 (assertions 37, 38, 49)', () => {
    assert.deepEqual(capnegOfferLines(1, 'UDP/TLS/RTP/SAVP', 'RTP/AVP'), {
      tcap: '1 UDP/TLS/RTP/SAVP RTP/AVP',
      pcfg: '1 t=1',
    });
    assert.deepEqual(capnegOfferLines(2, 'UDP/TLS/RTP/SAVPF', 'RTP/AVPF'), {
      tcap: '3 UDP/TLS/RTP/SAVPF RTP/AVPF',
      pcfg: '1 t=3',
    });
    assert.throws(() => capnegOfferLines(0, 'UDP/TLS/RTP/SAVP', 'RTP/AVP'), RangeError);
  });
  it('the J2 example reads back as one DTLS potential configuration', () => {
    const [c, ...rest] = potentialConfigurations(j2Offer(), 0);
    assert.equal(rest.length, 0);
    assert.equal(c?.proto, 'UDP/TLS/RTP/SAVP');
    assert.equal(c?.tcap, 1);
  });
  it('two capneg m-lines numbered 1 and 3 are both valid', () => {
    const first = capnegOfferLines(1, 'UDP/TLS/RTP/SAVP', 'RTP/AVP');
    const second = capnegOfferLines(2, 'UDP/TLS/RTP/SAVP', 'RTP/AVP');
    const offer = sdp(
      ...ANSWER_HEAD,
      'm=audio 1 RTP/AVP 0',
      `a=tcap:${first.tcap}`,
      `a=pcfg:${first.pcfg}`,
      'm=video 2 RTP/AVP 96',
      `a=tcap:${second.tcap}`,
      `a=pcfg:${second.pcfg}`,
    );
    assert.deepEqual(
      [0, 1].map((i) => potentialConfigurations(offer, i).map((c) => `${c.tcap} ${c.proto}`)),
      [['1 UDP/TLS/RTP/SAVP'], ['3 UDP/TLS/RTP/SAVP']],
    );
  });
});

describe('readAcfgAnswer [RFC5939 §3.6.3; mapping §2.4]', () => {
  it('assertion 17 answer: a=acfg:1 t=1 with UDP/TLS/RTP/SAVP selects pcfg 1', () => {
    const selected = readAcfgAnswer(j2Offer(), j2Answer('m=audio 12000 UDP/TLS/RTP/SAVP 0', 'a=acfg:1 t=1'), 0);
    assert.ok(selected);
    assert.equal(selected.configNumber, 1);
    assert.equal(selected.tcap, 1);
    assert.equal(selected.proto, 'UDP/TLS/RTP/SAVP');
    assert.deepEqual(selected.mandatoryAcaps, []);
    assert.deepEqual(selected.optionalAcaps, []);
    assert.equal(selected.differsFromActual, true);
    assert.deepEqual(text(selected.lines), [
      'm=audio 13540 UDP/TLS/RTP/SAVP 0',
      'a=mid:voice',
      'a=rtpmap:0 PCMU/8000',
      'a=sendrecv',
      'a=setup:active',
      `a=fingerprint:sha-1 ${FP1}`,
      `a=tls-id:${TLS_ID}`,
      'a=tls-methods:x509 srp',
    ]);
  });
  it('assertion 41: RTP/AVP without acfg → plain RFC 3264', () => {
    assert.equal(readAcfgAnswer(j2Offer(), sdp(...ANSWER_HEAD, 'm=audio 12000 RTP/AVP 0'), 0), undefined);
  });
  it('invalid acfgs fall back to plain RFC 3264', () => {
    const cases: [string, string[]][] = [
      ['unknown config-number', ['m=audio 12000 UDP/TLS/RTP/SAVP 0', 'a=acfg:2 t=1']],
      ['tcap 2 was not offered in pcfg 1', ['m=audio 12000 RTP/AVP 0', 'a=acfg:1 t=2']],
      ['t= missing although the pcfg had one', ['m=audio 12000 UDP/TLS/RTP/SAVP 0', 'a=acfg:1']],
      ['answer proto is not the selected one', ['m=audio 12000 RTP/AVP 0', 'a=acfg:1 t=1']],
      ['acaps listed that the pcfg did not offer', ['m=audio 12000 UDP/TLS/RTP/SAVP 0', 'a=acfg:1 t=1 a=1']],
      ['two acfg lines', ['m=audio 12000 UDP/TLS/RTP/SAVP 0', 'a=acfg:1 t=1', 'a=acfg:1 t=1']],
      ['malformed acfg', ['m=audio 12000 UDP/TLS/RTP/SAVP 0', 'a=acfg:1 t=1|2']],
      ['an extension the pcfg did not carry', ['m=audio 12000 UDP/TLS/RTP/SAVP 0', 'a=acfg:1 t=1 foo=1']],
    ];
    for (const [why, media] of cases) assert.equal(readAcfgAnswer(j2Offer(), j2Answer(...media), 0), undefined, why);
  });
  it('an m-line index the answer lacks → undefined', () => {
    assert.equal(readAcfgAnswer(j2Offer(), j2Answer('m=audio 12000 UDP/TLS/RTP/SAVP 0', 'a=acfg:1 t=1'), 1), undefined);
  });

  describe('attribute capabilities', () => {
    const offer = sdp(
      ...ANSWER_HEAD,
      'm=audio 49170 RTP/AVP 0',
      'a=acap:1 setup:actpass',
      `a=acap:2 fingerprint:sha-256 ${FP256}`,
      'a=acap:3 tls-methods:x509 srp',
      'a=acap:4 setup:active',
      'a=tcap:1 UDP/TLS/RTP/SAVP',
      'a=pcfg:1 t=1 a=1,2,[3]|4,2',
      'a=pcfg:2 a=-m:4',
    );
    const pick = (acfg: string, proto = 'UDP/TLS/RTP/SAVP'): string | undefined => {
      const s = readAcfgAnswer(offer, sdp(...ANSWER_HEAD, `m=audio 5 ${proto} 0`, `a=acfg:${acfg}`), 0);
      return s === undefined ? undefined : `${s.mandatoryAcaps.join(',')}|${s.optionalAcaps.join(',')}`;
    };
    it('mandatory acaps plus the supported optional ones, listed plainly (assertion 46)', () => {
      assert.equal(pick('1 t=1 a=1,2,3'), '1,2|3');
      assert.equal(pick('1 t=1 a=1,2'), '1,2|');
    });
    it('the bracketed form is accepted too', () => {
      assert.equal(pick('1 t=1 a=1,2,[3]'), '1,2|3');
    });
    it('the second alternative, in any order', () => {
      assert.equal(pick('1 t=1 a=4,2'), '4,2|');
      assert.equal(pick('1 t=1 a=2,4'), '4,2|');
    });
    it('a missing mandatory acap, a mix of alternatives or a repeated number is invalid', () => {
      assert.equal(pick('1 t=1 a=1'), undefined);
      assert.equal(pick('1 t=1 a=1,2,4'), undefined);
      assert.equal(pick('1 t=1 a=4,2,3'), undefined);
      assert.equal(pick('1 t=1 a=1,2,2'), undefined);
      assert.equal(pick('1 t=1'), undefined);
    });
    it('delete-attributes must be repeated', () => {
      assert.equal(pick('2 a=-m:4', 'RTP/AVP'), '4|');
      assert.equal(pick('2 a=4', 'RTP/AVP'), undefined);
    });
    it('the internal offer of the selection has the acaps added and -m applied', () => {
      const s = readAcfgAnswer(offer, sdp(...ANSWER_HEAD, 'm=audio 5 RTP/AVP 0', 'a=acfg:2 a=-m:4'), 0);
      assert.deepEqual(text(s?.lines ?? []), ['m=audio 49170 RTP/AVP 0', 'a=setup:active']);
      assert.equal(s?.differsFromActual, true);
    });
  });

  it('selecting a pcfg equal to the actual configuration does not call for a second offer', () => {
    const offer = sdp(...ANSWER_HEAD, 'm=audio 1 RTP/AVP 0', 'a=tcap:1 RTP/AVP', 'a=pcfg:1 t=1', 'a=pcfg:2');
    const viaTcap = readAcfgAnswer(offer, sdp(...ANSWER_HEAD, 'm=audio 5 RTP/AVP 0', 'a=acfg:1 t=1'), 0);
    const bare = readAcfgAnswer(offer, sdp(...ANSWER_HEAD, 'm=audio 5 RTP/AVP 0', 'a=acfg:2'), 0);
    assert.equal(viaTcap?.differsFromActual, false);
    assert.equal(bare?.differsFromActual, false);
  });
});

describe('the second offer [mapping §2.7, assertion 40]', () => {
  it('secure proto, capneg attributes gone, fingerprint/setup/tls-id/tls-methods kept', () => {
    const offer = j2Offer();
    const second = secondOfferMediaSection(offer.media[0]!, 'UDP/TLS/RTP/SAVP');
    assert.deepEqual(text(second), [
      'm=audio 13540 UDP/TLS/RTP/SAVP 0',
      'a=mid:voice',
      'a=rtpmap:0 PCMU/8000',
      'a=sendrecv',
      'a=setup:active',
      `a=fingerprint:sha-1 ${FP1}`,
      `a=tls-id:${TLS_ID}`,
      'a=tls-methods:x509 srp',
    ]);
    assert.equal(joinSdp({ session: offer.session, media: [second] }).includes('tcap'), false);
  });
  it('stripCapnegAttributes removes exactly tcap/acap/pcfg/acfg/csup/creq', () => {
    const lines = sdp(
      'v=0',
      'a=csup:cap-v0',
      'a=creq:cap-v0',
      'a=acap:1 setup:active',
      'a=tcap:1 RTP/SAVP',
      'a=pcfg:1',
      'a=acfg:1',
      'a=tool:x',
      'a=capx',
      'a=pcfgx:1',
    ).session;
    assert.deepEqual(text(stripCapnegAttributes(lines)), ['v=0', 'a=tool:x', 'a=capx', 'a=pcfgx:1']);
  });
});
