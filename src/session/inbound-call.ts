/**
 * SIP → XMPP: an INVITE whose Request-URI names a JID (spec §6.1, §6.5, §6.7, §7.2). The SIP
 * caller appears as `<escaped user@host>@<component>/sip` (the gateway JID of this call); the
 * XMPP callee is the peer. A bare-JID callee is first asked with XEP-0353 (jmi-flow.ts).
 */
import type { Element } from '@xmpp/component';
import { callerIdentityForJid } from '../mapping/address.ts';
import { GatewayError, isGatewayError } from '../mapping/errors.ts';
import { requireMediaSession, type JingleRequest } from '../mapping/jingle/jingle.ts';
import {
  formatSipWarning,
  jingleReasonForSipRequest,
  reasonForGatewayError,
  sipForJingleReason,
  sipResponseForGatewayError,
  sipStatusForCalleeIqError,
  sipStatusForCalleeIqTimeout,
  type ReasonInfo,
  type SipResponseSpec,
} from '../mapping/reasons.ts';
import { jingleAnswerToSdp } from '../mapping/translate/jingle-answer.ts';
import { sdpOfferToJingle, type InspectedOffer, type SipOffer } from '../mapping/translate/sdp-offer.ts';
import type { IncomingInvite } from '../sip/dialog-types.ts';
import { headerText, type SipRequest } from '../sip/message.ts';
import { IqTimeoutError, StanzaError } from '../xmpp/port.ts';
import { afterReply, Call } from './call.ts';
import { CallState, isPending, type CallOutcome } from './call-state.ts';
import type { GatewayContext } from './context.ts';
import { JmiFlow } from './jmi-flow.ts';
import { chooseSecurity } from './security-choice.ts';
import { jingleSet } from './stanzas.ts';

export class InboundCall extends Call {
  private sipOffer: SipOffer | undefined;
  private ringing = false;
  private jmi: JmiFlow | undefined;
  /**
   * The INVITE, its parsed offer and the mapped offer are needed only until the answer went out;
   * they are released then (about 6 KiB of heap per established call, docs/performance.md).
   */
  private invite: IncomingInvite | undefined;
  private inspected: InspectedOffer | undefined;

  constructor(
    ctx: GatewayContext,
    invite: IncomingInvite,
    callerJid: string,
    callee: { jid: string; bare: boolean },
    inspected: InspectedOffer,
  ) {
    super(ctx, 'sip-to-xmpp', invite.callId, ctx.newSid(), callerJid, callee.jid);
    this.invite = invite;
    this.inspected = inspected;
    this.remoteSdp = invite.request.content;
    invite.handle({
      cancelled: (cancel) => {
        this.post(() => this.onSipCancel(cancel));
      },
    });
    this.log.info({ from: callerJid, to: callee.jid }, 'SIP call to XMPP');
    if (callee.bare) {
      ctx.registry.bindJingle(this, callee.jid, this.sid);
      this.jmi = new JmiFlow(ctx, this.sid, callerJid, callee.jid, inspected, {
        ringing: () => {
          this.sendRinging();
        },
        proceed: (fullJid) => {
          this.moveTo(CallState.Proceeding);
          this.peerJid = fullJid;
          this.initiate();
        },
        failed: (response, outcome) => {
          this.rejectSip(response);
          this.finish(outcome);
        },
      });
    }
  }

  /** A XEP-0353 message from the callee's account about this call. */
  onJmiMessage(message: Element): void {
    this.jmi?.onMessage(message);
  }

  start(): void {
    if (this.jmi !== undefined) {
      this.moveTo(CallState.Proposing);
      this.jmi.propose(
        (fn) => {
          this.post(fn);
        },
        (ms, fn) => {
          this.setTimer(ms, fn);
        },
      );
      return;
    }
    this.initiate();
  }

