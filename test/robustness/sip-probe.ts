/**
 * A raw SIP client for robustness tests: sends bytes exactly as given over UDP or TCP from
 * 127.0.0.1 and collects the status lines and Call-IDs of what comes back, and a valid OPTIONS
 * as the liveness probe.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';

/** Resolves when `done()` holds (re-checked whenever a waiter is woken), or false after `timeoutMs`. */
async function waitUntil(waiters: (() => void)[], done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, left);
      waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  return true;
}
import { randomBytes } from 'node:crypto';

export const PEER_HOST = '127.0.0.1';

export interface ReceivedResponse {
  status: number;
  callId: string | undefined;
}

/** Status and Call-ID of each response in `text` (a datagram or the bytes of a stream so far). */
export function responsesIn(text: string): ReceivedResponse[] {
  const found: ReceivedResponse[] = [];
  for (const block of text.split(/(?=^SIP\/2\.0 )/m)) {
    const status = /^SIP\/2\.0 (\d{3})/.exec(block);
    if (status === null) continue;
    const callId = /^(?:Call-ID|i)[ \t]*:[ \t]*(.*?)\r?$/im.exec(block)?.[1];
    found.push({ status: Number(status[1]), callId });
  }
  return found;
}

export function optionsProbe(
  target: string,
  transport: 'UDP' | 'TCP',
  localPort: number,
): { text: string; callId: string } {
  const callId = `probe-${randomBytes(6).toString('hex')}`;
  const text = [
    `OPTIONS sip:probe@${target} SIP/2.0`,
    `Via: SIP/2.0/${transport} ${PEER_HOST}:${String(localPort)};branch=z9hG4bK${randomBytes(6).toString('hex')}`,
    'Max-Forwards: 70',
    `To: <sip:probe@${target}>`,
    `From: <sip:robustness@${PEER_HOST}>;tag=${randomBytes(4).toString('hex')}`,
    `Call-ID: ${callId}`,
    'CSeq: 1 OPTIONS',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  return { text, callId };
}

/** A UDP socket on 127.0.0.1 that records every response it receives. */
export class UdpPeer {
  readonly responses: ReceivedResponse[] = [];
  private waiters: (() => void)[] = [];
  private constructor(
    private readonly socket: UdpSocket,
    record: boolean,
  ) {
    socket.on('message', (data) => {
      if (record) this.responses.push(...responsesIn(data.toString('latin1')));
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** `record: false` ignores what arrives (answers to fuzz cases nobody reads). */
  static async open(record = true): Promise<UdpPeer> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, PEER_HOST, resolve));
    return new UdpPeer(socket, record);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Sends that failed (EMSGSIZE above 65,507 bytes). */
  sendErrors = 0;

  send(data: Buffer | string, host: string, port: number): void {
    this.socket.send(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, port, host, (error) => {
      if (error !== null) this.sendErrors++;
    });
  }

  /** Resolves when `done()` holds, or after `timeoutMs` (returns whether it held). */
  async until(done: () => boolean, timeoutMs: number): Promise<boolean> {
    return waitUntil(this.waiters, done, timeoutMs);
  }

  close(): void {
    this.socket.close();
  }
}

/** A TCP connection to the gateway that records responses and whether the gateway closed it. */
export class TcpPeer {
  readonly responses: ReceivedResponse[] = [];
  closedByGateway = false;
  private text = '';
  private waiters: (() => void)[] = [];
  private constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.text += chunk;
      this.responses.splice(0, this.responses.length, ...responsesIn(this.text));
      this.wake();
    });
    socket.on('end', () => {
      this.closedByGateway = true;
      this.wake();
    });
    socket.on('close', () => {
      this.closedByGateway = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  static async open(host: string, port: number): Promise<TcpPeer> {
    const socket = connect({ host, port, localAddress: PEER_HOST });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new TcpPeer(socket);
  }

  get port(): number {
    return this.socket.localPort ?? 0;
  }

  send(data: Buffer | string): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  async until(done: () => boolean, timeoutMs: number): Promise<boolean> {
    return waitUntil(this.waiters, done, timeoutMs);
  }

  close(): void {
    this.socket.destroy();
  }
}
