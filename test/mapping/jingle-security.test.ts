import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildJingle } from '../../src/mapping/jingle/jingle.ts';
import type { MediaContent } from '../../src/mapping/model.ts';
import { assertXmlEqual } from '../helpers/xml-equal.ts';
import {
  FP1,
  FP16,
  FP256,
  FP256B,
  J1,
  J1_CANDIDATE,
  J2,
  RAW_UDP_J2,
  RTP_PCMU,
  content,
  dtlsFingerprint,
  iceTransport,
  jingleIq,
  parseText,
  throwsCode,
} from '../helpers/jingle-fixtures.ts';

function j1With(fingerprints: string, action = 'session-initiate'): string {
  return jingleIq(content(`${RTP_PCMU}${iceTransport(fingerprints)}`), action);
}

function xtlsOffer(security: string, transport = RAW_UDP_J2): string {
  return jingleIq(
    content(`${RTP_PCMU}${transport}<security xmlns='urn:xmpp:jingle:security:xtls:0'>${security}</security>`),
  );
}

function securityOf(text: string): MediaContent['security'] {
  return parseText(text).session.contents[0]!.security;
}

describe('XEP-0320 fingerprints: parse', () => {
  it('J1 → dtls security with sha-256 FP256 and actpass', () => {
    assert.deepEqual(securityOf(J1), {
      kind: 'dtls',
      fingerprints: [{ hash: 'sha-256', value: FP256 }],
      setup: 'actpass',
    });
  });

  it('lowercase, whitespace-wrapped text is normalised (assertion 2)', () => {
    const sec = securityOf(
      j1With(dtlsFingerprint(`hash='sha-256' setup='actpass'`, `\n   ${FP256.toLowerCase()}\n  `)),
    );
    assert.deepEqual(sec?.fingerprints, [{ hash: 'sha-256', value: FP256 }]);
  });

  it("hash='SHA-256' → sha-256 (assertion 3)", () => {
    const sec = securityOf(j1With(dtlsFingerprint(`hash='SHA-256' setup='actpass'`)));
    assert.deepEqual(sec?.fingerprints, [{ hash: 'sha-256', value: FP256 }]);
  });

  it('several fingerprints keep their order and share setup', () => {
    const sec = securityOf(
      j1With(dtlsFingerprint(`hash='sha-256' setup='actpass'`) + dtlsFingerprint(`hash='sha-1' setup='actpass'`, FP1)),
    );
    assert.deepEqual(sec, {
      kind: 'dtls',
      fingerprints: [
        { hash: 'sha-256', value: FP256 },
        { hash: 'sha-1', value: FP1 },
      ],
      setup: 'actpass',
    });
  });

  it('fingerprints that disagree on setup → setup-invalid', () => {
    throwsCode(
      () =>
        securityOf(
          j1With(
            dtlsFingerprint(`hash='sha-256' setup='actpass'`) + dtlsFingerprint(`hash='sha-1' setup='active'`, FP1),
          ),
        ),
      'setup-invalid',
    );
  });

  it("hash='md5' → hash-not-allowed, IQ result then <security-error/> (assertion 8)", () => {
    const err = throwsCode(
      () => securityOf(j1With(dtlsFingerprint(`hash='md5' setup='actpass'`, FP16))),
      'hash-not-allowed',
    );
    assert.equal(err.entry.xmpp.disposition, 'terminate');
    assert.equal(err.jingleReason, 'security-error');
  });

  it('non-hex text → fingerprint-syntax, bad-request cancel (assertion 9)', () => {
    const err = throwsCode(
      () => securityOf(j1With(dtlsFingerprint(`hash='sha-256' setup='actpass'`, 'RomeoX509CertificateHash'))),
      'fingerprint-syntax',
    );
    assert.deepEqual(err.entry.xmpp, { disposition: 'iq-error', condition: 'bad-request', type: 'cancel' });
  });

  it("hash='sha-256' with 20 bytes → fingerprint-length, bad-request (assertion 10)", () => {
    const err = throwsCode(
      () => securityOf(j1With(dtlsFingerprint(`hash='sha-256' setup='actpass'`, FP1))),
      'fingerprint-length',
    );
    assert.equal(err.xmppCondition, 'bad-request');
  });

  it('a fingerprint without hash is a syntax fault: XEP-0320 never infers', () => {
    throwsCode(() => securityOf(j1With(dtlsFingerprint(`setup='actpass'`))), 'fingerprint-syntax');
  });

  it("setup='holdconn' → setup-invalid, bad-request (assertion 20)", () => {
    for (const action of ['session-initiate', 'session-accept', 'transport-info']) {
      const err = throwsCode(
        () => securityOf(j1With(dtlsFingerprint(`hash='sha-256' setup='holdconn'`), action)),
        'setup-invalid',
      );
      assert.equal(err.xmppCondition, 'bad-request');
    }
  });

  it('a setup value outside active/passive/actpass → setup-invalid', () => {
    throwsCode(() => securityOf(j1With(dtlsFingerprint(`hash='sha-256' setup='ACTIVE'`))), 'setup-invalid');
  });

  it('no setup → setup-missing, bad-request (assertion 21)', () => {
    const err = throwsCode(() => securityOf(j1With(dtlsFingerprint(`hash='sha-256'`))), 'setup-missing');
    assert.equal(err.xmppCondition, 'bad-request');
  });

  it("setup='actpass' in session-accept or transport-info → setup-invalid (assertion 23)", () => {
    for (const action of ['session-accept', 'transport-info']) {
      const err = throwsCode(() => securityOf(j1With(dtlsFingerprint(), action)), 'setup-invalid', 'actpass');
      assert.equal(err.xmppCondition, 'bad-request');
    }
  });

  it('active/passive answers are accepted in session-accept and transport-info (assertions 4, 35)', () => {
    const accept = securityOf(j1With(dtlsFingerprint(`hash='sha-256' setup='active'`, FP256B), 'session-accept'));
    assert.deepEqual(accept, { kind: 'dtls', fingerprints: [{ hash: 'sha-256', value: FP256B }], setup: 'active' });
    const early = securityOf(j1With(dtlsFingerprint(`hash='sha-256' setup='passive'`, FP256B), 'transport-info'));
    assert.equal(early?.kind === 'dtls' ? early.setup : undefined, 'passive');
  });

  it('is also read from the legacy place under <description><encryption>', () => {
    const description = `<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>
      <payload-type id='0' name='PCMU' clockrate='8000'/>
      <encryption>${dtlsFingerprint()}</encryption></description>`;
    const sec = securityOf(jingleIq(content(`${description}${RAW_UDP_J2}`)));
    assert.deepEqual(sec, { kind: 'dtls', fingerprints: [{ hash: 'sha-256', value: FP256 }], setup: 'actpass' });
  });

  it('XEP-0320 wins over XTLS, which is then not even read (§1.3.1 rule 1)', () => {
    const text = jingleIq(
      content(`${RTP_PCMU}${iceTransport()}
        <security xmlns='urn:xmpp:jingle:security:xtls:0'><fingerprint>not-hex</fingerprint><method name='x509'/></security>`),
    );
    assert.deepEqual(securityOf(text), {
      kind: 'dtls',
      fingerprints: [{ hash: 'sha-256', value: FP256 }],
      setup: 'actpass',
    });
  });

  it('a syntax fault in a later content wins over a policy fault in an earlier one', () => {
    const body =
      content(
        `${RTP_PCMU}${iceTransport(dtlsFingerprint(`hash='md5' setup='actpass'`, FP16))}`,
        `creator='initiator' name='a'`,
      ) + content(`${RTP_PCMU}${iceTransport(dtlsFingerprint(`hash='sha-256'`))}`, `creator='initiator' name='b'`);
    throwsCode(() => parseText(jingleIq(body)), 'setup-missing');
  });
});

