/**
 * The sockets under an npm `sip` stack. The library creates its UDP socket and TCP/TLS servers
 * inside `sip.create()` and its TCP/TLS client connections inside `send()`, and keeps them to
 * itself: no `error` listener on the UDP socket or the servers (a bind error such as EADDRINUSE
 * would crash the process), no way to learn when they listen, and client connections stay open
 * for two minutes after `destroy()`. Both calls are synchronous up to the socket creation, so
 * the factories are wrapped for exactly that call and the sockets are captured as they are made.
 *
 * Input screening: every datagram and every stream's bytes pass stack-limits.ts before the
 * library sees them. On UDP the library's `message` listener is moved behind the screen; on a
 * stream the library's `data` listener is wrapped as it registers it, and receives whole frames.
 */
import type { RemoteInfo, Socket as UdpSocket } from 'node:dgram';
import { createRequire } from 'node:module';
import type { Server, Socket } from 'node:net';
import type { SipLogger } from './logger.ts';
import { nextStreamFrame, screenDatagram, type ScreenVerdict, type SipLimits } from './stack-limits.ts';

// The CommonJS module objects `sip` itself requires (the ESM namespace objects are read-only).
const require = createRequire(import.meta.url);
const dgramModule = require('node:dgram') as { createSocket: (...args: unknown[]) => UdpSocket };
const netModule = require('node:net') as {
  createServer: (...args: unknown[]) => Server;
  connect: (...args: unknown[]) => Socket;
};
const tlsModule = require('node:tls') as {
  createServer: (...args: unknown[]) => Server;
  connect: (...args: unknown[]) => Socket;
  Server: abstract new (...args: never[]) => Server;
};

/** What the screen needs: the limits, and a logger for what it refuses. */
export interface InputScreen {
  limits: SipLimits;
  logger?: SipLogger | undefined;
}

function logRefusal(screen: InputScreen, verdict: ScreenVerdict, peer: string, transport: string): void {
  if (verdict.action === 'accept') return;
  const answer = verdict.action === 'reject' ? verdict.status : 'discarded';
  screen.logger?.debug(
    { peer: `${transport} ${peer}`, reason: verdict.reason, answer },
    'SIP input refused before parsing',
  );
}

type Factory = (...args: unknown[]) => unknown;
type Patchable = Record<string, Factory>;

/** Runs `body` with `module[name]` wrapped so every object it returns is passed to `seen`. */
function withWrapped<T>(targets: readonly [Patchable, string][], seen: (made: unknown) => void, body: () => T): T {
  const originals = targets.map(([module, name]) => module[name]!);
  targets.forEach(([module, name], index) => {
    const original = originals[index]!;
    module[name] = function wrapped(this: unknown, ...args: unknown[]) {
      const made = original.apply(this, args);
      seen(made);
      return made;
    };
  });
  try {
    return body();
  } finally {
    targets.forEach(([module, name], index) => {
      module[name] = originals[index]!;
    });
  }
}

