/**
 * Prometheus metrics of the gateway (prom-client). Each instance owns its registry instead of
 * prom-client's global one, so tests can create as many as they like and two gateways in one
 * process never share counters. Implements the call layer's CallObserver.
 *
 * Label values come from closed sets only: a SIP method or an error code is chosen by whoever
 * sends us a message, and a label per distinct value would let any peer grow the series count
 * without bound.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { isSipRequest, type SipRequest, type SipResponse } from '../sip/message.ts';
import { errorCatalogue } from '../mapping/errors.ts';
import type { CallDirection, CallOutcome } from '../session/call-state.ts';
import type { CallObserver } from '../session/context.ts';
import { refusalReasons, type RefusalReason } from '../session/policy.ts';
import type { XmppStatus } from '../xmpp/port.ts';

export const callDirections: readonly CallDirection[] = ['xmpp-to-sip', 'sip-to-xmpp'];
export const callOutcomes: readonly CallOutcome[] = [
  'answered',
  'rejected',
  'cancelled',
  'failed',
  'timeout',
  'refused',
];

/** Admission-control refusals (src/session/admission.ts) happen in both directions. */
const overloadReasons: ReadonlySet<RefusalReason> = new Set(['max-calls', 'max-setups', 'event-loop-delay']);

/** From a fast 200 on a LAN to a callee who answers after ringing for half a minute. */
export const callSetupBuckets: readonly number[] = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30];

/** Methods of RFC 3261 and its extensions a gateway may see; anything else is counted as `other`. */
const knownSipMethods: ReadonlySet<string> = new Set([
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'OPTIONS',
  'REGISTER',
  'PRACK', // RFC 3262
  'UPDATE', // RFC 3311
  'INFO', // RFC 6086
  'SUBSCRIBE', // RFC 6665
  'NOTIFY', // RFC 6665
  'REFER', // RFC 3515
  'MESSAGE', // RFC 3428
  'PUBLISH', // RFC 3903
]);

const knownErrorCodes: ReadonlySet<string> = new Set(Object.keys(errorCatalogue));

/** `INVITE`, `response_2xx`, or `other` / `response_other` outside the closed sets. */
export function sipMethodLabel(message: SipRequest | SipResponse): string {
  if (isSipRequest(message)) {
    const method = message.method.toUpperCase();
    return knownSipMethods.has(method) ? method : 'other';
  }
  // RFC 3261 §7.2: status codes are 100–699, classed by their first digit.
  const statusClass = Math.floor(message.status / 100);
  return statusClass >= 1 && statusClass <= 6 ? `response_${statusClass}xx` : 'response_other';
}

/** What the admission gauges read (src/session/admission.ts, src/session/registry.ts). */
export interface AdmissionSource {
  eventLoopDelayMs(): number;
  callsInSetup(): number;
}

export interface GatewayMetricsOptions {
  /** Node.js process metrics (CPU, memory, event loop lag, GC). Default true. */
  processMetrics?: boolean;
}

export class GatewayMetrics implements CallObserver {
  readonly registry = new Registry();
  private readonly activeCalls: Gauge;
  private readonly calls: Counter<'direction' | 'outcome'>;
  private readonly callSetup: Histogram<'direction'>;
  private readonly xmppConnected: Gauge;
  private readonly xmppReconnects: Counter;
  private readonly sipMessages: Counter<'direction' | 'method'>;
  private readonly mappingErrors: Counter<'code'>;
  private readonly callsRefused: Counter<'direction' | 'reason'>;
  /** Created on the first report: only gateways with `sip.trunk.registrar` export it. */
  private sipRegisteredGauge: Gauge | undefined;
  /** Set by watchAdmission: only gateways export these. */
  private admissionSource: AdmissionSource | undefined;
  /** Whether the component has been online before: the next `online` is a reconnect. */
  private xmppWasOnline = false;
  private lastXmppStatus: XmppStatus | undefined;

