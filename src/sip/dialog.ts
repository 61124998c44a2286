/**
 * A SIP dialog [RFC 3261 §12]: its state (Call-ID, tags, CSeq numbers, route set, remote target),
 * in-dialog requests both ways, and the ACK of 2xx responses to INVITE.
 *
 *   UAS: accept() ──▶ AwaitingAck ──ACK, or 64·T1 (then BYE)──▶ Confirmed ──▶ Terminated
 *   UAC: 2xx + ACK ─────────────────────────────────────────────▶ Confirmed ──▶ Terminated
 *
 * Terminated is reached by close(), by the final response to a BYE either side sent, or by a
 * 481/408 to an in-dialog request; nothing leaves it. Re-INVITE handling (one INVITE transaction
 * at a time each way, 491/500 otherwise) is kept apart from this state [RFC 3261 §14].
 */
import type { ExtraHeaders, SipDialog, SipDialogHandlers } from './dialog-types.ts';
import { answerChallenge } from './digest.ts';
import { applyExtraHeaders, initialMaxForwards, isLooseRouter, tagOf, withTag } from './headers.ts';
import type { SipHeaders, SipNameAddr, SipRequest, SipResponse } from './message.ts';
import type { IncomingSipRequest } from './port.ts';
import { dialogKey, type UaContext } from './ua-context.ts';

export enum DialogState {
  AwaitingAck = 'awaiting-ack',
  Confirmed = 'confirmed',
  Terminated = 'terminated',
}

const allowedFrom: Readonly<Record<DialogState, readonly DialogState[]>> = {
  [DialogState.AwaitingAck]: [],
  [DialogState.Confirmed]: [DialogState.AwaitingAck],
  [DialogState.Terminated]: [DialogState.AwaitingAck, DialogState.Confirmed],
};

export interface DialogInit {
  role: 'uac' | 'uas';
  callId: string;
  /** Local URI with the local tag. */
  local: SipNameAddr;
  /** Remote URI with the remote tag. */
  remote: SipNameAddr;
  remoteTarget: string;
  routeSet: SipNameAddr[];
  localSeq: number;
  remoteSeq: number | undefined;
  localContact: string;
}

interface PendingIncomingInvite {
  branch: string | undefined;
  answered: boolean;
  incoming: IncomingSipRequest;
}

type ResponseOptions = { reason?: string; body?: string; contentType?: string; headers?: ExtraHeaders };

export class Dialog implements SipDialog {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  private state: DialogState;
  private remoteTargetUri: string;
  private localSeq: number;
  private remoteSeq: number | undefined;
  private handlers: SipDialogHandlers | undefined;
  private pendingAck: { seq: number; stop(): void } | undefined;
  private ackWaiters: (() => void)[] = [];
  private outgoingInvitePending = false;
  private incomingInvite: PendingIncomingInvite | undefined;
  private lastIncomingInviteBranch: string | undefined;
  private byeRequested = false;

  constructor(
    private readonly ctx: UaContext,
    private readonly init: DialogInit,
  ) {
    this.callId = init.callId;
    this.localTag = tagOf(init.local) ?? '';
    this.remoteTag = tagOf(init.remote) ?? '';
    this.remoteTargetUri = init.remoteTarget;
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.state = init.role === 'uas' ? DialogState.AwaitingAck : DialogState.Confirmed;
  }

  get key(): string {
    return dialogKey(this.callId, this.localTag, this.remoteTag);
  }

  get remoteTarget(): string {
    return this.remoteTargetUri;
  }

  get confirmed(): boolean {
    return this.state === DialogState.Confirmed;
  }

  get terminated(): boolean {
    return this.state === DialogState.Terminated;
  }

  private transition(to: DialogState): void {
    if (!allowedFrom[to].includes(this.state)) {
      throw new Error(`SIP dialog ${this.callId}: no transition ${this.state} → ${to}`);
    }
    this.state = to;
  }

  handle(handlers: SipDialogHandlers): void {
    this.handlers = handlers;
  }

  close(): void {
    if (this.state === DialogState.Terminated) return;
    this.transition(DialogState.Terminated);
    this.pendingAck?.stop();
    this.pendingAck = undefined;
    this.releaseAckWaiters();
    this.ctx.dialogs.remove(this.key);
    // The stack keeps this object while a BYE's transaction lives (Timer K/J); the handlers close
    // over the whole call, which has ended.
    this.handlers = undefined;
  }

