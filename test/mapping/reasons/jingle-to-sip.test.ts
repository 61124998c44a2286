// Spec §6.3: every row of the Jingle reason → SIP table, in all three call situations.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JingleReason } from '../../../src/mapping/errors.ts';
import { sipForJingleReason, sipStatusForJingleReason } from '../../../src/mapping/reasons/jingle-to-sip.ts';

describe('Jingle reason → SIP final response, XMPP side responder, pending (§6.3)', () => {
  const finalResponse = (reason: JingleReason, text?: string) => sipForJingleReason(reason, 'responder-pending', text);

  it('busy → 486 Busy Here', () => {
    assert.deepEqual(finalResponse('busy'), { kind: 'final-response', status: 486, reasonPhrase: 'Busy Here' });
  });
  it('alternative-session → 486 with the other sid in the Reason text', () => {
    assert.deepEqual(sipForJingleReason('alternative-session', 'responder-pending', undefined, 'b84tkkwlmb48kgfb'), {
      kind: 'final-response',
      status: 486,
      reasonPhrase: 'Busy Here',
      reasonHeader: 'SIP ;cause=486 ;text="alternative-session b84tkkwlmb48kgfb"',
    });
  });
  it('decline → 603 Decline', () => {
    assert.deepEqual(finalResponse('decline'), { kind: 'final-response', status: 603, reasonPhrase: 'Decline' });
  });
  it('cancel → 603 Decline', () => {
    assert.deepEqual(finalResponse('cancel'), { kind: 'final-response', status: 603, reasonPhrase: 'Decline' });
  });
  it('success → 603 Decline', () => {
    assert.deepEqual(finalResponse('success'), { kind: 'final-response', status: 603, reasonPhrase: 'Decline' });
  });
  for (const reason of ['gone', 'connectivity-error', 'failed-transport'] as const) {
    it(`${reason} → 480 Temporarily Unavailable`, () => {
      assert.deepEqual(finalResponse(reason), {
        kind: 'final-response',
        status: 480,
        reasonPhrase: 'Temporarily Unavailable',
      });
    });
  }
  for (const reason of ['timeout', 'expired'] as const) {
    it(`${reason} → 408 Request Timeout`, () => {
      assert.deepEqual(finalResponse(reason), { kind: 'final-response', status: 408, reasonPhrase: 'Request Timeout' });
    });
  }
  it('unsupported-applications → 488 + Warning 304', () => {
    assert.deepEqual(finalResponse('unsupported-applications'), {
      kind: 'final-response',
      status: 488,
      reasonPhrase: 'Not Acceptable Here',
      warning: { code: 304, text: 'Media type not available' },
    });
  });
  it('unsupported-transports → 488 + Warning 302', () => {
    assert.deepEqual(finalResponse('unsupported-transports'), {
      kind: 'final-response',
      status: 488,
      reasonPhrase: 'Not Acceptable Here',
      warning: { code: 302, text: 'Incompatible transport protocol' },
    });
  });
  for (const reason of ['incompatible-parameters', 'failed-application'] as const) {
    it(`${reason} → 488 + Warning 305`, () => {
      assert.deepEqual(finalResponse(reason), {
        kind: 'final-response',
        status: 488,
        reasonPhrase: 'Not Acceptable Here',
        warning: { code: 305, text: 'Incompatible media format' },
      });
    });
  }
  it('a Jingle <text/> replaces the default Warning text', () => {
    assert.deepEqual(finalResponse('incompatible-parameters', 'no common codec'), {
      kind: 'final-response',
      status: 488,
      reasonPhrase: 'Not Acceptable Here',
      warning: { code: 305, text: 'no common codec' },
    });
  });
  it('security-error → 488 + Warning 399 carrying the <text/>', () => {
    assert.deepEqual(finalResponse('security-error', 'fingerprint mismatch'), {
      kind: 'final-response',
      status: 488,
      reasonPhrase: 'Not Acceptable Here',
      warning: { code: 399, text: 'fingerprint mismatch' },
    });
  });
  it('security-error without <text/> → Warning 399 names the condition', () => {
    assert.deepEqual(finalResponse('security-error'), {
      kind: 'final-response',
      status: 488,
      reasonPhrase: 'Not Acceptable Here',
      warning: { code: 399, text: 'security-error' },
    });
  });
  for (const reason of ['media-error', 'general-error'] as const) {
    it(`${reason} → 500 Server Internal Error`, () => {
      assert.deepEqual(finalResponse(reason), {
        kind: 'final-response',
        status: 500,
        reasonPhrase: 'Server Internal Error',
      });
    });
  }
});

// [reason, cause]: the "Active: BYE Reason cause" column, which is also the CANCEL cause.
const causes: [JingleReason, number][] = [
  ['busy', 486],
  ['alternative-session', 486],
  ['decline', 603],
  ['gone', 480],
  ['connectivity-error', 480],
  ['failed-transport', 480],
  ['timeout', 408],
  ['expired', 408],
  ['unsupported-applications', 488],
  ['unsupported-transports', 488],
  ['incompatible-parameters', 488],
  ['failed-application', 488],
  ['security-error', 488],
  ['media-error', 500],
  ['general-error', 500],
];

describe('Jingle reason → BYE Reason, call active (§6.3)', () => {
  for (const [reason, cause] of causes) {
    it(`${reason} → BYE with Reason cause ${cause}`, () => {
      assert.deepEqual(sipForJingleReason(reason, 'active', 'ignored human text'), {
        kind: 'bye',
        reasonHeader: `SIP ;cause=${cause} ;text="${reason}"`,
      });
    });
  }
  it('success → BYE without Reason header (assertion 88)', () => {
    assert.deepEqual(sipForJingleReason('success', 'active'), { kind: 'bye' });
  });
  it('cancel → BYE without Reason header', () => {
    assert.deepEqual(sipForJingleReason('cancel', 'active'), { kind: 'bye' });
  });
  it('alternative-session → the Reason text carries the other sid', () => {
    assert.deepEqual(sipForJingleReason('alternative-session', 'active', undefined, 'b84tkkwlmb48kgfb'), {
      kind: 'bye',
      reasonHeader: 'SIP ;cause=486 ;text="alternative-session b84tkkwlmb48kgfb"',
    });
  });
});

describe('Jingle reason → CANCEL, XMPP side initiator, pending (§6.3)', () => {
  for (const [reason, cause] of causes) {
    it(`${reason} → CANCEL with Reason cause ${cause}`, () => {
      assert.deepEqual(sipForJingleReason(reason, 'initiator-pending'), {
        kind: 'cancel',
        reasonHeader: `SIP ;cause=${cause} ;text="${reason}"`,
      });
    });
  }
  it('cancel → CANCEL without Reason (no cause)', () => {
    assert.deepEqual(sipForJingleReason('cancel', 'initiator-pending'), { kind: 'cancel' });
  });
  it('success → CANCEL without Reason (no cause)', () => {
    assert.deepEqual(sipForJingleReason('success', 'initiator-pending'), { kind: 'cancel' });
  });
});

describe('sipStatusForJingleReason', () => {
  it('gives the status shared by the final response and the Reason cause', () => {
    assert.equal(sipStatusForJingleReason('decline'), 603);
    assert.equal(sipStatusForJingleReason('expired'), 408);
    assert.equal(sipStatusForJingleReason('unsupported-transports'), 488);
  });
});
