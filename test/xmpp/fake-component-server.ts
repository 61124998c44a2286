/**
 * A scripted XEP-0114 server for tests that need to send what no real server would (a DOCTYPE):
 * it accepts one component at a time, checks the handshake against `secret`, and lets the test
 * write raw text to the component and read what it sent.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';

export interface FakeComponentServer {
  service: string;
  /** Everything the current connection received so far. */
  received(): string;
  /** Connections accepted so far. */
  connections(): number;
  write(text: string): void;
  /** Resolves when the received text of the current connection contains `needle`. */
  waitForText(needle: string | RegExp, timeoutMs: number): Promise<string>;
  /** Resolves when the `count`-th connection has completed its handshake. */
  waitForHandshake(count: number, timeoutMs: number): Promise<void>;
  /** Resolves when the current connection was closed by the component. */
  waitForClose(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeComponentServer(domain: string, secret: string): Promise<FakeComponentServer> {
  let current: Socket | undefined;
  let buffer = '';
  let accepted = 0;
  let handshakes = 0;
  let closed = false;
  const sockets = new Set<Socket>();
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const listener of listeners) listener();
  };

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    accepted += 1;
    current = socket;
    buffer = '';
    closed = false;
    const streamId = `fake${String(accepted)}`;
    let headerSent = false;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (!headerSent && buffer.includes('<stream:stream')) {
        headerSent = true;
        socket.write(
          `<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:component:accept' id='${streamId}' from='${domain}'>`,
        );
      }
      const handshake = /<handshake>([0-9a-f]+)<\/handshake>/.exec(buffer);
      if (handshake !== null && !buffer.includes('<!--handshake-done-->')) {
        buffer += '<!--handshake-done-->';
        const expected = createHash('sha1')
          .update(streamId + secret)
          .digest('hex');
        if (handshake[1] === expected) {
          socket.write('<handshake/>');
          handshakes += 1;
        } else {
          socket.write(
            "<stream:error><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>",
          );
          socket.end();
        }
      }
      // RFC 6120 §4.4: answer the peer's stream close with ours, then close the connection.
      if (chunk.includes('</stream:stream>')) socket.end('</stream:stream>');
      notify();
    });
    socket.on('close', () => {
      sockets.delete(socket);
      if (socket === current) closed = true;
      notify();
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');

  function waitUntil<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const listener = (): void => {
        const value = check();
        if (value === undefined) return;
        listeners.delete(listener);
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        listeners.delete(listener);
        reject(new Error(`fake server: no ${what} within ${String(timeoutMs)} ms; received: ${buffer}`));
      }, timeoutMs);
      listeners.add(listener);
      listener();
    });
  }

  return {
    service: `xmpp://127.0.0.1:${String(address.port)}`,
    received: () => buffer,
    connections: () => accepted,
    write: (text) => current?.write(text),
    waitForText: (needle, timeoutMs) =>
      waitUntil(
        () => {
          const found = typeof needle === 'string' ? buffer.includes(needle) : needle.test(buffer);
          return found ? buffer : undefined;
        },
        timeoutMs,
        String(needle),
      ),
    waitForHandshake: (count, timeoutMs) =>
      waitUntil(() => (handshakes >= count ? true : undefined), timeoutMs, `handshake #${String(count)}`).then(
        () => undefined,
      ),
    waitForClose: (timeoutMs) => waitUntil(() => (closed ? true : undefined), timeoutMs, 'close').then(() => undefined),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}
