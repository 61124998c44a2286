import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { SdpLine, SdpSections } from '../../src/mapping/sdp/lines.ts';
import { splitSdp } from '../../src/mapping/sdp/lines.ts';
import { readCapabilities } from '../../src/mapping/capneg/capabilities.ts';
import { formatAcfg } from '../../src/mapping/capneg/grammar.ts';
import {
  actualConfiguration,
  checkRequiredOptionTags,
  dtlsConfigurations,
  potentialConfigurations,
} from '../../src/mapping/capneg/offer.ts';

const FP1 = '4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB';
const FP256 = '02:1A:CC:54:27:AB:EB:9C:53:3F:3E:4B:65:2E:7D:46:3F:54:42:CD:54:F1:7A:03:A2:7D:F9:B0:7F:46:19:B2';

const sdp = (...lines: string[]): SdpSections => splitSdp(lines.join('\r\n'));
const text = (lines: readonly SdpLine[]): string[] => lines.map((l) => `${l.type}=${l.value}`);
const HEAD = ['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0'];

/** S1 (§8.1): the RFC 5763 §7.1 offer. */
const S1 = sdp(
  ...HEAD,
  'a=setup:actpass',
  `a=fingerprint: SHA-1 ${FP1}`,
  'm=audio 6056 RTP/AVP 0',
  'a=sendrecv',
  'a=tcap:1 UDP/TLS/RTP/SAVP RTP/AVP',
  'a=pcfg:1 t=1',
);

/** The mapping §2.7 SIP offer with acaps and an optional method hint. */
const SECTION_2_7 = sdp(
  ...HEAD,
  'm=audio 49170 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  'a=acap:1 setup:actpass',
  `a=acap:2 fingerprint:sha-256 ${FP256}`,
  'a=acap:3 tls-methods:x509 srp',
  'a=tcap:1 UDP/TLS/RTP/SAVP',
  'a=pcfg:1 t=1 a=1,2,[3]',
  'a=sendrecv',
);

describe('potential configurations of RFC 5763 §7.1 style offers (S1)', () => {
  it('expands pcfg 1 t=1 into the secure proto, capneg attributes removed', () => {
    const configs = potentialConfigurations(S1, 0);
    assert.equal(configs.length, 1);
    const [c] = configs;
    assert.equal(c?.configNumber, 1);
    assert.equal(c?.tcap, 1);
    assert.equal(c?.proto, 'UDP/TLS/RTP/SAVP');
    assert.deepEqual(c?.mandatoryAcaps, []);
    assert.deepEqual(c?.optionalAcaps, []);
    assert.equal(c?.deleteAttributes, undefined);
    assert.deepEqual(text(c?.lines ?? []), ['m=audio 6056 UDP/TLS/RTP/SAVP 0', 'a=sendrecv']);
    assert.deepEqual(text(c?.sessionLines ?? []), [...HEAD, 'a=setup:actpass', `a=fingerprint: SHA-1 ${FP1}`]);
  });
  it('answers a=acfg:1 t=1 (assertion 42)', () => {
    const [c] = potentialConfigurations(S1, 0);
    assert.ok(c);
    assert.equal(formatAcfg(c), '1 t=1');
  });
  it('is a best-effort DTLS offer: one pcfg DTLS configuration, the actual one is RTP/AVP', () => {
    const dtls = dtlsConfigurations(S1, 0);
    assert.deepEqual(
      dtls.map((d) => d.source),
      ['pcfg'],
    );
    assert.deepEqual(text(actualConfiguration(S1, 0)), ['m=audio 6056 RTP/AVP 0', 'a=sendrecv']);
  });
});