describe('XTLS <security/>: parse', () => {
  it('J2 → sha-1 inferred from 20 bytes, methods in order (assertion 11)', () => {
    assert.deepEqual(securityOf(J2), {
      kind: 'xtls',
      fingerprints: [{ hash: 'sha-1', value: FP1 }],
      methods: ['x509', 'srp'],
    });
  });

  it('no algorithm, 32 bytes → sha-256 (assertion 12)', () => {
    assert.deepEqual(securityOf(xtlsOffer(`<fingerprint>${FP256}</fingerprint>`))?.fingerprints, [
      { hash: 'sha-256', value: FP256 },
    ]);
  });

  it('no algorithm, 16 bytes → hash-not-allowed, terminate (assertion 13)', () => {
    const err = throwsCode(() => securityOf(xtlsOffer(`<fingerprint>${FP16}</fingerprint>`)), 'hash-not-allowed');
    assert.equal(err.entry.xmpp.disposition, 'terminate');
  });

  it("algo='sha1' → sha-1; algo='SHA-256' → sha-256; hash='sha-256' alone → sha-256 (assertion 14)", () => {
    assert.deepEqual(securityOf(xtlsOffer(`<fingerprint algo='sha1'>${FP1}</fingerprint>`))?.fingerprints, [
      { hash: 'sha-1', value: FP1 },
    ]);
    assert.deepEqual(securityOf(xtlsOffer(`<fingerprint algo='SHA-256'>${FP256}</fingerprint>`))?.fingerprints, [
      { hash: 'sha-256', value: FP256 },
    ]);
    assert.deepEqual(securityOf(xtlsOffer(`<fingerprint hash='sha-256'>${FP256}</fingerprint>`))?.fingerprints, [
      { hash: 'sha-256', value: FP256 },
    ]);
  });

  it('algo wins over hash', () => {
    assert.deepEqual(
      securityOf(xtlsOffer(`<fingerprint algo='sha-1' hash='sha-256'>${FP1}</fingerprint>`))?.fingerprints,
      [{ hash: 'sha-1', value: FP1 }],
    );
  });

  it("algo='whirlpool' or algo='md5' → hash-not-allowed (assertion 15)", () => {
    throwsCode(() => securityOf(xtlsOffer(`<fingerprint algo='whirlpool'>${FP256}</fingerprint>`)), 'hash-not-allowed');
    throwsCode(() => securityOf(xtlsOffer(`<fingerprint algo='md5'>${FP16}</fingerprint>`)), 'hash-not-allowed');
  });

  it("algo='sha-256' with 20 bytes → fingerprint-length, bad-request (assertion 16)", () => {
    const err = throwsCode(
      () => securityOf(xtlsOffer(`<fingerprint algo='sha-256'>${FP1}</fingerprint>`)),
      'fingerprint-length',
    );
    assert.equal(err.xmppCondition, 'bad-request');
  });

  it('RomeoX509CertificateHash → fingerprint-syntax (assertion 9, the XTLS-P §4 example)', () => {
    throwsCode(
      () => securityOf(xtlsOffer(`<fingerprint>RomeoX509CertificateHash</fingerprint>`)),
      'fingerprint-syntax',
    );
  });

  it('only <method name=srp/> and no fingerprint parses; the translation layer rejects it (assertion 58)', () => {
    assert.deepEqual(securityOf(xtlsOffer(`<method name='srp'/>`)), {
      kind: 'xtls',
      fingerprints: [],
      methods: ['srp'],
    });
  });

  it('a method without a token name → malformed-jingle', () => {
    throwsCode(() => securityOf(xtlsOffer(`<method/>`)), 'malformed-jingle');
    throwsCode(() => securityOf(xtlsOffer(`<method name='x 509'/>`)), 'malformed-jingle');
  });

  it('an unsupported transport is reported even when the XTLS hash is also refused', () => {
    const ibb = `<transport xmlns='urn:xmpp:jingle:transports:ibb:1'/>`;
    throwsCode(
      () => securityOf(xtlsOffer(`<fingerprint algo='md5'>${FP16}</fingerprint>`, ibb)),
      'unsupported-transport',
    );
  });
});