  /** Security selection, then session-initiate to the full JID [spec §1.3.2, §6.1]. */
  private initiate(): void {
    const inspected = this.inspected;
    if (inspected === undefined) return;
    this.follow(
      chooseSecurity(this.ctx, this.peerJid, inspected),
      (mechanism) => {
        let offer: SipOffer;
        try {
          offer = sdpOfferToJingle(inspected, mechanism, this.ctx.ids);
        } catch (err) {
          if (!isGatewayError(err)) throw err;
          this.ctx.observer.mappingError(err.code);
          this.rejectSip(sipResponseForGatewayError(err, this.ctx.config.sip.domain));
          this.finish('failed', reasonForGatewayError(err));
          return;
        }
        this.sipOffer = offer;
        this.ctx.registry.bindJingle(this, this.peerJid, this.sid);
        this.moveTo(CallState.Calling);
        const iq = jingleSet(this.gatewayJid, this.peerJid, {
          action: 'session-initiate',
          sid: this.sid,
          initiator: this.gatewayJid,
          session: offer.session,
        });
        this.follow(
          this.ctx.xmpp.request(iq, this.ctx.config.jingle.iqTimeoutMs),
          () => {
            // Acknowledged [X166 §6.3.1]: the callee rings. An unacknowledged session-initiate
            // is bounded by jingle.iqTimeoutMs (408, spec §6.5), the ringing by this timer.
            if (isPending(this.state)) this.setTimer(this.ctx.config.jingle.ringTimeoutMs, () => this.onNoAnswer());
          },
          (err) => {
            this.calleeFailed(err);
          },
        );
      },
      (err) => {
        this.calleeFailed(err);
      },
    );
  }

  /** spec §6.5: the callee's IQ error or silence → SIP status. */
  private calleeFailed(err: unknown): void {
    if (this.state === CallState.Active) return;
    let response: SipResponseSpec;
    if (err instanceof StanzaError) response = sipStatusForCalleeIqError(err.condition, this.redirectTarget(err));
    else if (err instanceof IqTimeoutError) response = sipStatusForCalleeIqTimeout();
    else {
      this.log.error({ err }, 'callee request failed');
      response = { status: 500, phrase: 'Server Internal Error' };
    }
    this.log.info({ status: response.status }, 'callee refused or did not answer');
    this.rejectSip(response);
    const timeout = response.status === 408;
    this.finish(timeout ? 'timeout' : 'rejected', { reason: timeout ? 'timeout' : 'general-error' });
  }

  /**
   * The callee acknowledged session-initiate but neither accepted nor terminated within
   * `jingle.ringTimeoutMs`: 480 as for an unanswered JMI propose (spec §6.7 step 5, §6.9) and
   * session-terminate `<timeout/>` [X166 §7.4]; a JMI-proposed session also gets `<finish/>`.
   */
  private async onNoAnswer(): Promise<void> {
    if (this.state !== CallState.Calling && this.state !== CallState.Ringing) return;
    this.log.info({ ringTimeoutMs: this.ctx.config.jingle.ringTimeoutMs }, 'XMPP callee did not answer');
    const reason: ReasonInfo = { reason: 'timeout' };
    this.rejectSip({ status: 480, phrase: 'Temporarily Unavailable' });
    await this.terminateXmpp(reason);
    this.finish('timeout', reason);
  }

  /**
   * spec §6.5: `<redirect/>` carries `xmpp:<jid>` [RFC 6120 §8.3.3.14]; the SIP Contact is that JID
   * as a SIP caller would call it back (spec §7.5). Undefined when absent or unmappable.
   */
  private redirectTarget(err: StanzaError): string | undefined {
    if (err.condition !== 'redirect') return undefined;
    const text = err.stanza
      ?.getChild('error')
      ?.getChild('redirect', 'urn:ietf:params:xml:ns:xmpp-stanzas')
      ?.getText()
      .trim();
    if (text === undefined || !text.startsWith('xmpp:')) return undefined;
    try {
      return callerIdentityForJid(text.slice('xmpp:'.length), this.ctx.address).uri;
    } catch {
      return undefined;
    }
  }

  private sendRinging(): void {
    if (this.ringing || !isPending(this.state)) return;
    this.ringing = true;
    if (this.state === CallState.Calling) this.moveTo(CallState.Ringing);
    this.invite?.provisional(180);
  }

  /** X353 §3.7: a proposed session that ends, however it ends, gets `<finish/>` (no-op before proceed). */
  protected override beforeFinish(outcome: CallOutcome, reason: ReasonInfo | undefined): void {
    this.jmi?.finishWith(reason ?? { reason: outcome === 'answered' ? 'success' : 'general-error' });
  }

  protected override onXmppRinging(): void {
    this.sendRinging();
  }