describe('the mapping §2.7 offer with acaps 1–3 and pcfg 1 t=1 a=1,2,[3]', () => {
  it('adds the acaps before the existing attributes, in pcfg order', () => {
    const [c] = potentialConfigurations(SECTION_2_7, 0);
    assert.ok(c);
    assert.deepEqual(text(c.lines), [
      'm=audio 49170 UDP/TLS/RTP/SAVP 0',
      'a=setup:actpass',
      `a=fingerprint:sha-256 ${FP256}`,
      'a=tls-methods:x509 srp',
      'a=rtpmap:0 PCMU/8000',
      'a=sendrecv',
    ]);
    assert.deepEqual(c.mandatoryAcaps, [1, 2]);
    assert.deepEqual(c.optionalAcaps, [3]);
    assert.deepEqual(c.supportedOptionalAcaps, [3]);
    assert.deepEqual(
      c.addedAcaps.map((a) => a.name),
      ['setup', 'fingerprint', 'tls-methods'],
    );
  });
  it('XTLS callee: the optional tls-methods acap is supported → a=acfg:1 t=1 a=1,2,3 (assertion 46)', () => {
    const [c] = potentialConfigurations(SECTION_2_7, 0, { supportsOptionalAcap: () => true });
    assert.ok(c);
    assert.equal(formatAcfg(c), '1 t=1 a=1,2,3');
  });
  it('XEP-0320 callee: tls-methods unsupported → left out of the internal offer and a=acfg:1 t=1 a=1,2', () => {
    const [c] = potentialConfigurations(SECTION_2_7, 0, { supportsOptionalAcap: (a) => a.name !== 'tls-methods' });
    assert.ok(c);
    assert.deepEqual(c.supportedOptionalAcaps, []);
    assert.deepEqual(c.optionalAcaps, [3]);
    assert.equal(formatAcfg(c), '1 t=1 a=1,2');
    assert.equal(
      text(c.lines).some((l) => l.startsWith('a=tls-methods')),
      false,
    );
  });
  it('assertion 45: acaps 1, 2 with pcfg 1 t=1 a=1,2 → a=acfg:1 t=1 a=1,2', () => {
    const offer = sdp(
      ...HEAD,
      'm=audio 49170 RTP/AVP 0',
      'a=acap:1 setup:actpass',
      `a=acap:2 fingerprint:sha-256 ${FP256}`,
      'a=tcap:1 UDP/TLS/RTP/SAVP',
      'a=pcfg:1 t=1 a=1,2',
    );
    const [c] = potentialConfigurations(offer, 0);
    assert.ok(c);
    assert.equal(formatAcfg(c), '1 t=1 a=1,2');
    assert.deepEqual(text(c.lines), [
      'm=audio 49170 UDP/TLS/RTP/SAVP 0',
      'a=setup:actpass',
      `a=fingerprint:sha-256 ${FP256}`,
    ]);
  });
});

