import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBase64url, randomHex, randomUint48 } from '../../src/ops/random.ts';

describe('pooled random identifiers', () => {
  it('returns the asked number of bytes in each encoding', () => {
    assert.match(randomHex(8), /^[0-9a-f]{16}$/);
    assert.match(randomBase64url(18), /^[A-Za-z0-9_-]{24}$/);
    const n = randomUint48();
    assert.ok(Number.isInteger(n) && n >= 0 && n < 2 ** 48, String(n));
  });

  it('never hands out the same bytes twice, across pool refills', () => {
    // 3,000 × 10 bytes crosses the 4 KiB pool several times.
    const seen = new Set(Array.from({ length: 3000 }, () => randomHex(10)));
    assert.equal(seen.size, 3000);
  });

  it('refuses more than one pool at a time', () => {
    assert.throws(() => randomHex(5000), RangeError);
  });
});
