/**
 * What both call directions share: the guarded state, the serial queue every event goes
 * through, timers that die with the call, the Jingle requests the XMPP party may send in any
 * state, and the in-dialog SIP requests of an established call.
 */
import type { Element } from '@xmpp/component';
import type { Logger } from 'pino';
import { callLogger } from '../ops/logger.ts';
import { GatewayError, isGatewayError } from '../mapping/errors.ts';
import { parseJingle, type JingleRequest } from '../mapping/jingle/jingle.ts';
import {
  jingleReasonForSipRequest,
  parseReasonElement,
  sipForJingleReason,
  type ReasonInfo,
} from '../mapping/reasons.ts';
import { classifySessionInfo, endsHold } from '../mapping/session-info.ts';
import type { SipDialog } from '../sip/dialog-types.ts';
import { headerText } from '../sip/message.ts';
import type { IncomingSipRequest } from '../sip/port.ts';
import { StanzaError } from '../xmpp/port.ts';
import { CallState, nextCallState, type CallDirection, type CallOutcome } from './call-state.ts';
import type { GatewayContext } from './context.ts';
import { answerInDialogRequest } from './in-dialog.ts';
import { SerialQueue } from './serial-queue.ts';
import { bumpVersion, holdDirection, mediaDirections, withDirections, type Direction } from './sdp-direction.ts';
import { sessionInfo, sessionTerminate } from './stanzas.ts';

function mediaDirectionAt(sdp: string, index: number): Direction {
  return mediaDirections(sdp)[index]?.direction ?? 'sendrecv';
}

/**
 * RFC 3261 §14.1: after a 491, the owner of the Call-ID (the gateway for XMPP → SIP calls, whose
 * Call-ID it made) waits 2.1–4 s, the other side 0–2 s, in units of 10 ms; `random` is in [0, 1).
 */
export function glareRetryDelayMs(ownsCallId: boolean, random: number): number {
  const [from, span] = ownsCallId ? [2100, 1900] : [0, 2000];
  return from + Math.floor((random * span) / 10) * 10;
}

/** Runs `fn` after the current IQ reply went out: the reply precedes what the call sends next. */
export function afterReply(fn: () => void): void {
  setImmediate(fn);
}

export abstract class Call {
  protected stateValue = CallState.Initiating;
  readonly queue: SerialQueue;
  protected readonly log: Logger;
  protected readonly startedAt: number;
  protected dialog: SipDialog | undefined;
  /** Our last SDP and the peer's: re-INVITE refreshes are answered from them (spec §6.1). */
  protected localSdp: string | undefined;
  protected remoteSdp: string | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** The SIP party has put the call on hold (spec §6.2). */
  private peerHolds = false;
  /** Our SDP before the XMPP party's `<hold/>`, restored by `<unhold/>`/`<active/>`. */
  private beforeHold: string | undefined;
  private outcome: CallOutcome | undefined;

  protected constructor(
    protected readonly ctx: GatewayContext,
    readonly direction: CallDirection,
    readonly callId: string,
    readonly sid: string,
    /** The JID under the component domain standing for the SIP party. */
    readonly gatewayJid: string,
    /** The XMPP party's JID (bare until a JMI proceed names the resource). */
    public peerJid: string,
  ) {
    this.log = callLogger(ctx.logger, { callId, sid, direction });
    this.queue = new SerialQueue((err) => {
      this.log.error({ err }, 'call event failed');
    });
    this.startedAt = ctx.now();
    ctx.registry.add(this);
    ctx.observer.callStarted(direction);
  }

  get state(): CallState {
    return this.stateValue;
  }

  get ended(): boolean {
    return this.stateValue === CallState.Terminated;
  }

  protected moveTo(to: CallState): void {
    const from = this.stateValue;
    this.stateValue = nextCallState(from, to);
    this.log.debug({ from, to }, 'call state');
  }