describe('invalid pcfgs are skipped, never fatal', () => {
  it('assertion 44: pcfg 1 t=7 with tcap 7 undefined → no configuration, actual one applies', () => {
    const offer = sdp(
      ...HEAD,
      'm=audio 6056 RTP/AVP 0',
      'a=tcap:1 UDP/TLS/RTP/SAVP RTP/AVP',
      'a=pcfg:1 t=7',
      'a=sendrecv',
    );
    assert.deepEqual(potentialConfigurations(offer, 0), []);
    assert.deepEqual(dtlsConfigurations(offer, 0), []);
    assert.deepEqual(text(actualConfiguration(offer, 0)), ['m=audio 6056 RTP/AVP 0', 'a=sendrecv']);
    assert.deepEqual(readCapabilities(offer).problems, [
      { level: 0, attribute: 'pcfg', value: '1', reason: 'tcap 7 is not defined' },
    ]);
  });
  it('a malformed pcfg is skipped and the next one used', () => {
    const offer = sdp(...HEAD, 'm=audio 1 RTP/AVP 0', 'a=tcap:1 RTP/SAVP', 'a=pcfg:1 t=1,', 'a=pcfg:2 t=1');
    assert.deepEqual(
      potentialConfigurations(offer, 0).map((c) => c.configNumber),
      [2],
    );
  });
  it('a pcfg referencing another m-line’s acap or tcap is invalid', () => {
    const offer = sdp(
      ...HEAD,
      'm=audio 1 RTP/AVP 0',
      'a=acap:1 setup:actpass',
      'a=tcap:1 UDP/TLS/RTP/SAVP',
      'm=video 2 RTP/AVP 96',
      'a=pcfg:1 t=1',
      'a=pcfg:2 a=1',
    );
    assert.deepEqual(potentialConfigurations(offer, 1), []);
    assert.deepEqual(
      readCapabilities(offer).problems.map((p) => p.reason),
      ['tcap 1 belongs to another m-line', 'acap 1 belongs to another m-line'],
    );
  });
  it('acap numbers are unique in the whole description: a duplicated number is unusable', () => {
    const offer = sdp(
      ...HEAD,
      'a=acap:1 setup:actpass',
      'm=audio 1 RTP/AVP 0',
      'a=acap:1 setup:active',
      'a=acap:2 setup:passive',
      'a=pcfg:1 a=1',
      'a=pcfg:2 a=2',
    );
    assert.deepEqual(
      potentialConfigurations(offer, 0).map((c) => c.configNumber),
      [2],
    );
  });
  it('a session-level acap with a media-only attribute is invalid; at media level it is fine', () => {
    const offer = sdp(
      ...HEAD,
      'a=acap:1 tls-id:abcdefghijklmnopqrstuvwxyz',
      'a=acap:2 setup:actpass',
      'm=audio 1 RTP/AVP 0',
      'a=acap:3 rtcp-mux',
      'a=pcfg:1 a=1',
      'a=pcfg:2 a=2,3',
    );
    const configs = potentialConfigurations(offer, 0);
    assert.deepEqual(
      configs.map((c) => c.configNumber),
      [2],
    );
    // The session-level acap lands in the m-section of the internal offer, before a=rtcp-mux's peers.
    assert.deepEqual(text(configs[0]?.lines ?? []), ['m=audio 1 RTP/AVP 0', 'a=setup:actpass', 'a=rtcp-mux']);
  });
  it('an acap nesting a capneg attribute is never expanded', () => {
    const offer = sdp(...HEAD, 'm=audio 1 RTP/AVP 0', 'a=acap:1 pcfg:5 t=1', 'a=pcfg:1 a=1');
    assert.deepEqual(potentialConfigurations(offer, 0), []);
    assert.equal(readCapabilities(offer).media[0]?.acaps.length, 0);
  });
  it('two tcaps at one level, or overlapping tcap numbers, are invalid', () => {
    const twoAtOneLevel = sdp(...HEAD, 'm=audio 1 RTP/AVP 0', 'a=tcap:1 RTP/SAVP', 'a=tcap:5 RTP/AVPF', 'a=pcfg:1 t=5');
    assert.deepEqual(potentialConfigurations(twoAtOneLevel, 0), []);
    const overlapping = sdp(
      ...HEAD,
      'a=tcap:1 RTP/SAVP RTP/AVPF',
      'm=audio 1 RTP/AVP 0',
      'a=tcap:2 RTP/SAVPF',
      'a=pcfg:1 t=1',
    );
    assert.deepEqual(potentialConfigurations(overlapping, 0), []);
    assert.equal(readCapabilities(overlapping).session.tcap, undefined);
  });
  it('the k-th proto of a tcap gets number first+k-1, session tcaps serve every m-line', () => {
    const offer = sdp(
      ...HEAD,
      'a=tcap:4 RTP/SAVP RTP/AVPF RTP/SAVPF',
      'm=audio 1 RTP/AVP 0',
      'a=pcfg:1 t=6',
      'm=video 2 RTP/AVP 96',
      'a=pcfg:1 t=5',
    );
    assert.equal(potentialConfigurations(offer, 0)[0]?.proto, 'RTP/SAVPF');
    assert.equal(potentialConfigurations(offer, 1)[0]?.proto, 'RTP/AVPF');
  });
  it('a repeated config-number makes both pcfgs invalid', () => {
    const offer = sdp(...HEAD, 'm=audio 1 RTP/AVP 0', 'a=tcap:1 RTP/SAVP', 'a=pcfg:1 t=1', 'a=pcfg:1', 'a=pcfg:2');
    assert.deepEqual(
      potentialConfigurations(offer, 0).map((c) => c.configNumber),
      [2],
    );
  });
  it('a pcfg demanding an unsupported "+" extension is left out; a plain extension is ignored', () => {
    const offer = sdp(...HEAD, 'm=audio 1 RTP/AVP 0', 'a=tcap:1 RTP/SAVP', 'a=pcfg:1 t=1 +foo=1', 'a=pcfg:2 t=1 bar=2');
    assert.deepEqual(
      potentialConfigurations(offer, 0).map((c) => c.configNumber),
      [2],
    );
  });
  it('pcfg and acfg at session level are ignored', () => {
    const offer = sdp(...HEAD, 'a=pcfg:1', 'a=acfg:1', 'm=audio 1 RTP/AVP 0');
    assert.deepEqual(potentialConfigurations(offer, 0), []);
    assert.deepEqual(
      readCapabilities(offer).problems.map((p) => p.reason),
      ['pcfg is media-level only', 'acfg is media-level only'],
    );
  });
});