  /** The dialog ended without its user asking: tell the user once. */
  private terminate(cause: 'ack-timeout' | 'request-failed'): void {
    if (this.state === DialogState.Terminated) return;
    const handlers = this.handlers;
    this.close();
    if (handlers !== undefined)
      this.ctx.callHandler('dialog terminated', () => {
        handlers.terminated(cause);
      });
  }

  // ---- requests the gateway sends -----------------------------------------------------------

  /**
   * RFC 3261 §12.2.1.1: Request-URI and Route from the route set; with a strict router first,
   * the Request-URI is that router and the remote target goes last in Route.
   */
  private requestTarget(): { uri: string; route: SipNameAddr[] } {
    const [first, ...rest] = this.init.routeSet;
    if (first === undefined || isLooseRouter(first.uri))
      return { uri: this.remoteTargetUri, route: [...this.init.routeSet] };
    return {
      // RFC 3261 §19.1.1 Table 1: method and headers are not allowed in a Request-URI.
      uri: first.uri.replace(/;method=[^;?>]*/gi, '').replace(/\?.*$/, ''),
      route: [...rest, { uri: this.remoteTargetUri, params: {} }],
    };
  }

  /** An in-dialog request with the given CSeq number [RFC 3261 §12.2.1.1]. */
  createRequest(
    method: string,
    seq: number,
    options: { body?: string; contentType?: string; headers?: ExtraHeaders } = {},
  ): SipRequest {
    const { uri, route } = this.requestTarget();
    const headers: SipHeaders = {
      to: withTag(this.init.remote, this.remoteTag),
      from: withTag(this.init.local, this.localTag),
      'call-id': this.callId,
      cseq: { seq, method },
      'max-forwards': initialMaxForwards,
    };
    if (route.length > 0) headers.route = route;
    // RFC 3261 §12.2.1.1 / RFC 3311 §5.1: target refresh requests carry Contact.
    if (method === 'INVITE' || method === 'UPDATE') headers.contact = [{ uri: this.init.localContact, params: {} }];
    if (method === 'INVITE') this.ctx.addCapabilities(headers);
    if (method !== 'ACK') this.ctx.addUserAgent(headers, 'request');
    applyExtraHeaders(headers, options.headers);
    const request: SipRequest = { method, uri, headers };
    if (options.body !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/sdp';
      request.content = options.body;
    }
    return request;
  }

  /** ACK for a 2xx to the INVITE with CSeq `seq`; a transaction of its own [RFC 3261 §13.2.2.4]. */
  createAck(seq: number): SipRequest {
    return this.createRequest('ACK', seq);
  }

  async request(
    method: string,
    options: { body?: string; contentType?: string; headers?: ExtraHeaders } = {},
  ): Promise<SipResponse> {
    const name = method.toUpperCase();
    if (name === 'ACK' || name === 'CANCEL') throw new Error(`SIP dialog: ${name} is sent by the dialog layer itself`);
    if (name === 'BYE') this.byeRequested = true;
    // RFC 3261 §15: the callee MUST NOT send BYE before the ACK of its 2xx (or its timeout);
    // §14.1: nor a re-INVITE while the INVITE transaction is not finished.
    if ((name === 'BYE' || name === 'INVITE') && this.state === DialogState.AwaitingAck) {
      await new Promise<void>((resolve) => this.ackWaiters.push(resolve));
    }
    if (this.state === DialogState.Terminated) throw new Error(`SIP dialog ${this.callId} is terminated`);
    if (name === 'INVITE') {
      if (this.outgoingInvitePending || this.incomingInvite !== undefined || this.pendingAck !== undefined) {
        throw new Error('SIP dialog: an INVITE transaction is already in progress (RFC 3261 §14.1)');
      }
      this.outgoingInvitePending = true;
    }
    this.localSeq += 1;
    const request = this.createRequest(name, this.localSeq, options);
    return new Promise<SipResponse>((resolve) => {
      const send = (request: SipRequest, authenticated: boolean): void => {
        let ack: SipRequest | undefined;
        let settled = false;
        this.ctx.port.sendRequest(request, (response) => {
          if (response.status < 200) return;
          if (name === 'INVITE' && response.status < 300) {
            // Every 2xx, retransmissions included, is ACKed [RFC 3261 §13.2.2.4].
            ack ??= this.createAck(request.headers.cseq.seq);
            this.ctx.port.sendAck(ack);
          }
          if (settled) return;
          settled = true;
          const retry = authenticated ? undefined : this.withCredentials(request, response, options);
          if (retry !== undefined) {
            send(retry, true);
            return;
          }
          this.onFinalResponse(name, response);
          resolve(response);
        });
      };
      send(request, false);
    });
  }