/** A listening socket of one stack: resolves `ready` once bound, rejects on the bind error. */
export interface CapturedListener {
  readonly kind: 'udp' | 'stream';
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export interface CapturedSockets {
  readonly listeners: CapturedListener[];
  /** Accepted and outgoing TCP/TLS connections still open. */
  readonly streams: Set<Socket>;
}

/** Moves the library's `message` listeners behind the screen [RFC 3261 §18.3]. */
function screenUdp(socket: UdpSocket, screen: InputScreen): void {
  const listeners = socket.listeners('message') as ((data: Buffer, rinfo: RemoteInfo) => void)[];
  socket.removeAllListeners('message');
  socket.on('message', (data: Buffer, rinfo: RemoteInfo) => {
    const verdict = screenDatagram(data.toString('latin1'), screen.limits);
    if (verdict.action === 'accept') {
      for (const listener of listeners) {
        try {
          listener.call(socket, data, rinfo);
        } catch (error) {
          screen.logger?.error({ err: error }, 'SIP stack failed on a datagram');
        }
      }
      return;
    }
    logRefusal(screen, verdict, `${rinfo.address}:${String(rinfo.port)}`, 'UDP');
    if (verdict.action === 'reject' && verdict.response !== undefined) {
      socket.send(Buffer.from(verdict.response, 'latin1'), rinfo.port, rinfo.address);
    }
  });
}

/**
 * Wraps the `data` listener the library registers on `stream` (once, in its connection setup)
 * so that it receives one whole, screened message per call; a framing error closes the stream.
 */
function screenStream(stream: Socket, screen: InputScreen): void {
  type On = (this: Socket, event: string, listener: (...args: unknown[]) => void) => Socket;
  const own = stream as unknown as { on: On };
  const inherited = own.on;
  own.on = function on(event, listener) {
    if (event !== 'data') return inherited.call(stream, event, listener);
    delete (own as { on?: unknown }).on;
    return inherited.call(stream, 'data', framed(stream, listener, screen));
  };
}

function framed(stream: Socket, listener: (...args: unknown[]) => void, screen: InputScreen): (chunk: unknown) => void {
  let buffer = '';
  let searchFrom = 0;
  let failed = false;
  const peer = (): string => `${String(stream.remoteAddress)}:${String(stream.remotePort)}`;
  const answer = (verdict: ScreenVerdict): void => {
    logRefusal(screen, verdict, peer(), 'stream');
    if (verdict.action === 'reject' && verdict.response !== undefined) stream.write(verdict.response, 'latin1');
  };
  return (chunk) => {
    if (failed) return;
    buffer += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('latin1');
    for (;;) {
      const frame = nextStreamFrame(buffer, screen.limits, searchFrom);
      if (frame.kind === 'incomplete') {
        searchFrom = frame.searchFrom;
        return;
      }
      if (frame.kind === 'fatal') {
        failed = true;
        buffer = '';
        answer(frame.verdict);
        stream.end();
        stream.destroySoon();
        return;
      }
      const message = buffer.slice(frame.start, frame.end);
      buffer = buffer.slice(frame.end);
      searchFrom = 0;
      if (frame.verdict.action !== 'accept') {
        answer(frame.verdict);
        continue;
      }
      try {
        listener.call(stream, message);
      } catch (error) {
        screen.logger?.error({ err: error }, 'SIP stack failed on a stream message');
      }
    }
  };
}

function captureUdp(socket: UdpSocket, onError: (error: Error) => void): CapturedListener {
  let closed = false;
  const closedPromise = new Promise<void>((resolve) =>
    socket.once('close', () => {
      resolve();
    }),
  );
  socket.on('close', () => {
    closed = true;
  });
  const ready = new Promise<void>((resolve, reject) => {
    socket.once('listening', () => {
      resolve();
    });
    socket.once('error', reject);
  });
  // After the bind, errors (a failed send) are logged and never thrown.
  socket.on('error', onError);
  return {
    kind: 'udp',
    ready,
    async close() {
      if (!closed) {
        try {
          socket.close();
        } catch {
          return; // never bound (bind error): nothing to release
        }
      }
      await closedPromise;
    },
  };
}

function captureServer(server: Server, streams: Set<Socket>, onError: (error: Error) => void): CapturedListener {
  const ready = new Promise<void>((resolve, reject) => {
    server.once('listening', () => {
      resolve();
    });
    server.once('error', reject);
  });
  server.on('error', onError);
  server.on('connection', (stream: Socket) => {
    trackStream(stream, streams);
  });
  return {
    kind: 'stream',
    ready,
    async close() {
      if (!server.listening) return;
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}

function trackStream(stream: Socket, streams: Set<Socket>): void {
  streams.add(stream);
  stream.once('close', () => streams.delete(stream));
}

/** Calls `create` (a `sip.create`) and captures the sockets and servers it makes. */
export function captureListeners<T>(
  create: () => T,
  onError: (error: Error) => void,
  screen: InputScreen,
): { result: T; sockets: CapturedSockets } {
  const sockets: CapturedSockets = { listeners: [], streams: new Set() };
  const result = withWrapped(
    [
      [dgramModule as unknown as Patchable, 'createSocket'],
      [netModule as unknown as Patchable, 'createServer'],
      [tlsModule as unknown as Patchable, 'createServer'],
    ],
    (made) => {
      if (isUdpSocket(made)) {
        screenUdp(made, screen);
        sockets.listeners.push(captureUdp(made, onError));
        return;
      }
      const server = made as Server;
      // Before the library's own listener, which registers its `data` listener at once.
      server.prependListener(server instanceof tlsModule.Server ? 'secureConnection' : 'connection', (stream) => {
        screenStream(stream as Socket, screen);
      });
      sockets.listeners.push(captureServer(server, sockets.streams, onError));
    },
    create,
  );
  return { result, sockets };
}

function isUdpSocket(made: unknown): made is UdpSocket {
  return (
    typeof (made as { send?: unknown }).send === 'function' && typeof (made as { bind?: unknown }).bind === 'function'
  );
}

/** Runs `send` (a `stack.send`) and tracks any TCP/TLS client connection it opens. */
export function captureConnections<T>(streams: Set<Socket>, screen: InputScreen, send: () => T): T {
  return withWrapped(
    [
      [netModule as unknown as Patchable, 'connect'],
      [tlsModule as unknown as Patchable, 'connect'],
    ],
    (made) => {
      screenStream(made as Socket, screen);
      trackStream(made as Socket, streams);
    },
    send,
  );
}

async function tryBind(kind: 'udp' | 'tcp', host: string, port: number): Promise<number | undefined> {
  const dgram = require('node:dgram') as typeof import('node:dgram');
  const net = require('node:net') as typeof import('node:net');
  return new Promise((resolve) => {
    if (kind === 'udp') {
      const socket = dgram.createSocket('udp4');
      socket.once('error', () => {
        resolve(undefined);
      });
      socket.bind(port, host, () => {
        const bound = socket.address().port;
        socket.close(() => {
          resolve(bound);
        });
      });
    } else {
      const server = net.createServer();
      server.once('error', () => {
        resolve(undefined);
      });
      server.listen(port, host, () => {
        const address = server.address();
        const bound = typeof address === 'object' && address !== null ? address.port : undefined;
        server.close(() => {
          resolve(bound);
        });
      });
    }
  });
}

/**
 * A port free on `host` for every socket kind given (a UDP and a TCP socket may share a number),
 * for configurations that ask for port 0: `sip` binds `options.port || 5060`, so the number has
 * to be chosen before the stack exists. Another process may take it in between; `listen()` then
 * fails with EADDRINUSE like any other bind error.
 */
export async function findFreePort(host: string, kinds: readonly ('udp' | 'tcp')[]): Promise<number> {
  const [first, ...rest] = kinds.length > 0 ? kinds : (['udp'] as const);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await tryBind(first!, host, 0);
    if (port === undefined) break;
    const others = await Promise.all(rest.map((kind) => tryBind(kind, host, port)));
    if (others.every((bound) => bound === port)) return port;
  }
  throw new Error(`no free port found on ${host}`);
}
