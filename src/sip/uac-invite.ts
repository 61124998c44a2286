/**
 * The gateway's outgoing INVITE (UAC core, RFC 3261 §13.2) and its CANCEL (§9.1).
 *
 *   Calling ──1xx──▶ Proceeding ──2xx (ACK)──▶ Accepted
 *     │                 │  └──3xx–6xx──▶ Terminated (rejected handler)
 *     │ cancel()        │ cancel(): CANCEL
 *     ▼                 ▼
 *   CancelPending ─1xx: CANCEL─▶ Cancelling ──final (487 …) / 64·T1──▶ Terminated (silent)
 *     └──────────────── 2xx (crossing): ACK + BYE ───────────────────▶ Terminated (silent)
 *
 * Calling also goes straight to Accepted or Terminated on a final response. A first 401/407
 * (Calling or Proceeding) answered with credentials starts a new INVITE transaction, same
 * Call-ID and From tag, next CSeq, back in Calling [RFC 3261 §22.2]; a second one is final. Whatever the state,
 * every 2xx is ACKed (retransmissions included) and a 2xx from a second fork, or one that arrives
 * after cancel(), gets ACK and BYE [RFC 3261 §13.2.2.4, §15].
 */
import type { OutgoingInvite, OutgoingInviteHandlers, OutgoingInviteOptions } from './dialog-types.ts';
import { Dialog } from './dialog.ts';
import { answerChallenge } from './digest.ts';
import { applyExtraHeaders, displayName, initialMaxForwards, newTag, tagOf } from './headers.ts';
import type { SipHeaders, SipNameAddr, SipRequest, SipResponse } from './message.ts';
import type { SipClientTransaction } from './port.ts';
import type { UaContext } from './ua-context.ts';

export enum UacInviteState {
  Calling = 'calling',
  Proceeding = 'proceeding',
  CancelPending = 'cancel-pending',
  Cancelling = 'cancelling',
  Accepted = 'accepted',
  Terminated = 'terminated',
}

const allowedFrom: Readonly<Record<UacInviteState, readonly UacInviteState[]>> = {
  [UacInviteState.Calling]: [UacInviteState.Proceeding], // retry after a digest challenge
  [UacInviteState.Proceeding]: [UacInviteState.Calling],
  [UacInviteState.CancelPending]: [UacInviteState.Calling],
  [UacInviteState.Cancelling]: [UacInviteState.Proceeding, UacInviteState.CancelPending],
  [UacInviteState.Accepted]: [UacInviteState.Calling, UacInviteState.Proceeding],
  [UacInviteState.Terminated]: [
    UacInviteState.Calling,
    UacInviteState.Proceeding,
    UacInviteState.CancelPending,
    UacInviteState.Cancelling,
  ],
};

/** First CSeq of an INVITE the gateway starts (any value below 2^31, RFC 3261 §8.1.1.5). */
const initialCSeq = 1;

function nameAddr(address: OutgoingInviteOptions['to']): SipNameAddr {
  const name = displayName(address.name);
  return { ...(name !== undefined ? { name } : {}), uri: address.uri, params: { ...(address.params ?? {}) } };
}

export class UacInvite implements OutgoingInvite {
  readonly callId: string;
  private state = UacInviteState.Calling;
  private transaction: SipClientTransaction;
  /** The INVITE before the stack added Via and Route, the base of a retry with credentials. */
  private readonly initialRequest: SipRequest;
  /** Whether the current INVITE carries our answer to a challenge (a second 401/407 is final). */
  private authenticated = false;
  /** Bumped per INVITE sent; responses of an earlier, challenged transaction are ignored. */
  private attempt = 0;
  /** ACK per To tag, re-sent for every retransmitted 2xx. */
  private readonly acks = new Map<string, SipRequest>();
  private cancelReason: string | undefined;
  private cancelTimer: NodeJS.Timeout | undefined;
  /**
   * Dropped once no handler can be called any more (accepted, cancelled, terminated): the stack
   * keeps this object for the transaction's lifetime (Timer D/M, 32 s), the handlers close over
   * the whole call.
   */
  private handlers: OutgoingInviteHandlers | undefined;