  /**
   * RFC 3261 §22.2: the first 401/407 to an in-dialog request is answered once with the
   * credentials, in a new request with the next CSeq (for a re-INVITE the transaction ACKed the
   * challenge, §17.1.1.3). Undefined when there are no credentials or nothing to answer.
   */
  private withCredentials(
    request: SipRequest,
    response: SipResponse,
    options: { body?: string; contentType?: string; headers?: ExtraHeaders },
  ): SipRequest | undefined {
    const credentials = this.ctx.credentials;
    // The call layer may forget the dialog right after its BYE: that BYE is still answered.
    if (credentials === undefined || (this.state === DialogState.Terminated && request.method !== 'BYE'))
      return undefined;
    const answer = answerChallenge(credentials, response, request.method, request.uri);
    if (answer === undefined) return undefined;
    this.localSeq += 1;
    // Built afresh (the stack adds Via and the outbound Route to what it sends).
    const retry = this.createRequest(request.method, this.localSeq, options);
    retry.headers[answer.name] = [answer.value];
    return retry;
  }

  private onFinalResponse(method: string, response: SipResponse): void {
    if (method === 'INVITE') this.outgoingInvitePending = false;
    const success = response.status >= 200 && response.status < 300;
    // RFC 3261 §12.2.1.2: a 2xx to a target refresh request replaces the remote target.
    const contact = response.headers.contact?.[0]?.uri;
    if (success && (method === 'INVITE' || method === 'UPDATE') && contact !== undefined && contact !== '*') {
      this.remoteTargetUri = contact;
    }
    // RFC 3261 §15.1.1: the dialog ends with the BYE, whatever its response.
    if (method === 'BYE') this.close();
    // RFC 3261 §12.2.1.2: 481 or 408 to an in-dialog request ends the dialog.
    else if (response.status === 481 || response.status === 408) this.terminate('request-failed');
  }

  // ---- the peer's requests ------------------------------------------------------------------

  /** ACK of a 2xx this dialog sent [RFC 3261 §13.3.1.4]. */
  receiveAck(ack: SipRequest): void {
    if (this.pendingAck === undefined || this.pendingAck.seq !== ack.headers.cseq.seq) return;
    this.pendingAck.stop();
    this.pendingAck = undefined;
    if (this.state === DialogState.AwaitingAck) this.transition(DialogState.Confirmed);
    this.releaseAckWaiters();
  }

  /** Starts retransmitting the 2xx to the INVITE with CSeq `seq` until its ACK. */
  awaitAck(seq: number, resend: () => void): void {
    const retransmission = this.ctx.retransmitUntilAck(resend, () => {
      this.ackTimedOut();
    });
    this.pendingAck = {
      seq,
      stop: () => {
        retransmission.stop();
      },
    };
  }

  private releaseAckWaiters(): void {
    for (const release of this.ackWaiters.splice(0)) release();
  }

  /** RFC 3261 §13.3.1.4: no ACK after 64·T1 → the dialog is confirmed, then ended with BYE. */
  private ackTimedOut(): void {
    this.pendingAck = undefined;
    this.ctx.logger?.warn({ callId: this.callId }, 'SIP: no ACK for 2xx within 64*T1, sending BYE');
    if (this.state === DialogState.AwaitingAck) this.transition(DialogState.Confirmed);
    const userBye = this.byeRequested;
    this.releaseAckWaiters();
    if (userBye) return; // the user's own BYE goes out now
    this.request('BYE').catch((error: unknown) => this.ctx.logger?.debug({ err: error }, 'SIP BYE after ACK timeout'));
    this.terminate('ack-timeout');
  }