  /**
   * spec §3.5 and assertion 23: a session-accept that cannot be used (e.g. `setup='actpass'`)
   * gets its IQ error, the SIP caller the error's status (488) and the callee a session-terminate,
   * exactly as for an answer that fails to map below.
   */
  protected override onUnusableAccept(err: GatewayError): void {
    if (this.state !== CallState.Calling && this.state !== CallState.Ringing) return;
    this.ctx.observer.mappingError(err.code);
    afterReply(() => {
      this.post(async () => {
        this.rejectSip(sipResponseForGatewayError(err, this.ctx.config.sip.domain));
        await this.terminateXmpp(reasonForGatewayError(err));
        this.finish('failed', reasonForGatewayError(err));
      });
    });
  }

  protected override onXmppAccept(request: JingleRequest): Promise<void> {
    if (this.state !== CallState.Calling && this.state !== CallState.Ringing) {
      return Promise.reject(new GatewayError('out-of-order', `session-accept in state ${this.state}`));
    }
    const offer = this.sipOffer;
    const invite = this.invite;
    if (offer === undefined || invite === undefined) {
      return Promise.reject(new GatewayError('out-of-order', 'session-accept before session-initiate'));
    }
    let sdp: string;
    try {
      sdp = jingleAnswerToSdp(requireMediaSession(request.session), offer, this.ctx.translate, this.ctx.ids, {
        sessionId: this.ctx.ids.sessionId(),
        sessionVersion: 1,
        address: '0.0.0.0',
      });
    } catch (err) {
      if (!isGatewayError(err)) throw err;
      // The answer cannot reach SIP: the caller gets the error status, the callee a terminate.
      this.onUnusableAccept(err);
      if (err.entry.xmpp.disposition === 'iq-error') throw err;
      return Promise.resolve();
    }
    this.localSdp = sdp;
    this.moveTo(CallState.Active);
    this.adoptDialog(invite.accept(sdp));
    this.invite = undefined;
    this.inspected = undefined;
    this.sipOffer = undefined;
    this.answered();
    return Promise.resolve();
  }

  /** RFC 3261 §9.2: the layer answered 200 and 487; the XMPP side learns `<cancel/>` (or the Reason's cause, spec §6.4). */
  private async onSipCancel(cancel: SipRequest): Promise<void> {
    const reason = jingleReasonForSipRequest('CANCEL', headerText(cancel.headers, 'reason'));
    if (this.state === CallState.Proposing) this.jmi?.retract(reason);
    else await this.terminateXmpp(reason);
    this.finish('cancelled', reason);
  }

  protected onXmppTerminate(reason: ReasonInfo): void {
    if (isPending(this.state)) {
      const termination = sipForJingleReason(reason.reason, 'responder-pending', reason.text, reason.alternativeSid);
      if (termination.kind === 'final-response') {
        const headers: Record<string, string> = {};
        if (termination.warning !== undefined) {
          headers.Warning = formatSipWarning(termination.warning, this.ctx.config.sip.domain);
        }
        if (termination.reasonHeader !== undefined) headers.Reason = termination.reasonHeader;
        this.invite?.reject(termination.status, { headers });
      }
      this.finish(reason.reason === 'busy' || reason.reason === 'decline' ? 'rejected' : 'failed', reason);
      return;
    }
    this.sendBye(reason);
    this.finish('answered', reason);
  }

  protected async failFromXmpp(err: GatewayError): Promise<void> {
    this.ctx.observer.mappingError(err.code);
    const reason = reasonForGatewayError(err);
    if (isPending(this.state)) this.rejectSip(sipResponseForGatewayError(err, this.ctx.config.sip.domain));
    else this.sendBye(reason);
    await this.terminateXmpp(reason);
    this.finish('failed', reason);
  }

  async hangUp(reason: ReasonInfo): Promise<void> {
    if (isPending(this.state)) {
      this.rejectSip({ status: 503, phrase: 'Service Unavailable' });
      if (this.state === CallState.Proposing) this.jmi?.retract(reason);
      else await this.terminateXmpp(reason);
      this.finish('cancelled', reason);
      return;
    }
    this.sendBye(reason);
    await this.terminateXmpp(reason);
    this.finish('answered', reason);
  }

  private rejectSip(response: SipResponseSpec): void {
    if (this.invite === undefined || this.invite.finished) return;
    const headers: Record<string, string> = {};
    if (response.warning !== undefined) headers.Warning = response.warning;
    if (response.contact !== undefined) headers.Contact = `<${response.contact}>`;
    this.invite.reject(response.status, { reason: response.phrase, headers });
  }
}
