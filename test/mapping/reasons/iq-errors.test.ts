// Spec §6.5: IQ errors ⇄ SIP status, every listed pair.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { XmppCondition } from '../../../src/mapping/errors.ts';
import {
  iqErrorForSipStatus,
  parseXmppCondition,
  sipStatusForCalleeIqError,
  sipStatusForCalleeIqTimeout,
  sipStatusForInDialogIqError,
  xmppErrorTypeFor,
} from '../../../src/mapping/reasons/iq-errors.ts';

describe('callee IQ error → final response (§6.5, RFC 7247 Table 2)', () => {
  const rows: [XmppCondition, number, string][] = [
    ['bad-request', 400, 'Bad Request'],
    ['jid-malformed', 400, 'Bad Request'],
    ['conflict', 400, 'Bad Request'],
    ['item-not-found', 404, 'Not Found'],
    ['remote-server-not-found', 404, 'Not Found'],
    ['service-unavailable', 403, 'Forbidden'],
    ['forbidden', 403, 'Forbidden'],
    ['not-allowed', 403, 'Forbidden'],
    ['policy-violation', 403, 'Forbidden'],
    ['not-authorized', 401, 'Unauthorized'],
    ['feature-not-implemented', 405, 'Method Not Allowed'],
    ['not-acceptable', 406, 'Not Acceptable'],
    ['recipient-unavailable', 480, 'Temporarily Unavailable'],
    ['remote-server-timeout', 408, 'Request Timeout'],
    ['resource-constraint', 500, 'Server Internal Error'],
    ['internal-server-error', 500, 'Server Internal Error'],
    ['unexpected-request', 491, 'Request Pending'],
    // Not in the spec's list; RFC 7247 Table 2.
    ['gone', 410, 'Gone'],
    ['registration-required', 400, 'Bad Request'],
    ['subscription-required', 400, 'Bad Request'],
    ['undefined-condition', 400, 'Bad Request'],
  ];
  for (const [condition, status, phrase] of rows) {
    it(`${condition} → ${status}`, () => {
      assert.deepEqual(sipStatusForCalleeIqError(condition), { status, phrase });
    });
  }
  it('redirect → 302 with Contact = the mapped target (assertion 105)', () => {
    assert.deepEqual(sipStatusForCalleeIqError('redirect', 'sip:voicemail%40capulet.lit@sip.gw.example'), {
      status: 302,
      phrase: 'Moved Temporarily',
      contact: 'sip:voicemail%40capulet.lit@sip.gw.example',
    });
  });
  it('redirect without a target → 480 (a 302 needs a Contact)', () => {
    assert.deepEqual(sipStatusForCalleeIqError('redirect'), { status: 480, phrase: 'Temporarily Unavailable' });
  });
  it('gone with a new address → 301 with Contact', () => {
    assert.deepEqual(sipStatusForCalleeIqError('gone', 'sip:romeo%40montague.lit@sip.gw.example'), {
      status: 301,
      phrase: 'Moved Permanently',
      contact: 'sip:romeo%40montague.lit@sip.gw.example',
    });
  });
  it('no response within jingle.iqTimeoutMs → 408', () => {
    assert.deepEqual(sipStatusForCalleeIqTimeout(), { status: 408, phrase: 'Request Timeout' });
  });
});