  receive(incoming: IncomingSipRequest): void {
    const { request } = incoming;
    if (request.method === 'CANCEL') {
      this.receiveCancel(incoming);
      return;
    }
    // RFC 3261 §12.2.2: a CSeq lower than the remote sequence number is out of order → 500.
    const seq = request.headers.cseq.seq;
    if (this.remoteSeq !== undefined && seq < this.remoteSeq) {
      incoming.respond(this.makeResponse(request, 500, { reason: 'Out of Order CSeq' }));
      return;
    }
    this.remoteSeq = seq;
    if (request.method === 'INVITE') {
      // RFC 3261 §14.2: a re-INVITE while ours is pending → 491; while the peer's previous one
      // is pending → 500 with Retry-After (0–10 s).
      if (this.outgoingInvitePending) {
        incoming.respond(this.makeResponse(request, 491));
        return;
      }
      if (this.incomingInvite !== undefined || this.pendingAck !== undefined) {
        const headers = { 'Retry-After': String(Math.floor(Math.random() * 11)) };
        incoming.respond(this.makeResponse(request, 500, { headers }));
        return;
      }
    }
    const tracked = this.trackResponses(incoming);
    const handlers = this.handlers;
    if (handlers === undefined) {
      // No user yet: a BYE still ends the dialog; anything else is refused for now.
      if (request.method === 'BYE') tracked.respond(this.makeResponse(request, 200));
      else tracked.respond(this.makeResponse(request, 500, { headers: { 'Retry-After': '1' } }));
      return;
    }
    this.ctx.callHandler('dialog request', () => {
      handlers.request(tracked);
    });
  }

  /** Wraps `respond` so responses update the dialog: target refresh, 2xx retransmission, BYE. */
  private trackResponses(incoming: IncomingSipRequest): IncomingSipRequest {
    const { request } = incoming;
    const method = request.method;
    let finalSent = false;
    if (method === 'INVITE') {
      const branch = request.headers.via?.[0]?.params.branch;
      this.incomingInvite = { branch: typeof branch === 'string' ? branch : undefined, answered: false, incoming };
      this.lastIncomingInviteBranch = this.incomingInvite.branch;
    }
    if (method === 'BYE' && this.incomingInvite !== undefined && !this.incomingInvite.answered) {
      // RFC 3261 §15.1.2: pending requests of the dialog get 487 when BYE arrives.
      const pending = this.incomingInvite;
      pending.answered = true;
      this.incomingInvite = undefined;
      pending.incoming.respond(this.makeResponse(pending.incoming.request, 487));
    }
    const pending = this.incomingInvite;
    return {
      request,
      remote: incoming.remote,
      respond: (response) => {
        if (finalSent) return;
        if (method === 'INVITE' && pending !== undefined && pending.answered) return; // cancelled
        incoming.respond(response);
        if (response.status < 200) return;
        finalSent = true;
        const success = response.status < 300;
        const contact = request.headers.contact?.[0]?.uri;
        // RFC 3261 §12.2.2: an accepted target refresh request replaces the remote target.
        if (success && (method === 'INVITE' || method === 'UPDATE') && contact !== undefined && contact !== '*') {
          this.remoteTargetUri = contact;
        }
        if (method === 'INVITE' && pending !== undefined) {
          pending.answered = true;
          this.incomingInvite = undefined;
          if (success)
            this.awaitAck(request.headers.cseq.seq, () => {
              incoming.respond(response);
            });
        }
        if (method === 'BYE' && success) this.close();
      },
    };
  }

  /** CANCEL of a re-INVITE [RFC 3261 §9.2]: 487 when still pending, else no effect; unknown → 481. */
  private receiveCancel(incoming: IncomingSipRequest): void {
    const { request } = incoming;
    const branch = request.headers.via?.[0]?.params.branch;
    const pending = this.incomingInvite;
    if (pending !== undefined && pending.branch === branch && !pending.answered) {
      incoming.respond(this.makeResponse(request, 200));
      pending.answered = true;
      this.incomingInvite = undefined;
      pending.incoming.respond(this.makeResponse(pending.incoming.request, 487));
      return;
    }
    incoming.respond(this.makeResponse(request, branch === this.lastIncomingInviteBranch ? 200 : 481));
  }

  makeResponse(request: SipRequest, status: number, options: ResponseOptions = {}): SipResponse {
    const response = this.ctx.port.makeResponse(request, status, options.reason);
    const headers = response.headers;
    headers.to = withTag(headers.to, this.localTag);
    const refresh = request.method === 'INVITE' || request.method === 'UPDATE';
    if (refresh && status > 100 && status < 300) headers.contact = [{ uri: this.init.localContact, params: {} }];
    if ((request.method === 'INVITE' && status >= 200 && status < 300) || status === 405)
      this.ctx.addCapabilities(headers);
    this.ctx.addUserAgent(headers, 'response');
    applyExtraHeaders(headers, options.headers);
    if (options.body !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/sdp';
      response.content = options.body;
    }
    return response;
  }
}
