/**
 * An INVITE the gateway received (UAS core, RFC 3261 §13.3) until its final response.
 *
 *   Proceeding ──accept(): 2xx──▶ Accepted   (the Dialog retransmits the 2xx until ACK)
 *       │ ├──reject(): 3xx–6xx──▶ Rejected
 *       │ └──CANCEL / BYE in the early dialog: 487──▶ Cancelled
 *       └──provisional(): 1xx, stays in Proceeding (early dialog, this To tag)
 *
 * Every state but Proceeding is final. One To tag is used for all responses [RFC 3261 §12.1.1].
 */
import type { ExtraHeaders, IncomingInvite, IncomingInviteHandlers } from './dialog-types.ts';
import { Dialog } from './dialog.ts';
import { applyExtraHeaders, newTag, tagOf, withTag } from './headers.ts';
import type { SipRemote, SipRequest, SipResponse } from './message.ts';
import type { IncomingSipRequest } from './port.ts';
import type { UaContext } from './ua-context.ts';

export enum UasInviteState {
  Proceeding = 'proceeding',
  Accepted = 'accepted',
  Rejected = 'rejected',
  Cancelled = 'cancelled',
}

const allowedFrom: Readonly<Record<UasInviteState, readonly UasInviteState[]>> = {
  [UasInviteState.Proceeding]: [],
  [UasInviteState.Accepted]: [UasInviteState.Proceeding],
  [UasInviteState.Rejected]: [UasInviteState.Proceeding],
  [UasInviteState.Cancelled]: [UasInviteState.Proceeding],
};

export class UasInvite implements IncomingInvite {
  readonly localTag = newTag();
  private state = UasInviteState.Proceeding;
  private handlers: IncomingInviteHandlers | undefined;
  private cancelRequest: SipRequest | undefined;

  constructor(
    private readonly ctx: UaContext,
    private readonly incoming: IncomingSipRequest,
    private readonly contact: string,
    private readonly onFinished: () => void,
  ) {}

  get request(): SipRequest {
    return this.incoming.request;
  }

  get remote(): SipRemote {
    return this.incoming.remote;
  }

  get callId(): string {
    return this.incoming.request.headers['call-id'];
  }

  get finished(): boolean {
    return this.state !== UasInviteState.Proceeding;
  }

  get currentState(): UasInviteState {
    return this.state;
  }

  /** The top Via branch, which a CANCEL for this INVITE repeats [RFC 3261 §9.2, §17.2.3]. */
  get branch(): string | undefined {
    const branch = this.request.headers.via?.[0]?.params.branch;
    return typeof branch === 'string' ? branch : undefined;
  }

  private transition(to: UasInviteState): void {
    if (!allowedFrom[to].includes(this.state)) {
      throw new Error(`SIP incoming INVITE ${this.callId}: no transition ${this.state} → ${to}`);
    }
    this.state = to;
    // Every other state is final: the handlers, and the call they close over, are not needed
    // while this object waits out the transaction's lifetime in the UA's table (Timer H/J).
    this.handlers = undefined;
    this.onFinished();
  }

  handle(handlers: IncomingInviteHandlers): void {
    if (!this.finished) this.handlers = handlers;
    const cancel = this.cancelRequest;
    // Cancelled before anyone listened: tell the new listener, after it has returned.
    if (cancel !== undefined)
      queueMicrotask(() => {
        this.ctx.callHandler('cancelled', () => {
          handlers.cancelled(cancel);
        });
      });
  }

  /** A request of the early dialog this INVITE's provisional responses created. */
  isEarlyDialogRequest(request: SipRequest): boolean {
    return (
      request.headers['call-id'] === this.callId &&
      tagOf(request.headers.to) === this.localTag &&
      tagOf(request.headers.from) === tagOf(this.request.headers.from)
    );
  }