describe('security: build', () => {
  it('XEP-0320 fingerprints go first into the transport with lowercase hash and setup', () => {
    const req = parseText(
      j1With(dtlsFingerprint(`hash='SHA-256' setup='actpass'`, FP256.toLowerCase()) + J1_CANDIDATE),
    );
    const transport = buildJingle({ action: 'session-initiate', sid: 's', session: req.session })
      .getChildElements()[0]!
      .getChildElements()[1]!;
    assertXmlEqual(
      transport,
      `<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='8hhy' pwd='asd88fgpdd777uzjYhagZg'>
        <fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256' setup='actpass'>${FP256}</fingerprint>
        <candidate component='1' foundation='1' generation='0' id='el0747fg11' ip='10.0.1.1' network='1' port='8998'
          priority='2130706431' protocol='udp' type='host'/>
      </transport>`,
    );
  });

  it('XTLS fingerprints always carry algo [EXT §4.4], then methods, after the transport', () => {
    const req = parseText(J2);
    const el = buildJingle({ action: 'session-initiate', sid: 's', session: req.session }).getChildElements()[0]!;
    assert.deepEqual(
      el.getChildElements().map((c) => c.getName()),
      ['description', 'transport', 'security'],
    );
    assertXmlEqual(
      el.getChildElements()[2]!,
      `<security xmlns='urn:xmpp:jingle:security:xtls:0'>
        <fingerprint algo='sha-1'>${FP1}</fingerprint><method name='x509'/><method name='srp'/>
      </security>`,
    );
  });

  it('XEP-0320 security without a transport is a programming error', () => {
    assert.throws(
      () =>
        buildJingle({
          action: 'security-info',
          sid: 's',
          session: {
            contents: [
              {
                name: 'v',
                creator: 'initiator',
                senders: 'both',
                security: { kind: 'dtls', fingerprints: [{ hash: 'sha-256', value: FP256 }], setup: 'active' },
              },
            ],
            groups: [],
          },
        }),
      /need a transport/,
    );
  });
});
