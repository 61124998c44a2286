/**
 * The typed dialog layer's public surface [RFC 3261 §12–§15]: what the call state machine uses.
 * Implemented by `src/sip/user-agent.ts` on top of a SipPort.
 */
import type { SipNameAddr, SipRemote, SipRequest, SipResponse } from './message.ts';
import type { IncomingSipRequest } from './port.ts';

/** Extra headers by name, written as given (Supported, Reason, Warning, Allow, …). */
export type ExtraHeaders = Readonly<Record<string, string>>;

export interface OutgoingInviteOptions {
  requestUri: string;
  /** The layer adds the From tag. */
  from: Omit<SipNameAddr, 'params'> & { params?: SipNameAddr['params'] };
  to: Omit<SipNameAddr, 'params'> & { params?: SipNameAddr['params'] };
  callId: string;
  /** Contact URI of the gateway for this call. */
  contact: string;
  sdp: string;
  headers?: ExtraHeaders;
  /** Outbound proxy URI; the Request-URI stays unchanged [RFC 3261 §8.1.2]. */
  nextHop?: string | undefined;
}

export interface OutgoingInviteHandlers {
  /** 101–199; 100 is absorbed by the layer. */
  provisional(response: SipResponse): void;
  /** The first 2xx; the layer has sent the ACK and ACKs retransmissions itself [RFC 3261 §13.2.2.4]. */
  accepted(dialog: SipDialog, response: SipResponse): void;
  /**
   * A final 3xx–6xx, or the stack's own 408 (Timer B) / 503 (transport). Not called after `cancel()`'s 487.
   * `authenticated`: the rejected INVITE carried the layer's answer to a 401/407 [RFC 3261 §22.2].
   */
  rejected(response: SipResponse, info?: { authenticated: boolean }): void;
}

export interface OutgoingInvite {
  readonly callId: string;
  /**
   * Ends the attempt [RFC 3261 §9.1]: CANCEL once a provisional has arrived (deferred until then),
   * with `reasonHeader` as its Reason. A 2xx that crosses the CANCEL is ACKed and answered with
   * BYE by the layer; no handler is called after `cancel()` [RFC 3261 §15].
   */
  cancel(reasonHeader?: string): void;
}

export interface IncomingInviteHandlers {
  /** The caller's CANCEL; the layer has answered 200 to it and 487 to the INVITE [RFC 3261 §9.2]. */
  cancelled(cancel: SipRequest): void;
}

export interface IncomingInvite {
  readonly request: SipRequest;
  readonly remote: SipRemote;
  readonly callId: string;
  /** Installs the handlers; call at most once, right after receiving the invite. */
  handle(handlers: IncomingInviteHandlers): void;
  /** 180/183 with the layer's To tag (early dialog) and optional SDP. */
  provisional(status: number, options?: { sdp?: string; headers?: ExtraHeaders }): void;
  /**
   * 200 OK with `sdp`, retransmitted at T1, 2·T1 … capped at T2 until the ACK arrives; after 64·T1
   * without ACK the layer sends BYE and the dialog ends [RFC 3261 §13.3.1.4, §14.2].
   */
  accept(sdp: string, options?: { headers?: ExtraHeaders }): SipDialog;
  /** A final 3xx–6xx. `reason` overrides the standard phrase. */
  reject(status: number, options?: { reason?: string; headers?: ExtraHeaders }): void;
  /** True once a final response was sent or the caller cancelled. */
  readonly finished: boolean;
}

export interface SipDialogHandlers {
  /**
   * An in-dialog request from the peer (BYE, INFO, re-INVITE, UPDATE, …). The layer already
   * checked CSeq order (500 for an out-of-order one, RFC 3261 §12.2.2) and answers ACK itself;
   * the handler must respond through `incoming.respond` (use `dialog.makeResponse`).
   */
  request(incoming: IncomingSipRequest): void;
  /** The dialog ended on its own: ACK never came, or BYE/INFO answered 481/408 [RFC 3261 §12.2.1.2]. */
  terminated(cause: 'ack-timeout' | 'request-failed'): void;
}

export interface SipDialog {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  /** Remote target (the peer's Contact) [RFC 3261 §12.1]. */
  readonly remoteTarget: string;
  readonly confirmed: boolean;
  handle(handlers: SipDialogHandlers): void;
  /**
   * Sends an in-dialog request with the next local CSeq and the route set [RFC 3261 §12.2.1.1];
   * resolves with the final response (for re-INVITE the layer has ACKed a 2xx).
   */
  request(
    method: string,
    options?: { body?: string; contentType?: string; headers?: ExtraHeaders },
  ): Promise<SipResponse>;
  /** Response to an in-dialog request carrying this dialog's To tag. */
  makeResponse(
    request: SipRequest,
    status: number,
    options?: { reason?: string; body?: string; contentType?: string; headers?: ExtraHeaders },
  ): SipResponse;
  /** Forgets the dialog (no request is sent). Idempotent. */
  close(): void;
}

export interface SipUserAgent {
  invite(options: OutgoingInviteOptions, handlers: OutgoingInviteHandlers): OutgoingInvite;
  /**
   * A new out-of-dialog INVITE after the layer's checks (Request-URI scheme, Content-Type, body
   * present are left to the handler). The layer has sent 100 Trying [RFC 3261 §8.2.6.1].
   */
  onInvite(handler: (invite: IncomingInvite) => void): void;
  /**
   * Out-of-dialog requests other than INVITE/CANCEL/ACK (OPTIONS, REGISTER, MESSAGE…). Without a
   * handler OPTIONS gets 200 and others 405. Requests for unknown dialogs get 481 from the layer.
   */
  onOutOfDialogRequest(handler: (incoming: IncomingSipRequest) => boolean): void;
  readonly activeDialogs: number;
  /** Closes the port; pending transactions end. Idempotent. */
  close(): Promise<void>;
}