  private response(
    status: number,
    options: { reason?: string; sdp?: string; headers?: ExtraHeaders } = {},
  ): SipResponse {
    const response = this.ctx.port.makeResponse(this.request, status, options.reason);
    const headers = response.headers;
    headers.to = withTag(headers.to, this.localTag);
    if (status > 100 && status < 300) {
      // RFC 3261 §12.1.1: responses that create a dialog carry Contact and the Record-Route.
      headers.contact = [{ uri: this.contact, params: {} }];
      const recordRoute = this.request.headers['record-route'];
      if (recordRoute !== undefined && recordRoute.length > 0) headers['record-route'] = recordRoute;
    }
    if ((status >= 200 && status < 300) || status === 405) this.ctx.addCapabilities(headers);
    this.ctx.addUserAgent(headers, 'response');
    applyExtraHeaders(headers, options.headers);
    if (options.sdp !== undefined) {
      headers['content-type'] = 'application/sdp';
      response.content = options.sdp;
    }
    return response;
  }

  provisional(status: number, options: { sdp?: string; headers?: ExtraHeaders } = {}): void {
    if (status <= 100 || status >= 200) throw new Error(`SIP provisional(): ${status} is not 101–199`);
    if (this.finished) {
      this.ctx.logger?.debug(
        { callId: this.callId, state: this.state },
        'SIP provisional() after the final response ignored',
      );
      return;
    }
    this.incoming.respond(this.response(status, options));
  }

  accept(sdp: string, options: { headers?: ExtraHeaders } = {}): Dialog {
    const dialog = this.createDialog();
    if (this.finished) {
      // A CANCEL got here first (the caller of accept() learns it through `cancelled`): the
      // dialog never existed, so a terminated one is returned.
      this.ctx.logger?.warn({ callId: this.callId, state: this.state }, 'SIP accept() after the final response');
      dialog.close();
      return dialog;
    }
    const response = this.response(200, {
      sdp,
      ...(options.headers !== undefined ? { headers: options.headers } : {}),
    });
    this.ctx.dialogs.add(dialog.key, dialog);
    this.transition(UasInviteState.Accepted);
    this.incoming.respond(response);
    // RFC 3261 §13.3.1.4: the 2xx is retransmitted by the UAS core until the ACK arrives.
    dialog.awaitAck(this.request.headers.cseq.seq, () => {
      this.incoming.respond(response);
    });
    return dialog;
  }

  reject(status: number, options: { reason?: string; headers?: ExtraHeaders } = {}): void {
    if (status < 300 || status > 699) throw new Error(`SIP reject(): ${status} is not 300–699`);
    if (this.finished) {
      this.ctx.logger?.debug(
        { callId: this.callId, state: this.state },
        'SIP reject() after the final response ignored',
      );
      return;
    }
    this.transition(UasInviteState.Rejected);
    this.incoming.respond(this.response(status, options));
  }

  /**
   * The caller's CANCEL (or BYE in the early dialog, RFC 3261 §15): 487 to the INVITE and the
   * `cancelled` handler. The UA answered the CANCEL/BYE itself.
   */
  cancel(request: SipRequest): void {
    if (this.finished) return;
    const handlers = this.handlers;
    this.transition(UasInviteState.Cancelled);
    this.cancelRequest = request;
    this.incoming.respond(this.response(487));
    if (handlers !== undefined)
      this.ctx.callHandler('cancelled', () => {
        handlers.cancelled(request);
      });
  }

  /** RFC 3261 §12.1.1: the UAS's dialog state from the INVITE. */
  private createDialog(): Dialog {
    const { headers } = this.request;
    return new Dialog(this.ctx, {
      role: 'uas',
      callId: this.callId,
      local: withTag(headers.to, this.localTag),
      remote: headers.from,
      remoteTarget: headers.contact?.[0]?.uri ?? headers.from.uri,
      routeSet: (headers['record-route'] ?? []).filter((entry) => entry.uri !== ''),
      localSeq: 0,
      remoteSeq: headers.cseq.seq,
      localContact: this.contact,
    });
  }
}
