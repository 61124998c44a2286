/**
 * SipPort: the seam between the gateway's own dialog layer and a SIP stack that provides parsing,
 * transports (UDP/TCP/TLS) and RFC 3261 §17 transactions. `src/sip/stack.ts` implements it over
 * the npm `sip` package; another stack (drachtio-srf) can implement it later without touching
 * the dialog layer or the call state machine.
 */
import type { SipRemote, SipRequest, SipResponse } from './message.ts';

/** An out-of-transaction request delivered by the stack; `respond` goes through its server transaction. */
export interface IncomingSipRequest {
  readonly request: SipRequest;
  readonly remote: SipRemote;
  /** Sends a response on the request's server transaction (no-op for ACK). */
  respond(response: SipResponse): void;
}

export interface SipClientTransaction {
  /** The request as sent (Via branch filled in by the stack), needed to build a CANCEL [RFC 3261 §9.1]. */
  readonly request: SipRequest;
}

export interface SipPortEvents {
  request: (incoming: IncomingSipRequest) => void;
}

export interface SipPort {
  /** Resolves once every configured socket listens; rejects with the first bind error. */
  listen(): Promise<void>;
  readonly listening: boolean;
  /** The addresses actually bound (port 0 resolved), in configuration order. */
  readonly addresses: readonly { transport: 'udp' | 'tcp' | 'tls'; host: string; port: number }[];
  onRequest(handler: (incoming: IncomingSipRequest) => void): void;
  /**
   * Sends a request in a new client transaction (INVITE, CANCEL, BYE, …). `onResponse` sees every
   * response, including a locally generated 408 (Timer B/F) or 503 (transport failure). For
   * INVITE the stack sends the ACK for non-2xx itself [RFC 3261 §17.1.1.3]; 2xx responses,
   * retransmissions included, reach `onResponse` so the dialog layer can ACK them.
   * `nextHop` overrides the Request-URI / Route resolution (outbound proxy) [RFC 3261 §8.1.2].
   */
  sendRequest(request: SipRequest, onResponse: (response: SipResponse) => void, nextHop?: string): SipClientTransaction;
  /** Sends an ACK for a 2xx statelessly (it is its own transaction) [RFC 3261 §13.2.2.4]. */
  sendAck(ack: SipRequest, nextHop?: string): void;
  /** Builds a response to `request` copying Via, From, To, Call-ID and CSeq [RFC 3261 §8.2.6.2]. */
  makeResponse(request: SipRequest, status: number, reason?: string): SipResponse;
  /** Stops listening and ends every transaction. Idempotent. */
  close(): Promise<void>;
}
