// Spec §6.4: every row of the SIP → Jingle reason table.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JingleReason } from '../../../src/mapping/errors.ts';
import { jingleReasonForSipRequest, jingleReasonForSipStatus } from '../../../src/mapping/reasons/sip-to-jingle.ts';

const withStatus = (reason: JingleReason, code: number, phrase: string) => ({ reason, sipStatus: { code, phrase } });
const generalError = (code: number, phrase: string) => ({
  reason: 'general-error',
  text: `SIP ${code} ${phrase}`,
  sipStatus: { code, phrase },
});

describe('SIP final response → Jingle reason (§6.4)', () => {
  const rows: [number, string, JingleReason][] = [
    [486, 'Busy Here', 'busy'],
    [600, 'Busy Everywhere', 'busy'],
    [603, 'Decline', 'decline'],
    [607, 'Unwanted', 'decline'],
    [608, 'Rejected', 'decline'],
    [480, 'Temporarily Unavailable', 'gone'],
    [410, 'Gone', 'gone'],
    [408, 'Request Timeout', 'timeout'],
    [504, 'Server Time-out', 'timeout'],
    [488, 'Not Acceptable Here', 'incompatible-parameters'],
    [606, 'Not Acceptable', 'incompatible-parameters'],
    [415, 'Unsupported Media Type', 'failed-application'],
  ];
  for (const [code, phrase, reason] of rows) {
    it(`${code} → <${reason}/> with sip-status ${code}`, () => {
      assert.deepEqual(jingleReasonForSipStatus(code, phrase, []), withStatus(reason, code, phrase));
    });
  }

  it('488 + Warning 302 → <unsupported-transports/>', () => {
    assert.deepEqual(
      jingleReasonForSipStatus(488, 'Not Acceptable Here', [302]),
      withStatus('unsupported-transports', 488, 'Not Acceptable Here'),
    );
  });
  it('488 + Warning 304 → <unsupported-applications/>', () => {
    assert.deepEqual(
      jingleReasonForSipStatus(488, 'Not Acceptable Here', [304]),
      withStatus('unsupported-applications', 488, 'Not Acceptable Here'),
    );
  });
  it('606 + Warning 302 → <unsupported-transports/>', () => {
    assert.deepEqual(
      jingleReasonForSipStatus(606, 'Not Acceptable', [302]),
      withStatus('unsupported-transports', 606, 'Not Acceptable'),
    );
  });
  it('606 + Warning 304 → <unsupported-applications/>', () => {
    assert.deepEqual(
      jingleReasonForSipStatus(606, 'Not Acceptable', [304]),
      withStatus('unsupported-applications', 606, 'Not Acceptable'),
    );
  });
  it('488 + Warnings 399, 304, 302 → the first transport/media warning (304) decides', () => {
    assert.equal(
      jingleReasonForSipStatus(488, 'Not Acceptable Here', [399, 304, 302])?.reason,
      'unsupported-applications',
    );
  });
  it('488 + Warning 305 → <incompatible-parameters/>', () => {
    assert.equal(jingleReasonForSipStatus(488, 'Not Acceptable Here', [305])?.reason, 'incompatible-parameters');
  });

  for (const [code, phrase] of [
    [401, 'Unauthorized'],
    [403, 'Forbidden'],
    [407, 'Proxy Authentication Required'],
  ] as const) {
    it(`${code} after the gateway's digest attempt failed → <security-error/>`, () => {
      assert.deepEqual(
        jingleReasonForSipStatus(code, phrase, [], { digestAttemptFailed: true }),
        withStatus('security-error', code, phrase),
      );
    });
    it(`${code} without a failed digest attempt → <general-error/> + text`, () => {
      assert.deepEqual(jingleReasonForSipStatus(code, phrase, []), generalError(code, phrase));
    });
  }

  const generalRows: [number, string][] = [
    [404, 'Not Found'],
    [604, 'Does Not Exist Anywhere'],
    [484, 'Address Incomplete'],
    [485, 'Ambiguous'],
    [302, 'Moved Temporarily'],
    [300, 'Multiple Choices'],
    [400, 'Bad Request'],
    [420, 'Bad Extension'],
    [500, 'Server Internal Error'],
    [503, 'Service Unavailable'],
  ];
  for (const [code, phrase] of generalRows) {
    it(`${code} → <general-error/> with <text>SIP ${code} ${phrase}</text>`, () => {
      assert.deepEqual(jingleReasonForSipStatus(code, phrase, []), generalError(code, phrase));
    });
  }
  it('keeps a received (localised) phrase as received', () => {
    assert.deepEqual(jingleReasonForSipStatus(404, 'Nicht gefunden', []), generalError(404, 'Nicht gefunden'));
  });

  it("487 after the gateway's CANCEL → nothing further (null)", () => {
    assert.equal(jingleReasonForSipStatus(487, 'Request Terminated', [], { cancelSent: true }), null);
  });
  it('487 without a CANCEL from the gateway → <general-error/>', () => {
    assert.deepEqual(jingleReasonForSipStatus(487, 'Request Terminated', []), generalError(487, 'Request Terminated'));
  });
  it('rejects a status that is not a final error response', () => {
    assert.throws(() => jingleReasonForSipStatus(200, 'OK', []), RangeError);
    assert.throws(() => jingleReasonForSipStatus(180, 'Ringing', []), RangeError);
    assert.throws(() => jingleReasonForSipStatus(700, 'Nope', []), RangeError);
  });
});

