/** RFC 3261 §14.1 retry delays after a 491 (src/session/call.ts, used by the hold re-INVITE). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { glareRetryDelayMs } from '../../src/session/call.ts';

describe('glareRetryDelayMs', () => {
  it('owner of the Call-ID: 2.1 s to just under 4 s, in 10 ms steps', () => {
    assert.equal(glareRetryDelayMs(true, 0), 2100);
    assert.equal(glareRetryDelayMs(true, 0.5), 3050);
    assert.equal(glareRetryDelayMs(true, 0.99999), 3990);
  });

  it('not the owner: 0 to just under 2 s, in 10 ms steps', () => {
    assert.equal(glareRetryDelayMs(false, 0), 0);
    assert.equal(glareRetryDelayMs(false, 0.123), 240);
    assert.equal(glareRetryDelayMs(false, 0.99999), 1990);
  });
});
