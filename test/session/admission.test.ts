/**
 * Admission control's decision (src/session/admission.ts) with hand-set call counts, event-loop
 * delay and clock: each limit refuses with its reason and Retry-After, `0` turns it off, refusals
 * are counted per direction and logged at most once per reason per interval. The call registry's
 * set-up count it reads (src/session/registry.ts) follows calls from start to answer to end.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import {
  AdmissionControl,
  EventLoopDelaySampler,
  sheddingLogIntervalMs,
  type AdmissionLimits,
} from '../../src/session/admission.ts';
import type { Call } from '../../src/session/call.ts';
import type { CallDirection } from '../../src/session/call-state.ts';
import type { RefusalReason } from '../../src/session/policy.ts';
import { CallRegistry } from '../../src/session/registry.ts';

const defaults: AdmissionLimits = { maxCalls: 20_000, maxSetups: 1000, maxEventLoopDelayMs: 50, retryAfterSeconds: 5 };

function setup(limits: Partial<AdmissionLimits> = {}) {
  const state = { size: 0, settingUp: 0, delayMs: 0, clock: 0 };
  const refused: [CallDirection, RefusalReason][] = [];
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    {
      write: (line: string) => {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  );
  const admission = new AdmissionControl(
    { ...defaults, ...limits },
    {
      calls: {
        get size() {
          return state.size;
        },
        get settingUp() {
          return state.settingUp;
        },
      },
      eventLoopDelayMs: () => state.delayMs,
      observer: { callRefused: (d, r) => refused.push([d, r]) },
      logger,
      now: () => state.clock,
    },
  );
  return { admission, state, refused, lines };
}

describe('AdmissionControl.decide', () => {
  it('admits below every limit', () => {
    const { admission, state } = setup();
    Object.assign(state, { size: 19_999, settingUp: 999, delayMs: 50 });
    assert.deepEqual(admission.decide(), { admitted: true });
  });

  it('refuses at maxCalls in progress with max-calls and the configured Retry-After', () => {
    const { admission, state } = setup({ retryAfterSeconds: 7 });
    Object.assign(state, { size: 20_000, settingUp: 0 });
    assert.deepEqual(admission.decide(), {
      admitted: false,
      reason: 'max-calls',
      retryAfterSeconds: 7,
      detail: '20000 calls in progress, at most 20000',
    });
  });

  it('refuses at maxSetups calls in set-up with max-setups', () => {
    const { admission, state } = setup({ maxSetups: 2 });
    Object.assign(state, { size: 10, settingUp: 2 });
    assert.deepEqual(admission.decide(), {
      admitted: false,
      reason: 'max-setups',
      retryAfterSeconds: 5,
      detail: '2 calls in set-up, at most 2',
    });
    state.settingUp = 1;
    assert.deepEqual(admission.decide(), { admitted: true });
  });

  it('refuses while the event-loop delay is above maxEventLoopDelayMs, admits again once it recovers', () => {
    const { admission, state } = setup({ maxEventLoopDelayMs: 50 });
    state.delayMs = 50.5;
    assert.deepEqual(admission.decide(), {
      admitted: false,
      reason: 'event-loop-delay',
      retryAfterSeconds: 5,
      detail: 'event-loop delay 51 ms, at most 50 ms',
    });
    state.delayMs = 12;
    assert.deepEqual(admission.decide(), { admitted: true });
  });

  it('checks calls, then set-ups, then the event loop: the first limit reached names the reason', () => {
    const { admission, state } = setup({ maxCalls: 1, maxSetups: 1, maxEventLoopDelayMs: 1 });
    Object.assign(state, { size: 1, settingUp: 1, delayMs: 100 });
    const first = admission.decide();
    assert.equal(first.admitted ? 'admitted' : first.reason, 'max-calls');
    state.size = 0;
    const second = admission.decide();
    assert.equal(second.admitted ? 'admitted' : second.reason, 'max-setups');
    state.settingUp = 0;
    const third = admission.decide();
    assert.equal(third.admitted ? 'admitted' : third.reason, 'event-loop-delay');
  });

  it('0 turns each limit off', () => {
    const { admission, state } = setup({ maxCalls: 0, maxSetups: 0, maxEventLoopDelayMs: 0 });
    Object.assign(state, { size: 1_000_000, settingUp: 1_000_000, delayMs: 10_000 });
    assert.deepEqual(admission.decide(), { admitted: true });
  });

  it('does not read the event-loop delay when that limit is off', () => {
    const { admission } = setup({ maxEventLoopDelayMs: 0 });
    let reads = 0;
    const probe = new AdmissionControl(
      { ...defaults, maxEventLoopDelayMs: 0 },
      {
        calls: { size: 0, settingUp: 0 },
        eventLoopDelayMs: () => ++reads,
        observer: { callRefused: () => undefined },
        logger: pino({ level: 'silent' }),
        now: () => 0,
      },
    );
    assert.deepEqual(probe.decide(), { admitted: true });
    assert.equal(reads, 0);
    assert.deepEqual(admission.decide(), { admitted: true });
  });
});

describe('AdmissionControl.admit', () => {
  it('counts each refusal with its direction and reason, and nothing for an admitted call', () => {
    const { admission, state, refused } = setup({ maxSetups: 1 });
    assert.equal(admission.admit('sip-to-xmpp').admitted, true);
    state.settingUp = 1;
    assert.equal(admission.admit('sip-to-xmpp').admitted, false);
    assert.equal(admission.admit('xmpp-to-sip').admitted, false);
    assert.deepEqual(refused, [
      ['sip-to-xmpp', 'max-setups'],
      ['xmpp-to-sip', 'max-setups'],
    ]);
  });

  it('logs one warning per reason per interval, then the number of refusals it skipped', () => {
    const { admission, state, lines } = setup({ maxSetups: 1, maxEventLoopDelayMs: 50 });
    state.settingUp = 1;
    for (let i = 0; i < 5; i++) admission.admit('sip-to-xmpp');
    state.settingUp = 0;
    state.delayMs = 80;
    admission.admit('xmpp-to-sip');
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg, l.reason, l.direction, l.suppressed]),
      [
        [40, 'overload: new call refused', 'max-setups', 'sip-to-xmpp', undefined],
        [40, 'overload: new call refused', 'event-loop-delay', 'xmpp-to-sip', undefined],
      ],
    );
    state.clock += sheddingLogIntervalMs;
    state.delayMs = 0;
    state.settingUp = 1;
    admission.admit('sip-to-xmpp');
    assert.equal(lines.length, 3);
    assert.equal(lines[2]?.suppressed, 4);
    assert.equal(lines[2]?.detail, '1 calls in set-up, at most 1');
  });
});

describe('CallRegistry set-up count', () => {
  const fakeCall = (callId: string) => ({ callId }) as unknown as Call;

  it('a call is in set-up from add until answered or removed', () => {
    const registry = new CallRegistry();
    const a = fakeCall('a');
    const b = fakeCall('b');
    registry.add(a);
    registry.add(b);
    assert.deepEqual([registry.size, registry.settingUp], [2, 2]);
    registry.established(a);
    assert.deepEqual([registry.size, registry.settingUp], [2, 1]);
    registry.established(a); // idempotent
    assert.deepEqual([registry.size, registry.settingUp], [2, 1]);
    registry.remove(b); // ended unanswered
    assert.deepEqual([registry.size, registry.settingUp], [1, 0]);
    registry.remove(a); // ended after the answer
    assert.deepEqual([registry.size, registry.settingUp], [0, 0]);
  });
});

describe('EventLoopDelaySampler', () => {
  it('reads 0 ms before its first window and stops cleanly', () => {
    const sampler = new EventLoopDelaySampler();
    assert.equal(sampler.delayMs(), 0);
    sampler.stop();
    sampler.stop();
  });
});