describe('delete-attributes and defaults [RFC5939 §3.5.1]', () => {
  const offer = sdp(
    ...HEAD,
    'a=setup:actpass',
    'a=tool:x',
    'm=audio 1 RTP/AVP 0 8',
    'c=IN IP4 192.0.2.9',
    'b=AS:64',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=ptime:20',
    'a=acap:1 rtpmap:8 PCMA/8000',
    'a=pcfg:1 a=-m:1',
    'a=pcfg:2 a=-s',
    'a=pcfg:3 a=-ms',
    'a=pcfg:4',
  );
  const configs = potentialConfigurations(offer, 0);
  it('-m deletes every media-level a= line, keeps c=/b=, then adds the acaps', () => {
    assert.equal(configs[0]?.deleteAttributes, 'm');
    assert.deepEqual(text(configs[0]?.lines ?? []), [
      'm=audio 1 RTP/AVP 0 8',
      'c=IN IP4 192.0.2.9',
      'b=AS:64',
      'a=rtpmap:8 PCMA/8000',
    ]);
    assert.deepEqual(text(configs[0]?.sessionLines ?? []), [...HEAD, 'a=setup:actpass', 'a=tool:x']);
  });
  it('-s deletes the session-level a= lines only', () => {
    assert.deepEqual(text(configs[1]?.sessionLines ?? []), HEAD);
    assert.deepEqual(text(configs[1]?.lines ?? []), text(actualConfiguration(offer, 0)));
  });
  it('-ms deletes both', () => {
    assert.deepEqual(text(configs[2]?.sessionLines ?? []), HEAD);
    assert.deepEqual(text(configs[2]?.lines ?? []), ['m=audio 1 RTP/AVP 0 8', 'c=IN IP4 192.0.2.9', 'b=AS:64']);
  });
  it('a pcfg without lists is the actual configuration', () => {
    assert.equal(configs[3]?.tcap, undefined);
    assert.equal(configs[3]?.proto, 'RTP/AVP');
    assert.deepEqual(text(configs[3]?.lines ?? []), text(actualConfiguration(offer, 0)));
    const bare = configs[3];
    assert.ok(bare);
    assert.equal(formatAcfg(bare), '4');
  });
});

describe('preference order', () => {
  it('lowest config-number first regardless of line order', () => {
    const offer = sdp(
      ...HEAD,
      'm=audio 1 RTP/AVP 0',
      'a=tcap:1 RTP/SAVP',
      'a=pcfg:30 t=1',
      'a=pcfg:2',
      'a=pcfg:10 t=1',
    );
    assert.deepEqual(
      potentialConfigurations(offer, 0).map((c) => c.configNumber),
      [2, 10, 30],
    );
  });
  it('a=1|2 gives two candidates, alternative 1 first', () => {
    const offer = sdp(
      ...HEAD,
      'm=audio 1 RTP/AVP 0',
      'a=acap:1 setup:active',
      'a=acap:2 setup:passive',
      'a=pcfg:1 a=1|2',
    );
    const configs = potentialConfigurations(offer, 0);
    assert.deepEqual(
      configs.map((c) => c.mandatoryAcaps),
      [[1], [2]],
    );
    assert.deepEqual(
      configs.map((c) => text(c.lines)[1]),
      ['a=setup:active', 'a=setup:passive'],
    );
  });
  it('t= and a= alternatives combine, the list written first varying slowest', () => {
    const head = [
      ...HEAD,
      'm=audio 1 RTP/AVP 0',
      'a=acap:3 ptime:20',
      'a=acap:4 ptime:30',
      'a=tcap:1 RTP/SAVP RTP/AVPF',
    ];
    const pairs = (pcfg: string): string[] =>
      potentialConfigurations(sdp(...head, pcfg), 0).map((c) => `t${c.tcap ?? '-'} a${c.mandatoryAcaps.join(',')}`);
    assert.deepEqual(pairs('a=pcfg:1 t=1|2 a=3|4'), ['t1 a3', 't1 a4', 't2 a3', 't2 a4']);
    assert.deepEqual(pairs('a=pcfg:1 a=3|4 t=1|2'), ['t1 a3', 't2 a3', 't1 a4', 't2 a4']);
  });
});

