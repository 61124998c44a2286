/**
 * SipPort over npm `sip` 0.0.6: parsing, UDP/TCP/TLS transports and RFC 3261 §17 transactions.
 * One `sip.create` stack per configured host:port, carrying the transports listed for it.
 *
 * What the library does, and what this adapter does about it:
 * - Next hop. `sip` sends a request to its first Route, or its Request-URI, and answers 404 itself
 *   when that host equals its own address (it takes the URI for one of its "flow" URIs). This
 *   adapter picks the destination itself (outbound proxy, Route, Request-URI; RFC 3263 through
 *   `sip.resolve` for names) and puts a flow URI naming it in front of the Route set; `sip`
 *   recognises its own host there, removes that entry before writing the message and sends to
 *   the flow. Request-URI and the Route headers on the wire stay as the dialog layer made them,
 *   and a peer on the gateway's own address is reachable.
 * - The stack answering a request is the one that received it (its server transaction); a new
 *   request goes out on a stack that has the target's transport.
 * - Sockets. See stack-sockets.ts: bind errors reject `listen()`, never crash the process; a
 *   port 0 is resolved before binding; `close()` also ends TCP/TLS connections.
 * - Timers are the library's, fixed at T1 = 500 ms: Timer B/F 32 s, INVITE server 2xx state
 *   32 s. Timer E (non-INVITE retransmissions over UDP) and Timer G double without the T2
 *   cap of RFC 3261 §17.1.2.2 / §17.2.1: 0.5, 1, 2, 4, 8, 16 s, i.e. fewer retransmissions than
 *   the RFC asks for on a lossy path. There is no Timer C.
 * - Size and framing: every datagram and stream frame is screened before the library parses it
 *   (stack-limits.ts, `limits`): a message above `maxMessageBytes` gets 513 [RFC 3261 §21.4.11],
 *   an over-long header field, too many header fields, a bad Content-Length or a request missing
 *   what a transaction needs gets 400 with a reason phrase, what cannot be answered is dropped
 *   [RFC 3261 §18.3], and a stream that cannot be framed is closed.
 * - IPv6: the library's URI parser rejects IPv6 hosts, so only IPv4 addresses and names work.
 * - Messages are sent over UDP whatever their size (no switch to TCP above 1300 bytes, RFC 3261
 *   §18.1.1), because peers listening on UDP only are common.
 */
import * as sip from 'sip';
import type { SipLibFlow, SipLibMessage, SipLibNameAddr, SipLibUri } from 'sip';
import type { SipMessage, SipRemote, SipRequest, SipResponse, SipTransportName } from './message.ts';
import { isSipRequest } from './message.ts';
import type { IncomingSipRequest, SipClientTransaction, SipPort } from './port.ts';
import { defaultSipLimits, type SipLimits } from './stack-limits.ts';
import { captureConnections } from './stack-sockets.ts';
import { groupListeners, startStack, stopStack, type BoundStack, type SipListenTransport } from './stack-listen.ts';
import {
  defaultPort,
  isIpv4,
  looseRouteUri,
  messageFromWire,
  messageToWire,
  nextHopOf,
  type NextHop,
} from './stack-wire.ts';
import { newTag, reasonPhrase } from './headers.ts';
import type { SipLogger } from './logger.ts';

export { SipListenError, type SipListenTransport } from './stack-listen.ts';

export interface SipStackOptions {
  /** `sip.listen` of the configuration; port 0 picks a free port. IPv4 hosts only. */
  listen: readonly { transport: SipListenTransport; host: string; port: number }[];
  /** Key and certificate for TLS listeners and connections, passed to node:tls as given. */
  tls?: { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer | undefined } | undefined;
  /** Via host instead of the bound address (e.g. when binding 0.0.0.0). */
  publicAddress?: string | undefined;
  logger?: SipLogger | undefined;
  /** Every message received or sent (retransmissions too), as `sip` holds it, e.g. for metrics. */
  onMessage?: ((direction: 'in' | 'out', message: SipMessage) => void) | undefined;
  /** Input limits enforced before parsing; each defaults to `defaultSipLimits`. */
  limits?: Partial<SipLimits> | undefined;
  /** Same as `limits.maxMessageBytes` (kept for existing callers). */
  maxMessageBytes?: number | undefined;
}