describe('SIP BYE / CANCEL → Jingle reason (§6.4)', () => {
  it('CANCEL from the SIP caller → <cancel/> without sip-status', () => {
    assert.deepEqual(jingleReasonForSipRequest('CANCEL'), { reason: 'cancel' });
  });
  it('BYE without Reason → <success/> without sip-status', () => {
    assert.deepEqual(jingleReasonForSipRequest('BYE'), { reason: 'success' });
  });
  it('BYE with Reason: SIP ;cause=486 → the row for 486, phrase from text', () => {
    assert.deepEqual(
      jingleReasonForSipRequest('BYE', 'SIP ;cause=486 ;text="Busy Here"'),
      withStatus('busy', 486, 'Busy Here'),
    );
  });
  it('CANCEL with Reason: SIP ;cause=603 → <decline/>', () => {
    assert.deepEqual(
      jingleReasonForSipRequest('CANCEL', 'SIP;cause=603;text="Decline"'),
      withStatus('decline', 603, 'Decline'),
    );
  });
  it('BYE with Reason cause 404 and no text → <general-error/>, empty sip-status phrase', () => {
    assert.deepEqual(jingleReasonForSipRequest('BYE', 'SIP ;cause=404'), {
      reason: 'general-error',
      text: 'SIP 404',
      sipStatus: { code: 404, phrase: '' },
    });
  });
  it('BYE with Reason cause 488 → <incompatible-parameters/>', () => {
    assert.deepEqual(
      jingleReasonForSipRequest('BYE', 'SIP ;cause=488 ;text="Not Acceptable Here"'),
      withStatus('incompatible-parameters', 488, 'Not Acceptable Here'),
    );
  });
  it('CANCEL with cause 200 ("Call completed elsewhere") keeps <cancel/>, with sip-status', () => {
    assert.deepEqual(jingleReasonForSipRequest('CANCEL', 'SIP ;cause=200 ;text="Call completed elsewhere"'), {
      reason: 'cancel',
      sipStatus: { code: 200, phrase: 'Call completed elsewhere' },
    });
  });
  it('BYE with only a Q.850 Reason → <success/> (Q.850 ignored)', () => {
    assert.deepEqual(jingleReasonForSipRequest('BYE', 'Q.850 ;cause=16 ;text="Terminated"'), { reason: 'success' });
  });
});