  constructor(
    private readonly ctx: UaContext,
    private readonly options: OutgoingInviteOptions,
    handlers: OutgoingInviteHandlers,
  ) {
    this.handlers = handlers;
    this.callId = options.callId;
    // RFC 3261 §8.1.1: To without tag, From with a fresh tag, Call-ID, CSeq, Max-Forwards, Via
    // (added by the stack), Contact [§8.1.1.8]; Allow and Supported [§20.5, §20.37].
    const headers: SipHeaders = {
      to: nameAddr(options.to),
      from: { ...nameAddr(options.from), params: { ...(options.from.params ?? {}), tag: newTag() } },
      'call-id': options.callId,
      cseq: { seq: initialCSeq, method: 'INVITE' },
      'max-forwards': initialMaxForwards,
      contact: [{ uri: options.contact, params: {} }],
    };
    ctx.addCapabilities(headers);
    ctx.addUserAgent(headers, 'request');
    applyExtraHeaders(headers, options.headers);
    headers['content-type'] = 'application/sdp';
    const request: SipRequest = { method: 'INVITE', uri: options.requestUri, headers, content: options.sdp };
    this.initialRequest = structuredClone(request);
    this.transaction = this.send(request);
  }

  private send(request: SipRequest): SipClientTransaction {
    const attempt = ++this.attempt;
    return this.ctx.port.sendRequest(
      request,
      (response) => {
        if (attempt === this.attempt) this.onResponse(response);
      },
      this.options.nextHop,
    );
  }

  /**
   * RFC 3261 §22.2: the first 401/407 is answered with the same INVITE, CSeq + 1 and the
   * credentials (the client transaction ACKed the challenge, §17.1.1.3). False when there is
   * nothing to answer with.
   */
  private retryWithCredentials(response: SipResponse): boolean {
    const credentials = this.ctx.credentials;
    if (credentials === undefined || this.authenticated) return false;
    const previous = this.transaction.request;
    const answer = answerChallenge(credentials, response, 'INVITE', previous.uri);
    if (answer === undefined) return false;
    // From the INVITE as built: the stack adds Via (new branch, new transaction) and Route itself.
    const request = structuredClone(this.initialRequest);
    request.headers.cseq = { seq: previous.headers.cseq.seq + 1, method: 'INVITE' };
    request.headers[answer.name] = [answer.value];
    this.authenticated = true;
    if (this.state === UacInviteState.Proceeding) this.transition(UacInviteState.Calling);
    this.ctx.logger?.debug({ callId: this.callId, status: response.status }, 'SIP INVITE challenged: retrying');
    this.transaction = this.send(request);
    return true;
  }

  get currentState(): UacInviteState {
    return this.state;
  }

  private transition(to: UacInviteState): void {
    if (!allowedFrom[to].includes(this.state)) {
      throw new Error(`SIP INVITE ${this.callId}: no transition ${this.state} → ${to}`);
    }
    this.state = to;
    if (to !== UacInviteState.Calling && to !== UacInviteState.Proceeding) this.handlers = undefined;
    if (to === UacInviteState.Terminated) this.ctx.clearTimer(this.cancelTimer);
  }

  cancel(reasonHeader?: string): void {
    this.cancelReason = reasonHeader;
    switch (this.state) {
      case UacInviteState.Calling:
        // RFC 3261 §9.1: no CANCEL before a provisional response; it waits for one.
        this.transition(UacInviteState.CancelPending);
        return;
      case UacInviteState.Proceeding:
        this.sendCancel();
        return;
      default:
        this.ctx.logger?.debug({ callId: this.callId, state: this.state }, 'SIP cancel() ignored');
    }
  }

  /** RFC 3261 §9.1: CANCEL copies Request-URI, Call-ID, To, From, the top Via and Route of the INVITE. */
  private sendCancel(): void {
    this.transition(UacInviteState.Cancelling);
    const invite = this.transaction.request;
    const via = invite.headers.via?.[0];
    const headers: SipHeaders = {
      via: via === undefined ? [] : [{ ...via, params: { ...via.params } }],
      to: invite.headers.to,
      from: invite.headers.from,
      'call-id': invite.headers['call-id'],
      cseq: { seq: invite.headers.cseq.seq, method: 'CANCEL' },
      'max-forwards': initialMaxForwards,
    };
    const route = invite.headers.route;
    if (route !== undefined && route.length > 0) headers.route = route;
    // RFC 3326 §2: the reason of the cancellation.
    if (this.cancelReason !== undefined) headers.reason = this.cancelReason;
    this.ctx.addUserAgent(headers, 'request');
    const cancel: SipRequest = { method: 'CANCEL', uri: invite.uri, headers };
    this.ctx.port.sendRequest(cancel, (response) => {
      if (response.status >= 200)
        this.ctx.logger?.debug({ callId: this.callId, status: response.status }, 'SIP CANCEL answered');
    });
    // RFC 3261 §9.1: no final response within 64·T1 of the CANCEL → the INVITE is given up.
    this.cancelTimer = this.ctx.setTimer(() => {
      if (this.state === UacInviteState.Cancelling) this.transition(UacInviteState.Terminated);
    }, this.ctx.transactionTimeoutMs);
  }