interface Destination {
  stack: BoundStack;
  flow: SipLibFlow;
}

export function createSipStack(options: SipStackOptions): SipPort {
  const log = options.logger;
  const limits: SipLimits = {
    ...defaultSipLimits,
    ...definedLimits(options.limits),
    ...(options.maxMessageBytes !== undefined ? { maxMessageBytes: options.maxMessageBytes } : {}),
  };
  const { maxMessageBytes } = limits;
  const stacks: BoundStack[] = [];
  const addresses: { transport: SipListenTransport; host: string; port: number }[] = [];
  /** Where each pending INVITE went, by Call-ID and Via branch: its CANCEL follows it [RFC 3261 §9.1]. */
  const inviteDestinations = new Map<string, Destination>();
  let requestHandler: ((incoming: IncomingSipRequest) => void) | undefined;
  let state: 'idle' | 'listening' | 'closed' = 'idle';
  let closing: Promise<void> | undefined;

  const notify = (direction: 'in' | 'out', message: SipLibMessage, flow: SipLibFlow): void => {
    try {
      options.onMessage?.(direction, message as unknown as SipMessage);
      log?.trace({ direction, peer: `${flow.protocol} ${flow.address}:${flow.port}`, sip: message }, 'SIP message');
    } catch (error) {
      log?.error({ err: error }, 'SIP message hook failed');
    }
  };

  function respondOn(stack: BoundStack, response: SipResponse): void {
    if (state === 'closed') return;
    stack.lib.send(messageToWire(response));
  }

  /** Never throws into the library's receive callback: a failure is logged and answered 500. */
  function receive(
    stack: BoundStack,
    message: SipLibMessage,
    flow: SipLibFlow & { local: { address: string; port: number } },
  ): void {
    try {
      receiveRequest(stack, message, flow);
    } catch (error) {
      log?.error({ err: error }, 'SIP request could not be handled');
    }
  }

  function receiveRequest(
    stack: BoundStack,
    message: SipLibMessage,
    flow: SipLibFlow & { local: { address: string; port: number } },
  ): void {
    if (state !== 'listening') return;
    const request = messageFromWire(message);
    if (!isSipRequest(request)) return;
    const remote: SipRemote = {
      protocol: flow.protocol.toUpperCase() as SipTransportName,
      address: flow.address,
      port: flow.port,
      local: { address: flow.local.address, port: flow.local.port },
    };
    let finalSent = false;
    const incoming: IncomingSipRequest = {
      request,
      remote,
      respond(response) {
        if (request.method === 'ACK') return;
        if (response.status >= 200) finalSent = true;
        respondOn(stack, response);
      },
    };
    if (request.method !== 'ACK' && Buffer.byteLength(request.content ?? '', 'utf8') > maxMessageBytes) {
      incoming.respond(makeResponse(request, 513));
      return;
    }
    if (requestHandler === undefined) {
      incoming.respond(makeResponse(request, 503));
      return;
    }
    try {
      requestHandler(incoming);
    } catch (error) {
      log?.error({ err: error, method: request.method }, 'SIP request handler failed');
      if (!finalSent) incoming.respond(makeResponse(request, 500));
    }
  }

  function stackFor(transport: SipTransportName): BoundStack | undefined {
    return stacks.find((stack) => stack.transports.has(transport));
  }

  /** The destination of `hop`, resolved per RFC 3263 when it is a name. */
  function resolveHop(hop: NextHop, done: (destination: Destination | undefined) => void): void {
    const stack = stackFor(hop.transport);
    if (stack === undefined) {
      done(undefined);
      return;
    }
    const flowTo = (address: string, port: number): Destination => ({
      stack,
      flow: { protocol: hop.transport, address, port, local: { address: stack.host, port: stack.port } },
    });
    if (isIpv4(hop.host)) {
      done(flowTo(hop.host, hop.port ?? defaultPort(hop.transport)));
      return;
    }
    sip.resolve({ ...hop.uri, params: { ...hop.uri.params, transport: hop.transport.toLowerCase() } }, (found) => {
      const first = found.find(
        (address) => address.protocol.toUpperCase() === hop.transport && isIpv4(address.address),
      );
      done(first === undefined ? undefined : flowTo(first.address, first.port));
    });
  }

  /**
   * `encodeFlowUri` signs the flow with an HMAC on every call; the peers of a gateway are few
   * (trunks, proxies), so the signed URI is kept per flow. Bounded: a flood of distinct sources
   * only empties the cache.
   */
  const flowUris = new Map<string, SipLibUri>();
  function flowUriOf({ stack, flow }: Destination): SipLibUri {
    const key = `${String(stack.port)} ${flow.protocol} ${flow.address} ${String(flow.port)} ${flow.local?.address ?? ''} ${String(flow.local?.port ?? '')}`;
    let uri = flowUris.get(key);
    if (uri === undefined) {
      if (flowUris.size >= 1024) flowUris.clear();
      uri = stack.lib.encodeFlowUri(flow as SipLibFlow & { local: { address: string; port: number } });
      flowUris.set(key, uri);
    }
    return uri;
  }

  /** Sends `request` on `destination`; the flow URI in front of the Route set is consumed by `sip`. */
  function sendTo(destination: Destination, wire: SipLibMessage, callback?: (response: SipLibMessage) => void): void {
    const flowUri = { ...flowUriOf(destination), params: {} };
    const routes = (wire.headers.route as SipLibNameAddr[] | undefined) ?? [];
    wire.headers.route = [{ uri: flowUri, params: {} }, ...routes];
    captureConnections(destination.stack.sockets.streams, destination.stack.screen, () => {
      destination.stack.lib.send(wire, callback);
    });
  }

  function localFailure(request: SipRequest, status: number, onResponse: (response: SipResponse) => void): void {
    queueMicrotask(() => {
      onResponse(makeResponse(request, status));
    });
  }

  /** RFC 3261 §8.2.6.2: a response other than 100 gets a To tag when the request had none. */
  function makeResponse(request: SipRequest, status: number, reason?: string): SipResponse {
    const { headers } = request;
    const toParams = { ...headers.to.params };
    if (status > 100 && (typeof toParams.tag !== 'string' || toParams.tag === '')) toParams.tag = newTag();
    return {
      status,
      reason: reason ?? reasonPhrase(status),
      version: '2.0',
      headers: {
        via: (headers.via ?? []).map((via) => ({ ...via, params: { ...via.params } })),
        to: { ...headers.to, params: toParams },
        from: { ...headers.from, params: { ...headers.from.params } },
        'call-id': headers['call-id'],
        cseq: { ...headers.cseq },
      },
    };
  }

  const port: SipPort = {
    async listen() {
      if (state !== 'idle') throw new Error(`SIP stack cannot listen: it is ${state}`);
      state = 'listening';
      const boundPorts: number[] = [];
      try {
        for (const group of groupListeners(options.listen)) {
          const stack = await startStack(group, {
            publicAddress: options.publicAddress,
            tls: options.tls,
            limits,
            logger: log,
            notify,
            receive,
          });
          stacks.push(stack);
          for (const index of group.entries) boundPorts[index] = stack.port;
        }
      } catch (error) {
        await port.close();
        throw error;
      }
      options.listen.forEach((entry, index) => {
        addresses.push({ transport: entry.transport, host: entry.host, port: boundPorts[index]! });
      });
      log?.debug({ addresses }, 'SIP listening');
    },
    get listening() {
      return state === 'listening' && stacks.length > 0;
    },
    get addresses() {
      return addresses;
    },
    onRequest(handler) {
      requestHandler = handler;
    },
    sendRequest(request, onResponse, nextHop) {
      if (request.method === 'CANCEL' && typeof request.headers.via?.[0]?.params.branch !== 'string') {
        throw new Error('SIP CANCEL needs the top Via of the INVITE it cancels (RFC 3261 §9.1)');
      }
      const wire = messageToWire(request);
      const sent: SipRequest = { ...request, headers: { ...request.headers } };
      const deliver = (response: SipLibMessage): void => {
        const branch = (wire.headers.via as { params: { branch?: string } }[] | undefined)?.[0]?.params.branch;
        if (request.method === 'INVITE' && (response.status ?? 0) >= 200 && branch !== undefined)
          inviteDestinations.delete(`${request.headers['call-id']} ${branch}`);
        if (state === 'closed') return;
        onResponse(messageFromWire(response) as SipResponse);
      };
      if (state !== 'listening') {
        localFailure(request, 503, onResponse);
        return { request: sent };
      }
      if (nextHop !== undefined) {
        // RFC 3261 §8.1.1.1: an outbound proxy is a pre-existing route set of one loose-routing URI.
        wire.headers.route = [
          { uri: looseRouteUri(nextHop), params: {} },
          ...((wire.headers.route as SipLibNameAddr[] | undefined) ?? []),
        ];
      }
      const cancelled =
        request.method === 'CANCEL'
          ? inviteDestinations.get(`${request.headers['call-id']} ${String(request.headers.via?.[0]?.params.branch)}`)
          : undefined;
      const send = (destination: Destination | undefined): void => {
        if (state !== 'listening') return;
        if (destination === undefined) {
          log?.warn(
            { uri: request.uri, nextHop },
            'SIP next hop unreachable: no address or no listener for its transport',
          );
          localFailure(request, 503, onResponse);
          return;
        }
        try {
          sendTo(destination, wire, deliver);
        } catch (error) {
          log?.error({ err: error, method: request.method }, 'SIP stack failed to send');
          localFailure(request, 503, onResponse);
          return;
        }
        const branch = (wire.headers.via as { params: { branch?: string } }[])[0]?.params.branch;
        if (request.method === 'INVITE' && branch !== undefined)
          inviteDestinations.set(`${request.headers['call-id']} ${branch}`, destination);
      };
      if (cancelled !== undefined) send(cancelled);
      else {
        const hop = nextHopOf(request, nextHop);
        if (hop === undefined) send(undefined);
        else resolveHop(hop, send);
      }
      // The as-sent view: `sip` fills in the Via (branch now, host and port on transmission).
      Object.defineProperty(sent.headers, 'via', { get: () => wire.headers.via, enumerable: true });
      Object.defineProperty(sent.headers, 'route', {
        get: () => messageFromWire(wire).headers.route,
        enumerable: true,
      });
      return { request: sent } satisfies SipClientTransaction;
    },
    sendAck(ack, nextHop) {
      if (state !== 'listening') return;
      const wire = messageToWire(ack);
      if (nextHop !== undefined) {
        wire.headers.route = [
          { uri: looseRouteUri(nextHop), params: {} },
          ...((wire.headers.route as SipLibNameAddr[] | undefined) ?? []),
        ];
      }
      const hop = nextHopOf(ack, nextHop);
      if (hop === undefined) {
        log?.warn({ uri: ack.uri }, 'SIP ACK not sent: next hop unreadable');
        return;
      }
      resolveHop(hop, (destination) => {
        if (destination === undefined) log?.warn({ uri: ack.uri }, 'SIP ACK not sent: next hop unreachable');
        else if (state === 'listening') {
          try {
            sendTo(destination, wire);
          } catch (error) {
            log?.error({ err: error }, 'SIP stack failed to send an ACK');
          }
        }
      });
    },
    makeResponse,
    close() {
      closing ??= (async () => {
        state = 'closed';
        // Lets transactions created in this tick start before they are shut down (`sip` starts
        // them on the next tick and would write to a closed socket).
        await new Promise<void>((resolve) => setImmediate(resolve));
        inviteDestinations.clear();
        const all = stacks.splice(0);
        await Promise.all(all.map((stack) => stopStack(stack, log)));
      })();
      return closing;
    },
  };
  return port;
}

export { findFreePort } from './stack-sockets.ts';
export { defaultSipLimits, type SipLimits } from './stack-limits.ts';

function definedLimits(limits: Partial<SipLimits> | undefined): Partial<SipLimits> {
  return Object.fromEntries(Object.entries(limits ?? {}).filter(([, value]) => value !== undefined));
}
