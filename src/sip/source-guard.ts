/**
 * A SipPort that refuses requests before the user agent sees them: the seam for per-source
 * policy (allowed sources, rate limits). Wrapping the port, rather than hooking the user agent,
 * puts the check in front of everything the gateway does with a request — 100 Trying, dialog
 * and transaction matching, CANCEL lookup, OPTIONS — for every method, in and out of dialog.
 * Parsing and the stack's server transaction come first (npm `sip` owns them), so a refused
 * INVITE's response is retransmitted until its ACK and retransmitted requests are absorbed by
 * the transaction without reaching this guard again [RFC 3261 §17.2.1].
 */
import type { SipRemote, SipRequest } from './message.ts';
import type { IncomingSipRequest, SipPort } from './port.ts';

export interface SipRequestRefusal {
  status: number;
  /** Retry-After in seconds [RFC 3261 §20.33], e.g. with 503. */
  retryAfterSeconds?: number | undefined;
}

/** Undefined admits the request. */
export type SipAdmission = (remote: SipRemote, request: SipRequest) => SipRequestRefusal | undefined;

export function guardSipPort(port: SipPort, admit: SipAdmission): SipPort {
  return {
    listen: () => port.listen(),
    get listening() {
      return port.listening;
    },
    get addresses() {
      return port.addresses;
    },
    onRequest(handler) {
      port.onRequest((incoming: IncomingSipRequest) => {
        const refusal = admit(incoming.remote, incoming.request);
        if (refusal === undefined) {
          handler(incoming);
          return;
        }
        // An ACK gets no response [RFC 3261 §17.2.3]: a refused one is dropped.
        if (incoming.request.method === 'ACK') return;
        const response = port.makeResponse(incoming.request, refusal.status);
        if (refusal.retryAfterSeconds !== undefined)
          response.headers['retry-after'] = String(refusal.retryAfterSeconds);
        incoming.respond(response);
      });
    },
    sendRequest: (request, onResponse, nextHop) => port.sendRequest(request, onResponse, nextHop),
    sendAck: (ack, nextHop) => {
      port.sendAck(ack, nextHop);
    },
    makeResponse: (request, status, reason) => port.makeResponse(request, status, reason),
    close: () => port.close(),
  };
}
