import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay } from '../../src/xmpp/backoff.ts';

describe('backoffDelay', () => {
  const options = { initialDelayMs: 100, maxDelayMs: 1000 };

  it('draws from [0, initial · 2^attempt) with full jitter', () => {
    assert.deepEqual(
      [0, 1, 2, 3].map((attempt) => backoffDelay(attempt, options, () => 0.5)),
      [50, 100, 200, 400],
    );
    assert.equal(
      backoffDelay(2, options, () => 0),
      0,
    );
    assert.equal(
      backoffDelay(2, options, () => 0.999),
      399,
    );
  });

  it('caps the ceiling at maxDelayMs, even for huge attempt counts', () => {
    assert.equal(
      backoffDelay(4, options, () => 0.5),
      500,
    );
    assert.equal(
      backoffDelay(10_000, options, () => 0.5),
      500,
    );
  });
});
