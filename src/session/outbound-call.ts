/**
 * XMPP → SIP: a Jingle session-initiate to a JID under the component becomes an INVITE
 * (spec §6.1, §6.3, §6.4; assertions 85–89). The XMPP caller is the Jingle initiator and the
 * peer of this call; the gateway JID is the `to` of its session-initiate.
 */
import type { Element } from '@xmpp/component';
import { callerIdentityForJid, calleeUriFromJid, responderJidForCallee } from '../mapping/address.ts';
import { GatewayError, isGatewayError } from '../mapping/errors.ts';
import { parseJingle, requireMediaSession, type JingleRequest } from '../mapping/jingle/jingle.ts';
import type { MediaSession } from '../mapping/model.ts';
import {
  jingleReasonForSipStatus,
  reasonForGatewayError,
  sipForJingleReason,
  sipQuotedString,
  type ReasonInfo,
} from '../mapping/reasons.ts';
import { jingleOfferToSdp, type JingleOffer } from '../mapping/translate/jingle-offer.ts';
import { sdpAnswerToJingle, sdpEarlyAnswerToJingle } from '../mapping/translate/sdp-answer.ts';
import type { OutgoingInvite, SipDialog } from '../sip/dialog-types.ts';
import type { SipResponse } from '../sip/message.ts';
import { afterReply, Call } from './call.ts';
import { CallState, isPending } from './call-state.ts';
import type { GatewayContext } from './context.ts';
import { jingleSet, sessionRinging, sessionTerminate } from './stanzas.ts';
import { hasSdpBody, outcomeForStatus, uriTransport, warningCodes } from './sip-util.ts';

/**
 * spec §10: an INVITE whose c=/m= still say 0.0.0.0/9 makes SIP phones drop ICE, so a caller that
 * trickles (session-initiate without candidates) has its INVITE held until transport-info brings
 * a candidate for every ICE content, or this long at most [RFC 8838 §3; X176 §5.5].
 */
export const TRICKLE_WAIT_MS = 2000;

export class OutboundCall extends Call {
  private invite: OutgoingInvite | undefined;
  private ringingSent = false;
  private offer: JingleOffer;
  private readonly media: MediaSession;

  private constructor(
    ctx: GatewayContext,
    sid: string,
    initiator: string,
    calleeJid: string,
    private readonly calleeUri: string,
    offer: JingleOffer,
    private readonly identity: { name: string; uri: string; user: string },
  ) {
    super(ctx, 'xmpp-to-sip', `${sid}@${ctx.config.sip.domain}`, sid, calleeJid, initiator);
    this.offer = offer;
    this.media = offer.session;
    ctx.registry.bindJingle(this, initiator, sid);
  }

  /**
   * Handles a session-initiate; returning sends the IQ result, and the INVITE follows it
   * (assertion 85). Throws GatewayError for an IQ error.
   */
  static start(ctx: GatewayContext, iq: Element, jingleEl: Element): void {
    const from = iq.attrs.from ?? '';
    const to = iq.attrs.to ?? '';
    ctx.authorizer.checkCaller(from);
    if (ctx.isDraining()) throw new GatewayError('gateway-draining', 'the gateway is shutting down');
    // Load shedding before any work on the offer [RFC 6120 §8.3.3.18: resource-constraint, wait].
    const admission = ctx.admission.admit('xmpp-to-sip');
    if (!admission.admitted) {
      throw new GatewayError(
        'gateway-overloaded',
        `the gateway is overloaded: try again in ${String(admission.retryAfterSeconds)} s`,
      );
    }
    let request;
    try {
      request = parseJingle(jingleEl);
    } catch (err) {
      const sid = jingleEl.attrs.sid;
      if (!isGatewayError(err) || err.entry.xmpp.disposition !== 'terminate' || sid === undefined) throw err;
      ctx.observer.mappingError(err.code);
      afterReply(
        () => void ctx.xmpp.send(sessionTerminate(to, from, sid, reasonForGatewayError(err))).catch(() => undefined),
      );
      return;
    }
    const { sid } = request;
    // X166 §7.2.10: a second session-initiate for a live session is out of order.
    if (ctx.registry.findByJingle(from, sid) !== undefined)
      throw new GatewayError('out-of-order', `session ${sid} exists`);
    const calleeUri = calleeUriFromJid(to, ctx.address);
    const identity = callerIdentityForJid(from, ctx.address);
    let offer: JingleOffer;
    try {
      offer = jingleOfferToSdp(requireMediaSession(request.session), ctx.translate, ctx.ids, {
        sessionId: ctx.ids.sessionId(),
        sessionVersion: 1,
        address: '0.0.0.0',
      });
    } catch (err) {
      if (!isGatewayError(err) || err.entry.xmpp.disposition !== 'terminate') throw err;
      ctx.observer.mappingError(err.code);
      afterReply(
        () => void ctx.xmpp.send(sessionTerminate(to, from, sid, reasonForGatewayError(err))).catch(() => undefined),
      );
      return;
    }
    // Dial plan and per-user limits last: only a call that would send an INVITE uses up the rate.
    ctx.authorizer.authorizeCall(from, calleeUri);
    // The gateway answers as the responder it names (X166 §7.1: a full JID), so `from` and
    // `responder` of everything it sends for this session agree (spec §7.4 step 5).
    const call = new OutboundCall(ctx, sid, from, responderJidForCallee(to), calleeUri, offer, {
      name: sipQuotedString(identity.displayName),
      uri: identity.uri,
      user: identity.user,
    });
    call.log.info({ from, to: calleeUri }, 'XMPP call to SIP');
    afterReply(() => {
      call.post(() => {
        if (!call.missingCandidates()) {
          call.sendInvite();
          return;
        }
        call.log.debug('waiting for trickled candidates before the INVITE');
        call.setTimer(TRICKLE_WAIT_MS, async () => {
          if (call.state === CallState.Initiating) await call.sendInviteWithCandidates();
        });
      });
    });
  }

