/**
 * Loopback SIP peers for the SIP layer's tests. The gateway side binds 127.0.0.2, peers bind
 * 127.0.0.1 (npm `sip` answers 404 itself for a next hop on its own address), ports are free
 * ports picked at listen time. A peer is a bare SipPort driven message by message by the test.
 */
import { randomBytes } from 'node:crypto';
import type { SipRequest, SipResponse } from '../../src/sip/message.ts';
import type { IncomingSipRequest, SipPort } from '../../src/sip/port.ts';
import { createSipStack, type SipListenTransport } from '../../src/sip/stack.ts';

export const gatewayHost = '127.0.0.2';
export const peerHost = '127.0.0.1';

/** Items in arrival order; `next` waits for the first one matching, failing after `timeoutMs`. */
export class Inbox<T> {
  private readonly items: T[] = [];
  private readonly waiters: { match: (item: T) => boolean; resolve: (item: T) => void }[] = [];

  push(item: T): void {
    const index = this.waiters.findIndex((waiter) => waiter.match(item));
    if (index >= 0) {
      const [waiter] = this.waiters.splice(index, 1);
      waiter!.resolve(item);
      return;
    }
    this.items.push(item);
  }

  /** Forgets the items received and not taken. */
  clear(): void {
    this.items.length = 0;
  }

  /** Items received and not taken yet. */
  get pending(): readonly T[] {
    return this.items;
  }

  next(match: (item: T) => boolean = () => true, timeoutMs = 4000): Promise<T> {
    const index = this.items.findIndex(match);
    if (index >= 0) return Promise.resolve(this.items.splice(index, 1)[0]!);
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        match,
        resolve: (item: T) => {
          clearTimeout(timer);
          resolve(item);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`nothing matching arrived within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }
}

export async function startPort(
  host: string,
  transports: readonly SipListenTransport[] = ['udp', 'tcp'],
): Promise<SipPort> {
  const port = createSipStack({ listen: transports.map((transport) => ({ transport, host, port: 0 })) });
  await port.listen();
  return port;
}

export function portOf(port: SipPort, transport: SipListenTransport = 'udp'): number {
  return port.addresses.find((address) => address.transport === transport)!.port;
}

export function token(): string {
  return randomBytes(6).toString('hex');
}

export const offer = [
  'v=0',
  'o=- 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 4000 RTP/AVP 0',
  '',
].join('\r\n');
export const answer = offer.replace('4000', '4002');

/** A peer: every request it receives lands in `requests`. */
export class Peer {
  readonly requests = new Inbox<IncomingSipRequest>();

  private constructor(readonly port: SipPort) {
    port.onRequest((incoming) => {
      this.requests.push(incoming);
    });
  }

  static async start(transports: readonly SipListenTransport[] = ['udp', 'tcp']): Promise<Peer> {
    return new Peer(await startPort(peerHost, transports));
  }

  uri(user: string, transport: SipListenTransport = 'udp'): string {
    const param = transport === 'udp' ? '' : `;transport=${transport}`;
    return `sip:${user}@${peerHost}:${portOf(this.port, transport)}${param}`;
  }

  nextRequest(method: string, timeoutMs?: number): Promise<IncomingSipRequest> {
    return this.requests.next((incoming) => incoming.request.method === method, timeoutMs);
  }

  /** A response to `request` with `toTag` and, for 1xx/2xx to INVITE, a Contact on this peer. */
  response(request: SipRequest, status: number, toTag: string, content?: string): SipResponse {
    const response = this.port.makeResponse(request, status);
    response.headers.to = { ...response.headers.to, params: { ...response.headers.to.params, tag: toTag } };
    if (request.method === 'INVITE' && status > 100 && status < 300) {
      response.headers.contact = [{ uri: this.uri('peer'), params: {} }];
    }
    if (content !== undefined) {
      response.headers['content-type'] = 'application/sdp';
      response.content = content;
    }
    return response;
  }

  /** An out-of-dialog request from this peer to `uri`. */
  request(
    method: string,
    uri: string,
    options: { toTag?: string; content?: string; headers?: Record<string, unknown> } = {},
  ): SipRequest {
    const request: SipRequest = {
      method,
      uri,
      headers: {
        to: { uri, params: options.toTag !== undefined ? { tag: options.toTag } : {} },
        from: { uri: `sip:peer@${peerHost}`, params: { tag: token() } },
        'call-id': `${token()}@${peerHost}`,
        cseq: { seq: 1, method },
        'max-forwards': 70,
        contact: [{ uri: this.uri('peer'), params: {} }],
        ...options.headers,
      },
    };
    if (options.content !== undefined) {
      request.headers['content-type'] = 'application/sdp';
      request.content = options.content;
    }
    return request;
  }

  /** Sends `request`; its responses land in the returned inbox, `sent` is the request as sent. */
  send(request: SipRequest): Inbox<SipResponse> & { sent: SipRequest } {
    const responses = new Inbox<SipResponse>();
    const transaction = this.port.sendRequest(request, (response) => {
      responses.push(response);
    });
    return Object.assign(responses, { sent: transaction.request });
  }

  /** ACK for a 2xx to `invite` [RFC 3261 §13.2.2.4] (no Record-Route in these tests). */
  ack(invite: SipRequest, ok: SipResponse): void {
    this.port.sendAck({
      method: 'ACK',
      uri: ok.headers.contact?.[0]?.uri ?? invite.uri,
      headers: {
        to: ok.headers.to,
        from: invite.headers.from,
        'call-id': invite.headers['call-id'],
        cseq: { seq: invite.headers.cseq.seq, method: 'ACK' },
        'max-forwards': 70,
      },
    });
  }

  /** An in-dialog request from this peer as UAS of the dialog `invite` created, its To tag `toTag`. */
  inDialogAsCallee(method: string, invite: SipRequest, toTag: string, seq: number): SipRequest {
    return {
      method,
      uri: invite.headers.contact?.[0]?.uri ?? invite.headers.from.uri,
      headers: {
        to: invite.headers.from,
        from: { ...invite.headers.to, params: { ...invite.headers.to.params, tag: toTag } },
        'call-id': invite.headers['call-id'],
        cseq: { seq, method },
        'max-forwards': 70,
      },
    };
  }

  /** An in-dialog request from this peer as UAC of the dialog `invite` / `ok` created. */
  inDialog(method: string, invite: SipRequest, ok: SipResponse, seq: number): SipRequest {
    return {
      method,
      uri: ok.headers.contact?.[0]?.uri ?? invite.uri,
      headers: {
        to: ok.headers.to,
        from: invite.headers.from,
        'call-id': invite.headers['call-id'],
        cseq: { seq, method },
        'max-forwards': 70,
      },
    };
  }

  close(): Promise<void> {
    return this.port.close();
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