describe('a=creq [RFC5939 §3.6.2; assertion 48]', () => {
  const body = ['m=audio 1 RTP/AVP 0', 'a=tcap:1 RTP/SAVP', 'a=pcfg:1 t=1'];
  const body2 = ['m=video 2 RTP/AVP 96', 'a=tcap:2 RTP/SAVP', 'a=pcfg:1 t=2'];
  it('without creq both m-lines have a configuration', () => {
    const offer = sdp(...HEAD, ...body, ...body2);
    assert.equal(potentialConfigurations(offer, 0).length, 1);
    assert.equal(potentialConfigurations(offer, 1).length, 1);
  });
  it('session-level creq with an unsupported tag → no potential configuration anywhere, answer carries a=csup', () => {
    const offer = sdp(...HEAD, 'a=creq:foo', ...body, ...body2);
    assert.deepEqual(potentialConfigurations(offer, 0), []);
    assert.deepEqual(potentialConfigurations(offer, 1), []);
    assert.deepEqual(checkRequiredOptionTags(offer), {
      sessionUnsupported: ['foo'],
      mediaUnsupported: [[], []],
      answerCsup: 'cap-v0',
    });
  });
  it('creq:cap-v0 is supported', () => {
    const offer = sdp(...HEAD, 'a=creq:cap-v0', ...body);
    assert.equal(potentialConfigurations(offer, 0).length, 1);
    assert.equal(checkRequiredOptionTags(offer).answerCsup, undefined);
  });
  it('a media-level creq affects only its m-line', () => {
    const offer = sdp(...HEAD, ...body, 'a=creq:cap-v0,bar', ...body2);
    assert.deepEqual(potentialConfigurations(offer, 0), []);
    assert.equal(potentialConfigurations(offer, 1).length, 1);
    assert.deepEqual(checkRequiredOptionTags(offer).mediaUnsupported, [['bar'], []]);
    assert.equal(checkRequiredOptionTags(offer).answerCsup, 'cap-v0');
  });
});

describe('real peers without capneg (/work/shared/vectors)', () => {
  const load = (name: string): SdpSections => {
    const raw = readFileSync(`/work/shared/vectors/${name}`, 'utf8').replace(/^#.*\n/, '');
    const body = raw.startsWith('v=') ? raw : raw.slice(raw.search(/\r?\n\r?\n/)).trimStart();
    return splitSdp(body);
  };
  for (const name of ['baresip-invite-dtls.txt', 'baresip-200-answer-dtls.txt', 'werift-offer-audio.txt']) {
    it(`${name}: zero potential configurations, no problems`, () => {
      const sections = load(name);
      assert.ok(sections.media.length > 0);
      for (let i = 0; i < sections.media.length; i++) assert.deepEqual(potentialConfigurations(sections, i), []);
      assert.deepEqual(readCapabilities(sections).problems, []);
      assert.equal(checkRequiredOptionTags(sections).answerCsup, undefined);
    });
  }
  it('the baresip DTLS-only offer has its actual configuration as the only DTLS configuration', () => {
    const dtls = dtlsConfigurations(load('baresip-invite-dtls.txt'), 0);
    assert.deepEqual(
      dtls.map((d) => d.source),
      ['actual'],
    );
    const actual = dtls[0];
    assert.equal(
      actual?.source === 'actual' ? actual.lines[0]?.value : undefined,
      'audio 40084 UDP/TLS/RTP/SAVPF 0 101',
    );
  });
});