  /** An ICE content without a candidate yet (the caller trickles). */
  private missingCandidates(): boolean {
    return this.media.contents.some((c) => c.transport.kind === 'ice-udp' && c.transport.candidates.length === 0);
  }

  /** Candidates trickled before the INVITE join their contents (matched by content name). */
  protected override onXmppTransportInfo(request: JingleRequest): void {
    if (this.state !== CallState.Initiating) return;
    for (const content of request.session.contents) {
      const target = this.media.contents.find((c) => c.name === content.name);
      if (target?.transport.kind !== 'ice-udp' || content.transport?.kind !== 'ice-udp') continue;
      target.transport.candidates.push(...content.transport.candidates);
    }
    if (!this.missingCandidates()) {
      afterReply(() => {
        this.post(() => this.sendInviteWithCandidates());
      });
    }
  }

  /** Re-maps the offer with the gathered candidates, then sends the INVITE. */
  private async sendInviteWithCandidates(): Promise<void> {
    if (this.state !== CallState.Initiating) return;
    try {
      this.offer = jingleOfferToSdp(this.media, this.ctx.translate, this.ctx.ids, this.offer.origin);
    } catch (err) {
      if (!isGatewayError(err)) throw err;
      this.ctx.observer.mappingError(err.code);
      await this.terminateXmpp(reasonForGatewayError(err));
      this.finish('failed');
      return;
    }
    this.sendInvite();
  }

  private sendInvite(): void {
    this.moveTo(CallState.Calling);
    const nextHop = this.ctx.config.sip.outboundProxy;
    this.localSdp = this.offer.sdp;
    this.invite = this.ctx.sip.invite(
      {
        requestUri: this.calleeUri,
        from: { name: this.identity.name, uri: this.identity.uri },
        to: { uri: this.calleeUri },
        callId: this.callId,
        contact: this.ctx.contactUri(this.identity.user, uriTransport(nextHop ?? this.calleeUri)),
        sdp: this.offer.sdp,
        nextHop,
      },
      {
        provisional: (response) => {
          this.post(() => this.onProvisional(response));
        },
        accepted: (dialog, response) => {
          this.queue.post(() => this.onAccepted(dialog, response));
        },
        rejected: (response, info) => {
          this.post(() => this.onRejected(response, info?.authenticated === true));
        },
      },
    );
    this.setTimer(this.ctx.config.jingle.ringTimeoutMs, () => this.onNoAnswer());
  }

  /**
   * No final response within `jingle.ringTimeoutMs`. Timer B stops at the first provisional
   * [RFC 3261 §17.1.1.2], so a callee that rang and fell silent would keep the call for ever; a
   * proxy gives up after Timer C [RFC 3261 §16.6 step 11], a UAC has to give up itself: CANCEL
   * [RFC 3261 §9.1] with `Reason: SIP ;cause=408` and `<timeout/>` to the caller (spec §6.3).
   */
  private async onNoAnswer(): Promise<void> {
    if (!isPending(this.state)) return;
    this.log.info({ ringTimeoutMs: this.ctx.config.jingle.ringTimeoutMs }, 'SIP callee did not answer: cancelling');
    const reason: ReasonInfo = { reason: 'timeout' };
    this.endSip(reason);
    await this.terminateXmpp(reason);
    this.finish('timeout', reason);
  }