describe('IQ error to an in-dialog Jingle request → SIP response (§6.5)', () => {
  it('item-not-found + <unknown-session/> → 481', () => {
    assert.deepEqual(sipStatusForInDialogIqError('item-not-found', 'unknown-session', 'INVITE'), {
      status: 481,
      phrase: 'Call/Transaction Does Not Exist',
    });
  });
  it('conflict + <tie-break/> → 491', () => {
    assert.deepEqual(sipStatusForInDialogIqError('conflict', 'tie-break', 'INVITE'), {
      status: 491,
      phrase: 'Request Pending',
    });
  });
  it('unexpected-request + <out-of-order/> → 491', () => {
    assert.deepEqual(sipStatusForInDialogIqError('unexpected-request', 'out-of-order', 'UPDATE'), {
      status: 491,
      phrase: 'Request Pending',
    });
  });
  it('feature-not-implemented + <unsupported-info/> for INFO → 469', () => {
    assert.deepEqual(sipStatusForInDialogIqError('feature-not-implemented', 'unsupported-info', 'INFO'), {
      status: 469,
      phrase: 'Bad Info Package',
    });
  });
  it('feature-not-implemented + <unsupported-info/> for another method → 501', () => {
    assert.deepEqual(sipStatusForInDialogIqError('feature-not-implemented', 'unsupported-info', 'INVITE'), {
      status: 501,
      phrase: 'Not Implemented',
    });
  });
  it('not-acceptable → 488', () => {
    assert.deepEqual(sipStatusForInDialogIqError('not-acceptable', undefined, 'INVITE'), {
      status: 488,
      phrase: 'Not Acceptable Here',
    });
  });
  it('an unlisted pair falls back to the callee table', () => {
    assert.deepEqual(sipStatusForInDialogIqError('forbidden', undefined, 'INVITE'), {
      status: 403,
      phrase: 'Forbidden',
    });
  });
});

describe('SIP error before the IQ result → IQ error (§6.5)', () => {
  it('481 → item-not-found + <unknown-session/>', () => {
    assert.deepEqual(iqErrorForSipStatus(481), {
      condition: 'item-not-found',
      type: 'cancel',
      jingle: 'unknown-session',
    });
  });
  it('491 → conflict + <tie-break/> (not RFC 7247 unexpected-request)', () => {
    assert.deepEqual(iqErrorForSipStatus(491), { condition: 'conflict', type: 'cancel', jingle: 'tie-break' });
  });
  it('488 → not-acceptable', () => {
    assert.deepEqual(iqErrorForSipStatus(488), { condition: 'not-acceptable', type: 'modify' });
  });
  it('500 → internal-server-error', () => {
    assert.deepEqual(iqErrorForSipStatus(500), { condition: 'internal-server-error', type: 'cancel' });
  });
  const table3: [number, XmppCondition][] = [
    [302, 'redirect'],
    [400, 'bad-request'],
    [401, 'not-authorized'],
    [403, 'forbidden'],
    [404, 'item-not-found'],
    [405, 'feature-not-implemented'],
    [406, 'not-acceptable'],
    [407, 'not-authorized'],
    [408, 'remote-server-timeout'],
    [410, 'gone'],
    [415, 'bad-request'],
    [480, 'recipient-unavailable'],
    [484, 'item-not-found'],
    [486, 'recipient-unavailable'],
    [501, 'feature-not-implemented'],
    [502, 'remote-server-not-found'],
    [503, 'service-unavailable'],
    [504, 'remote-server-timeout'],
    [600, 'service-unavailable'],
    [603, 'service-unavailable'],
    [604, 'item-not-found'],
    [606, 'not-acceptable'],
    // Codes without a row take their class's x00 row [RFC 3261 §21].
    [499, 'bad-request'],
    [599, 'internal-server-error'],
    [699, 'service-unavailable'],
  ];
  for (const [status, condition] of table3) {
    it(`${status} → ${condition}`, () => {
      assert.deepEqual(iqErrorForSipStatus(status), { condition, type: xmppErrorTypeFor(condition) });
    });
  }
  it('rejects a status that is not a final error response', () => {
    assert.throws(() => iqErrorForSipStatus(200), RangeError);
  });
});

describe('RFC 6120 §8.3.3 helpers', () => {
  it('gives the error type of a condition', () => {
    assert.equal(xmppErrorTypeFor('forbidden'), 'auth');
    assert.equal(xmppErrorTypeFor('unexpected-request'), 'wait');
    assert.equal(xmppErrorTypeFor('jid-malformed'), 'modify');
    assert.equal(xmppErrorTypeFor('item-not-found'), 'cancel');
  });
  it('parses a received condition name, unknown → undefined-condition', () => {
    assert.equal(parseXmppCondition('remote-server-timeout'), 'remote-server-timeout');
    assert.equal(parseXmppCondition('payment-required'), 'undefined-condition');
  });
});
