import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError, type ErrorCode } from '../../src/mapping/errors.ts';
import {
  formatFingerprintAttribute,
  hashForDigestLength,
  hashRegistry,
  normaliseFingerprintValue,
  normaliseHashName,
  parseFingerprint,
  parseFingerprintAttribute,
  parseFingerprintList,
} from '../../src/mapping/fingerprint.ts';

// §8.1 fixtures
const FP256 = '02:1A:CC:54:27:AB:EB:9C:53:3F:3E:4B:65:2E:7D:46:3F:54:42:CD:54:F1:7A:03:A2:7D:F9:B0:7F:46:19:B2';
const FP1 = '4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB';
const bytes = (n: number): string => Array.from({ length: n }, (_, i) => (i + 16).toString(16).toUpperCase()).join(':');

function throwsCode(fn: () => unknown, code: ErrorCode): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof GatewayError, `expected GatewayError, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  });
}

describe('hash registry [§4.1]', () => {
  it('holds the IANA names with their digest sizes and policy', () => {
    assert.deepEqual(
      Object.entries(hashRegistry).map(([name, e]) => [name, e.bytes, e.accepted]),
      [
        ['md2', 16, false],
        ['md5', 16, false],
        ['sha-1', 20, true],
        ['sha-224', 28, true],
        ['sha-256', 32, true],
        ['sha-384', 48, true],
        ['sha-512', 64, true],
      ],
    );
  });

  it('infers accepted algorithms from digest length only', () => {
    assert.equal(hashForDigestLength(20), 'sha-1');
    assert.equal(hashForDigestLength(28), 'sha-224');
    assert.equal(hashForDigestLength(32), 'sha-256');
    assert.equal(hashForDigestLength(48), 'sha-384');
    assert.equal(hashForDigestLength(64), 'sha-512');
    assert.equal(hashForDigestLength(16), undefined);
    assert.equal(hashForDigestLength(21), undefined);
  });
});

describe('normaliseHashName [§4.2, §4.4]', () => {
  it('is case-insensitive', () => {
    assert.equal(normaliseHashName('SHA-256'), 'sha-256');
    assert.equal(normaliseHashName('Sha-1'), 'sha-1');
    assert.equal(normaliseHashName('MD5'), 'md5');
  });
  it('maps the unhyphenated XTLS aliases', () => {
    assert.equal(normaliseHashName('sha1'), 'sha-1');
    assert.equal(normaliseHashName('SHA224'), 'sha-224');
    assert.equal(normaliseHashName('sha256'), 'sha-256');
    assert.equal(normaliseHashName('sha384'), 'sha-384');
    assert.equal(normaliseHashName('sha512'), 'sha-512');
  });
  it('returns undefined for unknown names', () => {
    assert.equal(normaliseHashName('whirlpool'), undefined);
    assert.equal(normaliseHashName('sha-3'), undefined);
    assert.equal(normaliseHashName(''), undefined);
  });
});

describe('normaliseFingerprintValue [§4.3]', () => {
  it('uppercases colon-hex and trims whitespace (assertion 2)', () => {
    assert.equal(normaliseFingerprintValue(`\n   ${FP256.toLowerCase()}\n  `), FP256);
  });
  it('inserts colons into unseparated hex', () => {
    assert.equal(normaliseFingerprintValue(FP1.replace(/:/g, '').toLowerCase()), FP1);
  });
  for (const bad of ['RomeoX509CertificateHash', 'ABC', 'AA:BBCC', 'A:BB', 'AA::BB', 'AA:BB:', 'AA BB', '', 'GG:00']) {
    it(`rejects ${JSON.stringify(bad)} as fingerprint-syntax`, () => {
      throwsCode(() => normaliseFingerprintValue(bad), 'fingerprint-syntax');
    });
  }
});

describe('parseFingerprint [§4.4]', () => {
  it('takes a named algorithm and normalises both parts (assertion 3)', () => {
    assert.deepEqual(parseFingerprint({ hash: 'SHA-256', text: ` ${FP256.toLowerCase()} `, inferAlgorithm: false }), {
      hash: 'sha-256',
      value: FP256,
    });
  });

  it('infers sha-1 from 20 bytes and sha-256 from 32 bytes (assertions 11, 12)', () => {
    assert.deepEqual(parseFingerprint({ text: FP1, inferAlgorithm: true }), { hash: 'sha-1', value: FP1 });
    assert.deepEqual(parseFingerprint({ hash: '', text: FP256, inferAlgorithm: true }), {
      hash: 'sha-256',
      value: FP256,
    });
    assert.equal(parseFingerprint({ text: bytes(28), inferAlgorithm: true }).hash, 'sha-224');
    assert.equal(parseFingerprint({ text: bytes(48), inferAlgorithm: true }).hash, 'sha-384');
    assert.equal(parseFingerprint({ text: bytes(64), inferAlgorithm: true }).hash, 'sha-512');
  });

  it('maps the sha1 alias (assertion 14)', () => {
    assert.deepEqual(parseFingerprint({ hash: 'sha1', text: FP1, inferAlgorithm: true }), {
      hash: 'sha-1',
      value: FP1,
    });
  });

  it('non-hex text is a syntax fault (assertion 9)', () => {
    throwsCode(
      () => parseFingerprint({ text: 'RomeoX509CertificateHash', inferAlgorithm: true }),
      'fingerprint-syntax',
    );
    throwsCode(
      () => parseFingerprint({ hash: 'md5', text: 'RomeoX509CertificateHash', inferAlgorithm: true }),
      'fingerprint-syntax',
    );
  });

  it('a length differing from the named algorithm is fingerprint-length (assertions 10, 16)', () => {
    throwsCode(() => parseFingerprint({ hash: 'sha-256', text: FP1, inferAlgorithm: false }), 'fingerprint-length');
    throwsCode(() => parseFingerprint({ hash: 'sha-256', text: FP1, inferAlgorithm: true }), 'fingerprint-length');
  });

  it('a length no registered hash has, without a name, is fingerprint-length', () => {
    throwsCode(() => parseFingerprint({ text: bytes(21), inferAlgorithm: true }), 'fingerprint-length');
  });

  it('16 bytes without a name is a policy fault (assertion 13)', () => {
    throwsCode(() => parseFingerprint({ text: bytes(16), inferAlgorithm: true }), 'hash-not-allowed');
  });

  it('explicit md2/md5 and unknown names are policy faults (assertions 8, 15)', () => {
    throwsCode(() => parseFingerprint({ hash: 'md5', text: bytes(16), inferAlgorithm: false }), 'hash-not-allowed');
    throwsCode(() => parseFingerprint({ hash: 'MD2', text: bytes(16), inferAlgorithm: true }), 'hash-not-allowed');
    throwsCode(
      () => parseFingerprint({ hash: 'whirlpool', text: bytes(64), inferAlgorithm: true }),
      'hash-not-allowed',
    );
    throwsCode(() => parseFingerprint({ hash: 'whirlpool', text: FP1, inferAlgorithm: true }), 'hash-not-allowed');
  });

  it('length is checked against a registered name before its policy', () => {
    throwsCode(() => parseFingerprint({ hash: 'md5', text: FP1, inferAlgorithm: false }), 'fingerprint-length');
  });

  it('requires a name when inference is off', () => {
    throwsCode(() => parseFingerprint({ text: FP256, inferAlgorithm: false }), 'fingerprint-syntax');
  });

  it('syntax and policy faults map to different XMPP answers', () => {
    const syntax = new GatewayError('fingerprint-length', 'x');
    const policy = new GatewayError('hash-not-allowed', 'x');
    assert.deepEqual(syntax.entry.xmpp, { disposition: 'iq-error', condition: 'bad-request', type: 'cancel' });
    assert.equal(policy.entry.xmpp.disposition, 'terminate');
    assert.equal(policy.jingleReason, 'security-error');
  });
});

describe('parseFingerprintList', () => {
  it('keeps order', () => {
    assert.deepEqual(
      parseFingerprintList([
        { hash: 'sha-256', text: FP256, inferAlgorithm: false },
        { hash: 'sha-1', text: FP1, inferAlgorithm: false },
      ]),
      [
        { hash: 'sha-256', value: FP256 },
        { hash: 'sha-1', value: FP1 },
      ],
    );
  });
  it('reports a later syntax fault rather than an earlier policy fault', () => {
    throwsCode(
      () =>
        parseFingerprintList([
          { hash: 'md5', text: bytes(16), inferAlgorithm: false },
          { hash: 'sha-1', text: 'zz', inferAlgorithm: false },
        ]),
      'fingerprint-syntax',
    );
  });
  it('reports a policy fault when nothing else is wrong', () => {
    throwsCode(
      () =>
        parseFingerprintList([
          { hash: 'sha-1', text: FP1, inferAlgorithm: false },
          { hash: 'md5', text: bytes(16), inferAlgorithm: false },
        ]),
      'hash-not-allowed',
    );
  });
});

describe('a=fingerprint values [RFC 8122 §5]', () => {
  it('formats lowercase name and uppercase colon-hex', () => {
    assert.equal(formatFingerprintAttribute({ hash: 'sha-256', value: FP256 }), `sha-256 ${FP256}`);
  });
  it('accepts a leading space and an uppercase name (assertion 5, RFC 5763 §7.1)', () => {
    assert.deepEqual(parseFingerprintAttribute(` SHA-1 ${FP1}`), { hash: 'sha-1', value: FP1 });
  });
  it('accepts lowercase hex', () => {
    assert.deepEqual(parseFingerprintAttribute(`sha-256 ${FP256.toLowerCase()}`), { hash: 'sha-256', value: FP256 });
  });
  it('rejects a value without hash-func or with extra fields', () => {
    throwsCode(() => parseFingerprintAttribute(FP256), 'fingerprint-syntax');
    throwsCode(() => parseFingerprintAttribute(`sha-256 ${FP256} extra`), 'fingerprint-syntax');
    throwsCode(() => parseFingerprintAttribute(''), 'fingerprint-syntax');
  });
  it('applies the same length and policy rules', () => {
    throwsCode(() => parseFingerprintAttribute(`sha-256 ${FP1}`), 'fingerprint-length');
    throwsCode(() => parseFingerprintAttribute(`md5 ${bytes(16)}`), 'hash-not-allowed');
  });
});
