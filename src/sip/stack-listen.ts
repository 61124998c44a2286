/**
 * Binding one npm `sip` stack per configured host:port (see stack.ts), with bind errors turned
 * into a SipListenError instead of an unhandled `error` event.
 */
import * as sip from 'sip';
import type { SipLibFlow, SipLibMessage, SipLibStack } from 'sip';
import type { SipLogger } from './logger.ts';
import type { SipTransportName } from './message.ts';
import type { SipLimits } from './stack-limits.ts';
import { captureListeners, findFreePort, type CapturedSockets, type InputScreen } from './stack-sockets.ts';
import { isIpv4 } from './stack-wire.ts';

export type SipListenTransport = 'udp' | 'tcp' | 'tls';

/** `listen()` failed: which socket, and the system error code (EADDRINUSE, EACCES, …). */
export class SipListenError extends Error {
  constructor(
    readonly transport: SipListenTransport,
    readonly host: string,
    readonly port: number,
    readonly code: string | undefined,
    cause: unknown,
  ) {
    super(`SIP cannot listen on ${transport}:${host}:${port}: ${code ?? String(cause)}`, { cause });
    this.name = 'SipListenError';
  }
}

export interface BoundStack {
  readonly host: string;
  readonly port: number;
  readonly transports: ReadonlySet<SipTransportName>;
  readonly lib: SipLibStack;
  readonly sockets: CapturedSockets;
  /** The input screen of its sockets, outgoing connections included. */
  readonly screen: InputScreen;
}

export interface ListenerGroup {
  host: string;
  port: number;
  transports: SipListenTransport[];
  /** Indexes into the configured list served by this group. */
  entries: number[];
}

/**
 * Configured listeners grouped by host:port, in configuration order. Port 0 entries of one host
 * share a group (and so one port for UDP and TCP, as 5060 does) unless they repeat a transport.
 */
export function groupListeners(
  listen: readonly { transport: SipListenTransport; host: string; port: number }[],
): ListenerGroup[] {
  const groups: ListenerGroup[] = [];
  listen.forEach((entry, index) => {
    let group = groups.find(
      (g) =>
        g.host === entry.host && g.port === entry.port && (entry.port !== 0 || !g.transports.includes(entry.transport)),
    );
    if (group === undefined) {
      group = { host: entry.host, port: entry.port, transports: [], entries: [] };
      groups.push(group);
    }
    if (!group.transports.includes(entry.transport)) group.transports.push(entry.transport);
    group.entries.push(index);
  });
  return groups;
}

export interface StackSettings {
  publicAddress?: string | undefined;
  tls?: { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer | undefined } | undefined;
  limits: SipLimits;
  logger?: SipLogger | undefined;
  notify(direction: 'in' | 'out', message: SipLibMessage, flow: SipLibFlow): void;
  receive(
    stack: BoundStack,
    message: SipLibMessage,
    flow: SipLibFlow & { local: { address: string; port: number } },
  ): void;
}

const wireName: Record<SipListenTransport, SipTransportName> = { udp: 'UDP', tcp: 'TCP', tls: 'TLS' };

/** `sip` makes its sockets in this order: UDP, then the TCP server, then the TLS server. */
function listenerTransports(group: ListenerGroup): SipListenTransport[] {
  return (['udp', 'tcp', 'tls'] as const).filter((transport) => group.transports.includes(transport));
}

export async function startStack(group: ListenerGroup, settings: StackSettings): Promise<BoundStack> {
  const log = settings.logger;
  if (!isIpv4(group.host)) {
    throw new SipListenError(
      group.transports[0]!,
      group.host,
      group.port,
      undefined,
      'only IPv4 addresses are supported',
    );
  }
  const tls = group.transports.includes('tls');
  if (tls && settings.tls === undefined) {
    throw new SipListenError('tls', group.host, group.port, undefined, 'a TLS listener needs sip.tls key and cert');
  }
  const socketKinds = [...new Set(group.transports.map((t) => (t === 'udp' ? ('udp' as const) : ('tcp' as const))))];
  const port = group.port === 0 ? await findFreePort(group.host, socketKinds) : group.port;
  const bound: { stack?: BoundStack } = {};
  const screen: InputScreen = { limits: settings.limits, logger: log };
  const { result: lib, sockets } = captureListeners(
    () =>
      sip.create(
        {
          address: group.host,
          port,
          ...(settings.publicAddress !== undefined ? { publicAddress: settings.publicAddress } : {}),
          udp: group.transports.includes('udp'),
          tcp: group.transports.includes('tcp'),
          ...(tls ? { tls: { ...settings.tls }, tls_port: port } : {}),
          // Backstops only: stack-sockets.ts frames streams within settings.limits first.
          maxBytesHeaders: settings.limits.maxMessageBytes,
          maxContentLength: settings.limits.maxMessageBytes,
          logger: {
            recv: (message, flow) => {
              settings.notify('in', message, flow);
            },
            send: (message, flow) => {
              settings.notify('out', message, flow);
            },
            error: (error) => {
              log?.error({ err: error }, 'SIP stack error');
            },
          },
        },
        (message, flow) => {
          if (bound.stack !== undefined) settings.receive(bound.stack, message, flow);
        },
      ),
    (error) => {
      log?.warn({ err: error, host: group.host, port }, 'SIP socket error');
    },
    screen,
  );
  const stack: BoundStack = {
    host: group.host,
    port,
    transports: new Set(group.transports.map((t) => wireName[t])),
    lib,
    sockets,
    screen,
  };
  const transports = listenerTransports(group);
  try {
    await Promise.all(
      sockets.listeners.map((listener, index) =>
        listener.ready.catch((error: unknown) => {
          const code = (error as NodeJS.ErrnoException).code;
          throw new SipListenError(transports[index] ?? group.transports[0]!, group.host, port, code, error);
        }),
      ),
    );
  } catch (error) {
    await stopStack(stack, log);
    throw error;
  }
  bound.stack = stack;
  return stack;
}

/** Ends the stack's transactions, connections and listeners. */
export async function stopStack(stack: BoundStack, log?: SipLogger): Promise<void> {
  try {
    stack.lib.destroy();
  } catch (error) {
    log?.debug({ err: error }, 'SIP stack destroy');
  }
  for (const stream of stack.sockets.streams) stream.destroy();
  await Promise.all(stack.sockets.listeners.map((listener) => listener.close()));
}
