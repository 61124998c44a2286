/**
 * What the parts of the user agent share: the port, the timer values, header policy, the dialog
 * table and every timer they start (so `close()` can stop them all).
 */
import type { DigestCredentials } from './digest.ts';
import type { Dialog } from './dialog.ts';
import type { SipLogger } from './logger.ts';
import type { SipHeaders } from './message.ts';
import type { SipPort } from './port.ts';

/** RFC 3261 §17.1.1.1 defaults. */
export const defaultT1Ms = 500;
export const defaultT2Ms = 4000;

export interface DialogRegistry {
  add(key: string, dialog: Dialog): void;
  remove(key: string): void;
}

export class UaContext {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly port: SipPort,
    readonly t1Ms: number,
    readonly t2Ms: number,
    readonly logger: SipLogger | undefined,
    readonly allow: readonly string[],
    readonly supported: readonly string[],
    readonly userAgent: string | undefined,
    readonly dialogs: DialogRegistry,
    /** Answers 401/407 challenges to the gateway's requests, once each [RFC 3261 §22.2]. */
    readonly credentials?: DigestCredentials | undefined,
  ) {}

  /** RFC 3261 §17.1.1.2 Timer B/H: 64·T1, the lifetime of a transaction. */
  get transactionTimeoutMs(): number {
    return 64 * this.t1Ms;
  }

  setTimer(callback: () => void, ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      try {
        callback();
      } catch (error) {
        this.logger?.error({ err: error }, 'SIP timer callback failed');
      }
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  clearTimer(timer: NodeJS.Timeout | undefined): void {
    if (timer === undefined) return;
    clearTimeout(timer);
    this.timers.delete(timer);
  }

  clearAllTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Calls a handler of the layer's user; its exceptions are logged, never thrown into the stack. */
  callHandler(what: string, call: () => void): void {
    try {
      call();
    } catch (error) {
      this.logger?.error({ err: error, handler: what }, 'SIP handler failed');
    }
  }

  /** Allow and Supported, for INVITEs, their 2xx and OPTIONS answers [RFC 3261 §20.5, §20.37]. */
  addCapabilities(headers: SipHeaders): void {
    headers.allow = this.allow.join(', ');
    if (this.supported.length > 0) headers.supported = this.supported.join(', ');
  }

  addUserAgent(headers: SipHeaders, kind: 'request' | 'response'): void {
    if (this.userAgent !== undefined) headers[kind === 'request' ? 'user-agent' : 'server'] = this.userAgent;
  }

  /**
   * RFC 3261 §13.3.1.4: a 2xx to INVITE is passed to the transport "with an interval that starts
   * at T1 seconds and doubles for each retransmission until it reaches T2 seconds"; after 64·T1
   * without ACK, `onTimeout`.
   */
  retransmitUntilAck(resend: () => void, onTimeout: () => void): { stop(): void } {
    let interval = this.t1Ms;
    let timer: NodeJS.Timeout | undefined;
    const schedule = (): void => {
      timer = this.setTimer(() => {
        resend();
        interval = Math.min(interval * 2, this.t2Ms);
        schedule();
      }, interval);
    };
    const stop = (): void => {
      this.clearTimer(timer);
      this.clearTimer(deadline);
    };
    const deadline = this.setTimer(() => {
      stop();
      onTimeout();
    }, this.transactionTimeoutMs);
    schedule();
    return { stop };
  }
}

/** Dialog ID: Call-ID, local tag, remote tag [RFC 3261 §12]. */
export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\n${localTag}\n${remoteTag}`;
}