  /**
   * A timer whose callback runs on the call's queue and never after the call ended. Unref'd: the
   * sockets keep the service alive; a 60 s ring timer must not hold up an exit on its own.
   */
  protected setTimer(ms: number, fn: () => Promise<void> | void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.post(fn);
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  /** Queues an event for this call; dropped once the call has ended. */
  post(fn: () => Promise<void> | void): void {
    this.queue.post(async () => {
      if (!this.ended) await fn();
    });
  }

  /** Runs `promise` outside the queue and its continuation on it, so a slow IQ blocks nothing. */
  protected follow<T>(
    promise: Promise<T>,
    onValue: (v: T) => Promise<void> | void,
    onError: (e: unknown) => Promise<void> | void,
  ): void {
    promise.then(
      (value) => {
        this.post(() => onValue(value));
      },
      (err: unknown) => {
        this.post(() => onError(err));
      },
    );
  }

  /**
   * Sends a stanza. An IQ set is a request [RFC 6120 §8.2.3]: it gets an id, and its answer is
   * awaited off the queue; an error answer is logged (the call's own events decide its fate).
   */
  protected async sendStanza(stanza: Element): Promise<void> {
    try {
      if (stanza.getName() === 'iq' && stanza.attrs.type === 'set') {
        this.ctx.xmpp.request(stanza, this.ctx.config.jingle.iqTimeoutMs).catch((err: unknown) => {
          this.log.info({ err: err instanceof Error ? err.message : err }, 'Jingle request not acknowledged');
        });
        return;
      }
      await this.ctx.xmpp.send(stanza);
    } catch (err) {
      this.log.warn({ err }, 'stanza not sent');
    }
  }

  /**
   * The session-terminate must not be lost to a component reconnect, or the XMPP client keeps a
   * call that no longer exists: while the stream is down it waits for the stream to come back.
   */
  protected async terminateXmpp(reason: ReasonInfo): Promise<void> {
    const stanza = sessionTerminate(this.gatewayJid, this.peerJid, this.sid, reason);
    if (this.ctx.xmpp.status !== 'online') {
      this.log.info('XMPP stream down: session-terminate deferred until it is back');
      this.ctx.deferUntilOnline(stanza);
      return;
    }
    await this.sendStanza(stanza);
  }

  /**
   * BYE on the established dialog with the spec §6.3 `Reason` (none for success/cancel). Not
   * awaited: its final response changes nothing for the call, and waiting up to Timer F (32 s)
   * for an unresponsive peer would stall the queue and the drain.
   */
  protected sendBye(reason: ReasonInfo): void {
    const termination = sipForJingleReason(reason.reason, 'active', reason.text, reason.alternativeSid);
    const headers = termination.reasonHeader !== undefined ? { Reason: termination.reasonHeader } : undefined;
    this.dialog?.request('BYE', headers !== undefined ? { headers } : {}).catch((err: unknown) => {
      this.log.warn({ err }, 'BYE failed');
    });
  }

  /** Ends the call's bookkeeping. Idempotent; the only way into `Terminated`. */
  protected finish(outcome: CallOutcome, reason?: ReasonInfo): void {
    if (this.ended) return;
    this.beforeFinish(outcome, reason);
    this.moveTo(CallState.Terminated);
    this.outcome = outcome;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.dialog?.close();
    this.queue.close();
    this.ctx.registry.remove(this);
    this.ctx.observer.callEnded(this.direction, outcome);
    this.log.info({ outcome, durationMs: this.ctx.now() - this.startedAt }, 'call ended');
  }

  /** Last words of a call that is ending (XEP-0353 `<finish/>` for proposed sessions). */
  protected beforeFinish(outcome: CallOutcome, reason: ReasonInfo | undefined): void {
    this.log.debug({ outcome, reason: reason?.reason }, 'call finishing');
  }

  protected answered(): void {
    this.ctx.registry.established(this);
    this.ctx.observer.callAnswered(this.direction, (this.ctx.now() - this.startedAt) / 1000);
    // Without RFC 4028 session timers a lost BYE leaves a call up for ever: operators may bound it.
    // X166 §7.4 `<expired/>`: the session exceeded a pre-defined time limit (BYE cause 408, spec §6.3).
    const maxSeconds = this.ctx.config.calls.maxDurationSeconds;
    if (maxSeconds === 0) return;
    this.setTimer(maxSeconds * 1000, () => {
      this.log.info({ maxDurationSeconds: maxSeconds }, 'call reached calls.maxDurationSeconds');
      return this.hangUp({ reason: 'expired' });
    });
  }

  get result(): CallOutcome | undefined {
    return this.outcome;
  }

  /**
   * A Jingle IQ from the XMPP party for this session, run on the queue. Returning answers the IQ
   * with a result; throwing GatewayError/StanzaError answers with that error [X166 §6.3.2, §10].
   */
  async onJingleIq(jingleEl: Element): Promise<void> {
    if (this.ended) throw new GatewayError('unknown-session', 'the session has ended');
    let request: JingleRequest;
    try {
      request = parseJingle(jingleEl);
    } catch (err) {
      if (!isGatewayError(err)) throw err;
      if (err.entry.xmpp.disposition === 'iq-error' && jingleEl.attrs.action === 'session-accept') {
        this.onUnusableAccept(err);
      }
      if (err.entry.xmpp.disposition !== 'terminate') throw err;
      // X166 §6.3.2: acknowledge, then end the session with the reason.
      afterReply(() => {
        this.post(() => this.failFromXmpp(err));
      });
      return;
    }
    switch (request.action) {
      case 'session-terminate': {
        const reason: ReasonInfo =
          request.reasonElement !== undefined ? parseReasonElement(request.reasonElement) : { reason: 'success' };
        afterReply(() => {
          this.post(() => this.onXmppTerminate(reason));
        });
        return;
      }
      case 'session-info':
        this.onSessionInfo(jingleEl);
        return;
      // X167 §9, X166 §9 and assertion 112: acknowledged, nothing to forward. Trickled
      // candidates after the INVITE are not relayed (no SIP INFO trickle-ice yet, spec §6.6:
      // IQ result only); before it, the XMPP→SIP call gathers them (outbound-call.ts).
      case 'transport-info':
        this.onXmppTransportInfo(request);
        return;
      case 'description-info':
      case 'security-info':
        return;
      case 'session-accept':
        return this.onXmppAccept(request);
      case 'session-initiate':
        throw new GatewayError('out-of-order', 'the session already exists');
      default:
        throw new StanzaError('feature-not-implemented', 'cancel', { text: `${request.action} is not supported yet` });
    }
  }

  private onSessionInfo(jingleEl: Element): void {
    const kind = classifySessionInfo(jingleEl);
    if (kind === 'unsupported') throw new GatewayError('unsupported-info', 'unknown session-info payload');
    if (kind === 'ringing') this.onXmppRinging();
    else if (kind === 'hold') this.reofferForHold(true);
    else if (endsHold(kind)) this.reofferForHold(false);
    // mute/unmute/ping: IQ result only (spec §6.2, assertion 97).
  }

  /** transport-info from the XMPP party; acknowledged only, unless a direction needs it. */
  protected onXmppTransportInfo(request: JingleRequest): void {
    this.log.debug({ contents: request.session.contents.length }, 'transport-info acknowledged');
  }

  /** The SIP party sent BYE; the XMPP side has its session-terminate. */
  protected sipHungUp(reason: ReasonInfo): void {
    // Nothing more for a plain Jingle session; JMI-initiated calls add `<finish/>`.
    this.log.debug({ reason: reason.reason }, 'SIP party hung up');
  }

  /**
   * spec §6.2, assertion 95: `<hold/>` re-offers every m-line sendonly (recvonly → inactive);
   * `<unhold/>`/`<active/>` re-offers the directions held before [RFC 3264 §8.4]. The re-INVITE
   * runs off the queue; its failure leaves the call as it was, except a 491 (glare: both sides
   * re-INVITEd at once), which is retried once after the RFC 3261 §14.1 delay.
   */
  private reofferForHold(hold: boolean, glareRetry = false): void {
    const dialog = this.dialog;
    const local = this.localSdp;
    if (dialog === undefined || local === undefined || this.stateValue !== CallState.Active) return;
    const before = this.beforeHold;
    if (hold === (before !== undefined)) return;
    const offer = bumpVersion(
      before === undefined
        ? withDirections(local, (_i, current) => holdDirection(current))
        : withDirections(local, (i) => mediaDirectionAt(before, i)),
    );
    this.follow(
      dialog.request('INVITE', { body: offer, contentType: 'application/sdp' }),
      (response) => {
        if (response.status === 491 && !glareRetry) {
          const delayMs = glareRetryDelayMs(this.direction === 'xmpp-to-sip', Math.random());
          this.log.info({ hold, delayMs }, 'hold re-INVITE met glare (491): retrying');
          this.setTimer(delayMs, () => {
            this.reofferForHold(hold, true);
          });
          return;
        }
        if (response.status < 200 || response.status >= 300) {
          this.log.info({ status: response.status, hold }, 'hold re-INVITE refused');
          return;
        }
        this.beforeHold = hold ? local : undefined;
        this.localSdp = offer;
        if (response.content !== undefined && response.content.trim() !== '') this.remoteSdp = response.content;
      },
      (err: unknown) => {
        this.log.warn({ err, hold }, 'hold re-INVITE failed');
      },
    );
  }

  protected onXmppRinging(): void {
    // Only the callee rings; from the initiator it is harmless and ignored.
  }

  /** A session-accept that fails to parse is answered with an IQ error; a pending callee's also ends the call. */
  protected onUnusableAccept(err: GatewayError): void {
    this.log.info({ code: err.code }, 'session-accept refused');
  }

  protected onXmppAccept(request: JingleRequest): Promise<void> {
    return Promise.reject(new GatewayError('out-of-order', `session-accept for ${request.sid} from the initiator`));
  }

  /** The XMPP party ended the session. */
  protected abstract onXmppTerminate(reason: ReasonInfo): Promise<void> | void;
  /** A Jingle request failed mapping with disposition `terminate`. */
  protected abstract failFromXmpp(err: GatewayError): Promise<void>;
  /** Drain: end the call politely on both sides. */
  abstract hangUp(reason: ReasonInfo): Promise<void>;

  /** Installs the in-dialog request handler on an established dialog [RFC 3261 §12.2.2]. */
  protected adoptDialog(dialog: SipDialog): void {
    this.dialog = dialog;
    dialog.handle({
      request: (incoming) => {
        this.queue.post(() => this.onSipInDialog(incoming));
      },
      terminated: (cause) => {
        this.post(async () => {
          this.log.warn({ cause }, 'SIP dialog ended by itself');
          const reason: ReasonInfo = { reason: 'connectivity-error', text: `SIP dialog ended (${cause})` };
          await this.terminateXmpp(reason);
          this.finish('failed', reason);
        });
      },
    });
  }

  private async onSipInDialog(incoming: IncomingSipRequest): Promise<void> {
    const dialog = this.dialog;
    const { request } = incoming;
    if (dialog === undefined) return;
    if (this.ended) {
      incoming.respond(dialog.makeResponse(request, 481));
      return;
    }
    if (request.method === 'BYE') {
      incoming.respond(dialog.makeResponse(request, 200));
      const reason = jingleReasonForSipRequest('BYE', headerText(request.headers, 'reason'));
      await this.terminateXmpp(reason);
      this.sipHungUp(reason);
      this.finish('answered', reason);
      return;
    }
    const outcome = answerInDialogRequest(
      incoming,
      dialog,
      { localSdp: this.localSdp, remoteSdp: this.remoteSdp },
      this.ctx.config.sip.domain,
    );
    if (outcome.localSdp !== undefined) this.localSdp = outcome.localSdp;
    if (outcome.remoteSdp !== undefined) this.remoteSdp = outcome.remoteSdp;
    if (outcome.held !== undefined && outcome.held !== this.peerHolds) {
      // spec §6.2 and assertion 96: a re-INVITE holding every m-line → <hold/>; leaving it → <active/>.
      this.peerHolds = outcome.held;
      await this.sendStanza(sessionInfo(this.gatewayJid, this.peerJid, this.sid, outcome.held ? 'hold' : 'active'));
    }
  }
}
