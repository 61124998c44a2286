/**
 * Free loopback ports for e2e peers. The OS picks a port by binding to port 0; the socket is closed
 * before the port is handed out, so another process could take it in between — acceptable on a
 * test machine, and every caller binds within milliseconds.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { readFile } from 'node:fs/promises';

export type PortProtocol = 'udp' | 'tcp';

/** A port that was free on `host` for `protocol` a moment ago. */
export async function freePort(host: string, protocol: PortProtocol): Promise<number> {
  return protocol === 'udp' ? freeUdpPort(host) : freeTcpPort(host);
}

/**
 * A port free for both UDP and TCP on `host`, for peers that listen on both (the gateway's
 * `udp:…,tcp:…` listen list, SIPp started with either transport).
 */
export async function freeDualPort(host: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freeUdpPort(host);
    if (await tcpPortFree(host, port)) return port;
  }
  throw new Error(`no port free for both UDP and TCP on ${host}`);
}

function freeUdpPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', reject);
    socket.bind(0, host, () => {
      const { port } = socket.address();
      socket.close(() => {
        resolve(port);
      });
    });
  });
}

function freeTcpPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('TCP server has no port'));
        return;
      }
      server.close(() => {
        resolve(address.port);
      });
    });
  });
}

function tcpPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => {
      resolve(false);
    });
    server.listen(port, host, () => {
      server.close(() => {
        resolve(true);
      });
    });
  });
}

/**
 * True once some process has bound `host:port` (UDP) or listens on it (TCP). Reads the kernel's
 * socket tables instead of probing with a bind or connect, which would race the process being
 * waited for (a probe bind can make its bind fail; a probe connect shows up as a peer). IPv4 only.
 */
export async function isPortBound(host: string, port: number, protocol: PortProtocol): Promise<boolean> {
  const table = await readFile(`/proc/net/${protocol}`, 'utf8');
  const wantedPort = port.toString(16).toUpperCase().padStart(4, '0');
  const wantedHost = ipv4ToProcHex(host);
  const anyHost = '00000000';
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    const state = fields[3];
    if (local === undefined) continue;
    const [address, localPort] = local.split(':');
    if (localPort !== wantedPort) continue;
    if (address !== wantedHost && address !== anyHost) continue;
    // TCP state 0A = LISTEN; a UDP socket is usable as soon as it is bound.
    if (protocol === 'tcp' && state !== '0A') continue;
    return true;
  }
  return false;
}

/** Polls isPortBound until it holds or `timeoutMs` passes; `abort` ends the wait early. */
export async function waitForPortBound(
  host: string,
  port: number,
  protocol: PortProtocol,
  timeoutMs: number,
  abort?: () => Error | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const aborted = abort?.();
    if (aborted !== undefined) throw aborted;
    if (await isPortBound(host, port, protocol)) return;
    if (Date.now() > deadline) {
      throw new Error(`nothing bound ${protocol} ${host}:${port} within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** /proc/net addresses are the IPv4 bytes in host (little-endian) order, as hex. */
function ipv4ToProcHex(host: string): string {
  const bytes = host.split('.').map((part) => Number(part));
  if (bytes.length !== 4 || bytes.some((byte) => !Number.isInteger(byte) || byte < 0 || byte > 255)) {
    throw new Error(`not an IPv4 address: ${host}`);
  }
  return bytes
    .reverse()
    .map((byte) => byte.toString(16).toUpperCase().padStart(2, '0'))
    .join('');
}
