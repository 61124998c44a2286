/**
 * Admission control (load shedding): whether a new call may start now, decided before any work
 * is spent on it (no SDP parsing or mapping, no disco#info, no XEP-0353 propose). Under overload
 * the gateway refuses new calls early and cheaply, so the calls it has admitted still complete,
 * instead of accepting everything and failing by timeout and retransmission.
 *
 * Three signals, each `0` = off (`overload.*` in src/config/schema.ts):
 * - calls in progress, any state (`overload.maxCalls`): bounds memory;
 * - calls in set-up, not answered yet (`overload.maxSetups`): bounds the work in flight under a
 *   set-up storm — the first thing to pile up when a peer or the XMPP server falls behind;
 * - event-loop delay (`overload.maxEventLoopDelayMs`): the gateway's own CPU is saturated, so
 *   every message it already holds waits; refused until a later window shows it recovered.
 *
 * A refusal is a 503 + Retry-After to a new INVITE [RFC 3261 §21.5.4, §20.33: the client may try
 * another server], an IQ error `<resource-constraint/>` type `wait` to a new session-initiate
 * [RFC 6120 §8.3.3.18]. Requests within existing calls are never refused here. Each refusal is
 * counted in `jsg_calls_refused_total{reason}` and logged at most once per reason per interval.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { CallDirection } from './call-state.ts';
import type { CallObserver } from './context.ts';
import { LogThrottle, type Clock } from './policy.ts';

export type AdmissionRefusalReason = 'max-calls' | 'max-setups' | 'event-loop-delay';

export type AdmissionDecision =
  { admitted: true } | { admitted: false; reason: AdmissionRefusalReason; retryAfterSeconds: number; detail: string };

export interface AdmissionLimits {
  /** Calls in progress at once, any state; 0 = no limit. */
  maxCalls: number;
  /** Calls not answered yet at once; 0 = no limit. */
  maxSetups: number;
  /** Event-loop delay (ms) above which new calls are refused; 0 = off. */
  maxEventLoopDelayMs: number;
  /** Retry-After of a refusal, in seconds. */
  retryAfterSeconds: number;
}

/** What admission reads of the live calls: src/session/registry.ts. */
export interface CallCounts {
  /** Calls that have not ended. */
  readonly size: number;
  /** Of those, calls not answered yet. */
  readonly settingUp: number;
}

/** The gateway's current event-loop delay in ms: EventLoopDelaySampler in the service, a fixed value in tests. */
export type EventLoopDelaySource = () => number;

export interface AdmissionDeps {
  calls: CallCounts;
  eventLoopDelayMs: EventLoopDelaySource;
  observer: Pick<CallObserver, 'callRefused'>;
  logger: Logger;
  now: Clock;
}

/** One log line per reason per this interval; the next one counts the skipped ones. */
export const sheddingLogIntervalMs = 10_000;

export class AdmissionControl {
  private readonly throttle: LogThrottle;

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly deps: AdmissionDeps,
  ) {
    this.throttle = new LogThrottle(sheddingLogIntervalMs, deps.now);
  }

  /** The decision alone, without counting or logging: O(1), cheap enough for every new call. */
  decide(): AdmissionDecision {
    const { maxCalls, maxSetups, maxEventLoopDelayMs } = this.limits;
    const { calls } = this.deps;
    if (maxCalls > 0 && calls.size >= maxCalls) {
      return this.refusal('max-calls', `${String(calls.size)} calls in progress, at most ${String(maxCalls)}`);
    }
    if (maxSetups > 0 && calls.settingUp >= maxSetups) {
      return this.refusal('max-setups', `${String(calls.settingUp)} calls in set-up, at most ${String(maxSetups)}`);
    }
    if (maxEventLoopDelayMs > 0) {
      const delay = this.deps.eventLoopDelayMs();
      if (delay > maxEventLoopDelayMs) {
        return this.refusal(
          'event-loop-delay',
          `event-loop delay ${delay.toFixed(0)} ms, at most ${String(maxEventLoopDelayMs)} ms`,
        );
      }
    }
    return { admitted: true };
  }

  /** Decides for a new call in `direction`; a refusal is counted and (throttled) logged. */
  admit(direction: CallDirection): AdmissionDecision {
    const decision = this.decide();
    if (decision.admitted) return decision;
    this.deps.observer.callRefused(direction, decision.reason);
    const log = this.throttle.shouldLog(decision.reason);
    if (log.log) {
      const skipped = log.suppressed > 0 ? { suppressed: log.suppressed } : {};
      this.deps.logger.warn(
        { direction, reason: decision.reason, detail: decision.detail, ...skipped },
        'overload: new call refused',
      );
    }
    return decision;
  }

  private refusal(reason: AdmissionRefusalReason, detail: string): AdmissionDecision {
    return { admitted: false, reason, retryAfterSeconds: this.limits.retryAfterSeconds, detail };
  }
}

// --- Event-loop delay ---

/** Timer resolution of the histogram: Node wakes a native (libuv) timer this often, no JS runs. */
export const eventLoopSampleResolutionMs = 10;
/** The window the delay is judged over: short enough to react within a second, long enough to ride out one GC pause. */
export const eventLoopWindowMs = 1000;
/** The percentile taken per window: p90 ignores a single long pause but not a loop that stays busy. */
export const eventLoopPercentile = 90;

/**
 * The event-loop delay as node:perf_hooks `monitorEventLoopDelay` measures it, summarised once per
 * window: the window's p90 of the time between timer wake-ups, less the resolution, so an idle
 * loop reads ≈ 0 ms. Per call the gateway only reads a number; the sampling itself is a native
 * timer and one JS callback per window (its cost is in docs/operations.md "Overload").
 */
export class EventLoopDelaySampler {
  private readonly histogram: IntervalHistogram;
  private readonly timer: NodeJS.Timeout;
  private lastMs = 0;

  constructor() {
    this.histogram = monitorEventLoopDelay({ resolution: eventLoopSampleResolutionMs });
    this.histogram.enable();
    this.timer = setInterval(() => {
      this.sample();
    }, eventLoopWindowMs);
    this.timer.unref();
  }

  /** The last complete window's delay in ms. */
  readonly delayMs = (): number => this.lastMs;

  private sample(): void {
    // A window without a single wake-up (count 0) means the loop was blocked all along.
    const ns = this.histogram.count > 0 ? this.histogram.percentile(eventLoopPercentile) : eventLoopWindowMs * 1e6;
    this.lastMs = Math.max(0, ns / 1e6 - eventLoopSampleResolutionMs);
    this.histogram.reset();
  }

  stop(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }
}