  /** 180, 183 without SDP → `<ringing/>`; 183 with SDP → early transport-info (spec §6.1, §3.5). */
  private async onProvisional(response: SipResponse): Promise<void> {
    if (this.state === CallState.Calling) this.moveTo(CallState.Ringing);
    if (hasSdpBody(response) && response.content !== undefined) {
      const early = sdpEarlyAnswerToJingle(response.content, this.offer, this.ctx.ids);
      if (early !== undefined && early.contents.length > 0) {
        await this.sendStanza(
          jingleSet(this.gatewayJid, this.peerJid, {
            action: 'transport-info',
            sid: this.sid,
            initiator: this.peerJid,
            session: early,
          }),
        );
        return;
      }
    }
    if (!this.ringingSent) {
      this.ringingSent = true;
      await this.sendStanza(sessionRinging(this.gatewayJid, this.peerJid, this.sid));
    }
  }

  private async onAccepted(dialog: SipDialog, response: SipResponse): Promise<void> {
    if (this.ended) return; // the dialog layer ends a 2xx after cancel() itself
    this.adoptDialog(dialog);
    this.remoteSdp = response.content;
    let answer;
    try {
      answer = sdpAnswerToJingle(response.content ?? '', this.offer, this.ctx.translate, this.ctx.ids);
    } catch (err) {
      if (!isGatewayError(err)) throw err;
      // spec §3.4: ACK (sent by the layer), BYE, session-terminate with the reason.
      this.ctx.observer.mappingError(err.code);
      this.log.warn({ code: err.code, err: err.message }, 'SIP answer refused');
      this.moveTo(CallState.Active);
      void dialog
        .request('BYE', {
          headers: { Reason: `SIP ;cause=${String(err.sipStatus)} ;text=${sipQuotedString(err.message)}` },
        })
        .catch(() => undefined);
      await this.terminateXmpp(reasonForGatewayError(err));
      this.finish('failed');
      return;
    }
    this.moveTo(CallState.Active);
    this.answered();
    const accept = jingleSet(this.gatewayJid, this.peerJid, {
      action: 'session-accept',
      sid: this.sid,
      initiator: this.peerJid,
      responder: this.gatewayJid,
      session: answer.session,
    });
    await this.sendStanza(accept);
    const second = answer.secondOffer;
    if (second !== undefined) {
      // spec §2.7: the RFC 5939 second offer, after the ACK of the first answer.
      this.localSdp = second.sdp;
      this.follow(
        dialog.request('INVITE', { body: second.sdp, contentType: 'application/sdp' }),
        (rs) => {
          if (rs.status >= 200 && rs.status < 300) this.remoteSdp = rs.content ?? this.remoteSdp;
          this.log.info({ status: rs.status }, 'capneg second offer answered');
        },
        (err) => {
          this.log.warn({ err }, 'capneg second offer failed');
        },
      );
    }
  }

  private async onRejected(response: SipResponse, authenticated: boolean): Promise<void> {
    // spec §6.4: 401/403/407 after the gateway's own digest attempt → security-error.
    const reason = jingleReasonForSipStatus(response.status, response.reason, warningCodes(response), {
      digestAttemptFailed: authenticated,
    });
    if (reason !== null) await this.terminateXmpp(reason);
    this.finish(outcomeForStatus(response.status));
  }

  protected onXmppTerminate(reason: ReasonInfo): void {
    this.endSip(reason);
    this.finish(this.state === CallState.Active ? 'answered' : 'cancelled');
  }

  protected async failFromXmpp(err: GatewayError): Promise<void> {
    this.ctx.observer.mappingError(err.code);
    const reason = reasonForGatewayError(err);
    this.endSip(reason);
    await this.terminateXmpp(reason);
    this.finish('failed');
  }

  async hangUp(reason: ReasonInfo): Promise<void> {
    this.endSip(reason);
    await this.terminateXmpp(reason);
    this.finish(this.state === CallState.Active ? 'answered' : 'cancelled');
  }

  /** Pending → CANCEL; active → BYE; both with the spec §6.3 Reason. */
  private endSip(reason: ReasonInfo): void {
    if (isPending(this.state)) {
      const termination = sipForJingleReason(reason.reason, 'initiator-pending', reason.text, reason.alternativeSid);
      this.invite?.cancel(termination.reasonHeader);
      return;
    }
    this.sendBye(reason);
  }
}