  private onResponse(response: SipResponse): void {
    if (response.status < 200) this.onProvisional(response);
    else if (response.status < 300) this.onSuccess(response);
    else this.onFailure(response);
  }

  private onProvisional(response: SipResponse): void {
    if (this.state === UacInviteState.Calling) this.transition(UacInviteState.Proceeding);
    if (this.state === UacInviteState.CancelPending) {
      this.sendCancel();
      return;
    }
    // 100 Trying is hop-by-hop and absorbed [RFC 3261 §8.1.3.2].
    if (response.status > 100 && this.state === UacInviteState.Proceeding) {
      this.ctx.callHandler('provisional', () => {
        this.handlers?.provisional(response);
      });
    }
  }

  /** A 3xx–6xx; the client transaction has ACKed it [RFC 3261 §17.1.1.3]. */
  private onFailure(response: SipResponse): void {
    switch (this.state) {
      case UacInviteState.Calling:
      case UacInviteState.Proceeding: {
        if (this.retryWithCredentials(response)) return;
        const handlers = this.handlers;
        this.transition(UacInviteState.Terminated);
        const authenticated = this.authenticated;
        this.ctx.callHandler('rejected', () => {
          handlers?.rejected(response, { authenticated });
        });
        return;
      }
      case UacInviteState.CancelPending:
      case UacInviteState.Cancelling:
        // The 487 of our CANCEL (or any final that crossed it): nothing more to say.
        this.transition(UacInviteState.Terminated);
        return;
      default:
        return;
    }
  }

  private onSuccess(response: SipResponse): void {
    const toTag = tagOf(response.headers.to) ?? '';
    const knownAck = this.acks.get(toTag);
    if (knownAck !== undefined) {
      this.ctx.port.sendAck(knownAck); // retransmitted 2xx [RFC 3261 §13.2.2.4]
      return;
    }
    const dialog = this.createDialog(response);
    const ack = dialog.createAck(this.transaction.request.headers.cseq.seq);
    this.acks.set(toTag, ack);
    this.ctx.port.sendAck(ack);
    this.ctx.dialogs.add(dialog.key, dialog);
    if (this.state === UacInviteState.Calling || this.state === UacInviteState.Proceeding) {
      const handlers = this.handlers;
      this.transition(UacInviteState.Accepted);
      this.ctx.callHandler('accepted', () => {
        handlers?.accepted(dialog, response);
      });
      return;
    }
    // RFC 3261 §15 / §13.2.2.4: a 2xx after cancel(), or from another fork, is ACKed and ended.
    if (this.state === UacInviteState.CancelPending || this.state === UacInviteState.Cancelling) {
      this.transition(UacInviteState.Terminated);
    }
    this.ctx.logger?.debug({ callId: this.callId, toTag }, 'SIP 2xx not wanted: ACK and BYE');
    const headers = this.cancelReason !== undefined ? { Reason: this.cancelReason } : undefined;
    dialog.request('BYE', headers !== undefined ? { headers } : {}).catch((error: unknown) => {
      this.ctx.logger?.debug({ err: error }, 'SIP BYE of an unwanted 2xx');
    });
  }

  /** RFC 3261 §12.1.2: the UAC's dialog state from a 2xx. */
  private createDialog(response: SipResponse): Dialog {
    const invite = this.transaction.request;
    const recordRoute = (response.headers['record-route'] ?? []).filter((entry) => entry.uri !== '');
    const contact = response.headers.contact?.[0]?.uri;
    if (contact === undefined)
      this.ctx.logger?.warn({ callId: this.callId }, 'SIP 2xx without Contact: using the Request-URI');
    return new Dialog(this.ctx, {
      role: 'uac',
      callId: this.callId,
      local: invite.headers.from,
      remote: response.headers.to,
      remoteTarget: contact ?? invite.uri,
      routeSet: [...recordRoute].reverse(),
      localSeq: invite.headers.cseq.seq,
      remoteSeq: undefined,
      localContact: this.options.contact,
    });
  }
}