  constructor(options: GatewayMetricsOptions = {}) {
    const registers = [this.registry];
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.activeCalls = new Gauge({ name: 'jsg_active_calls', help: 'Calls in progress', registers });
    this.calls = new Counter({
      name: 'jsg_calls_total',
      help: 'Finished calls by direction and by how their setup ended',
      labelNames: ['direction', 'outcome'],
      registers,
    });
    this.callSetup = new Histogram({
      name: 'jsg_call_setup_seconds',
      help: 'Time from the first offer to the answer, answered calls only',
      labelNames: ['direction'],
      buckets: [...callSetupBuckets],
      registers,
    });
    this.xmppConnected = new Gauge({
      name: 'jsg_xmpp_connected',
      help: '1 while the XEP-0114 component stream is online, else 0',
      registers,
    });
    this.xmppReconnects = new Counter({
      name: 'jsg_xmpp_reconnects_total',
      help: 'Times the component came back online after losing its stream',
      registers,
    });
    this.sipMessages = new Counter({
      name: 'jsg_sip_messages_total',
      help: 'SIP messages by direction (in/out) and request method or response class',
      labelNames: ['direction', 'method'],
      registers,
    });
    this.mappingErrors = new Counter({
      name: 'jsg_mapping_errors_total',
      help: 'Rejected offers, answers and stanzas by error code (docs/errors.md)',
      labelNames: ['code'],
      registers,
    });
    this.callsRefused = new Counter({
      name: 'jsg_calls_refused_total',
      help: 'Calls refused by policy before any work (on the SIP side: any request), by direction and reason',
      labelNames: ['direction', 'reason'],
      registers,
    });
    for (const reason of refusalReasons) {
      const directions = overloadReasons.has(reason)
        ? callDirections
        : [reason.startsWith('source-') ? 'sip-to-xmpp' : 'xmpp-to-sip'];
      for (const direction of directions) this.callsRefused.inc({ direction, reason }, 0);
    }
    // Zero series exist from the start, so rate() and alerts see a 0 → 1 change, not a new series.
    this.xmppConnected.set(0);
    for (const direction of callDirections) {
      this.callSetup.zero({ direction });
      for (const outcome of callOutcomes) this.calls.inc({ direction, outcome }, 0);
    }
  }

  /** A call was admitted. Every `callEnded` must follow one `callStarted`, a `refused` one too. */
  // One gauge for both directions, so totals need no sum(); the direction shows in jsg_calls_total.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- CallObserver's signature
  callStarted(_direction: CallDirection): void {
    this.activeCalls.inc();
  }

  callAnswered(direction: CallDirection, setupSeconds: number): void {
    this.callSetup.observe({ direction }, setupSeconds);
  }

  /** The call is over; `outcome` says how its setup ended (`answered` for a call that was talked). */
  callEnded(direction: CallDirection, outcome: CallOutcome): void {
    this.activeCalls.dec();
    this.calls.inc({ direction, outcome });
  }

  sipMessage(direction: 'in' | 'out', message: SipRequest | SipResponse): void {
    this.sipMessages.inc({ direction, method: sipMethodLabel(message) });
  }

  xmppStatus(status: XmppStatus): void {
    const online = status === 'online';
    this.xmppConnected.set(online ? 1 : 0);
    if (online && this.xmppWasOnline && this.lastXmppStatus !== 'online') this.xmppReconnects.inc();
    if (online) this.xmppWasOnline = true;
    this.lastXmppStatus = status;
  }

  /** The trunk registration is bound (1) or not (0) [RFC 3261 §10]. */
  sipRegistered(registered: boolean): void {
    this.sipRegisteredGauge ??= new Gauge({
      name: 'jsg_sip_registered',
      help: '1 while the SIP trunk registration (sip.trunk.registrar) is bound, else 0',
      registers: [this.registry],
    });
    this.sipRegisteredGauge.set(registered ? 1 : 0);
  }

  mappingError(code: string): void {
    this.mappingErrors.inc({ code: knownErrorCodes.has(code) ? code : 'other' });
  }

  callRefused(direction: CallDirection, reason: RefusalReason): void {
    this.callsRefused.inc({ direction, reason });
  }

  /**
   * Gauges read at scrape time from admission control's sources (src/session/admission.ts): the
   * event-loop delay it judges by and the calls in set-up it counts. A later call (a gateway
   * started again on the same metrics) replaces the source.
   */
  watchAdmission(source: AdmissionSource): void {
    const first = this.admissionSource === undefined;
    this.admissionSource = source;
    if (!first) return;
    const registers = [this.registry];
    for (const gauge of [
      {
        name: 'jsg_event_loop_delay_seconds',
        help: 'Event-loop delay admission control judges by: p90 over the last second, less the 10 ms sampling interval',
        value: () => (this.admissionSource?.eventLoopDelayMs() ?? 0) / 1000,
      },
      {
        name: 'jsg_calls_in_setup',
        help: 'Calls in progress not answered yet (what overload.maxSetups bounds)',
        value: () => this.admissionSource?.callsInSetup() ?? 0,
      },
    ]) {
      new Gauge({
        name: gauge.name,
        help: gauge.help,
        registers,
        collect() {
          this.set(gauge.value());
        },
      });
    }
  }

  /** The Prometheus text exposition of every metric. */
  metricsText(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
