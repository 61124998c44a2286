import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import {
  defaultSipLimits,
  nextStreamFrame,
  screenDatagram,
  type ScreenVerdict,
  type SipLimits,
} from '../../src/sip/stack-limits.ts';
import { createSipStack } from '../../src/sip/stack.ts';
import type { SipPort } from '../../src/sip/port.ts';

const limits: SipLimits = defaultSipLimits;

/** `contentLength: null` leaves the header out. */
function request(extra: string[] = [], body = '', contentLength: string | null = String(body.length)): string {
  return [
    'OPTIONS sip:gw@127.0.0.2 SIP/2.0',
    'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKabc',
    'Max-Forwards: 70',
    'To: <sip:gw@127.0.0.2>',
    'From: "Alice" <sip:alice@127.0.0.1>;tag=1',
    'Call-ID: limits-1',
    'CSeq: 1 OPTIONS',
    ...extra,
    ...(contentLength === null ? [] : [`Content-Length: ${contentLength}`]),
    '',
    body,
  ].join('\r\n');
}

function statusOf(verdict: ScreenVerdict): number | string {
  return verdict.action === 'reject' ? verdict.status : verdict.action;
}

describe('screenDatagram', () => {
  it('accepts a well-formed request', () => {
    assert.deepEqual(screenDatagram(request(), limits), { action: 'accept' });
  });

  it('answers 513 above maxMessageBytes, copying Via, From, To (tagged), Call-ID and CSeq', () => {
    const verdict = screenDatagram(request([], 'x'.repeat(17000)), limits);
    assert.equal(verdict.action, 'reject');
    assert.equal(
      verdict.action === 'reject' ? verdict.response : undefined,
      [
        'SIP/2.0 513 Message Too Large',
        'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKabc',
        'From: "Alice" <sip:alice@127.0.0.1>;tag=1',
        'To: <sip:gw@127.0.0.2>;tag=gw-limits',
        'Call-ID: limits-1',
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
  });

  it('answers 400 to an over-long header field and to too many header fields', () => {
    const long = screenDatagram(request([`Subject: ${'a'.repeat(8200)}`]), limits);
    assert.deepEqual([statusOf(long), long.action === 'reject' && long.reason], [400, 'Header Too Long']);
    const many = screenDatagram(request(Array.from({ length: 100 }, (_, i) => `X-H${String(i)}: 1`)), limits);
    assert.deepEqual([statusOf(many), many.action === 'reject' && many.reason], [400, 'Too Many Headers']);
  });

  it('answers 400 to a whitespace run that would make the library parser quadratic', () => {
    const padded = request().replace(';tag=1', `;tag=1${' '.repeat(8000)}x`);
    const verdict = screenDatagram(padded, limits);
    assert.deepEqual([statusOf(verdict), verdict.action === 'reject' && verdict.reason], [400, 'Excessive Whitespace']);
    const folded = request().replace(';tag=1', `;tag=1\r\n${' '.repeat(200)};x=y`);
    assert.equal(statusOf(screenDatagram(folded, limits)), 400);
    assert.equal(statusOf(screenDatagram(request().replace(';tag=1', ';tag=1\r\n   ;x=y'), limits)), 'accept');
  });

  it('checks Content-Length: integer, not beyond the datagram; extra bytes are allowed', () => {
    assert.equal(statusOf(screenDatagram(request([], 'abc', '-3'), limits)), 400);
    assert.equal(statusOf(screenDatagram(request([], 'abc', '9'), limits)), 400);
    assert.equal(statusOf(screenDatagram(request([], 'abcdef', '3'), limits)), 'accept');
    assert.equal(statusOf(screenDatagram(request([], 'abc', null), limits)), 'accept');
  });

  it('answers 505 to another version and 400 to a bad request line or missing headers', () => {
    assert.equal(statusOf(screenDatagram(request().replace('SIP/2.0\r\n', 'SIP/3.0\r\n'), limits)), 505);
    assert.equal(statusOf(screenDatagram(request().replace('OPTIONS sip', 'OPTIONS  sip'), limits)), 400);
    assert.equal(statusOf(screenDatagram(request().replace('Call-ID: limits-1\r\n', ''), limits)), 400);
    assert.equal(statusOf(screenDatagram(request(['Call-ID: again']), limits)), 400);
    assert.equal(statusOf(screenDatagram(request().replace('CSeq: 1 OPTIONS', 'CSeq: 1 INVITE'), limits)), 400);
  });

  it('drops responses it refuses, requests without a Via and keep-alives', () => {
    assert.equal(statusOf(screenDatagram(`SIP/2.0 200 OK\r\nX: ${'a'.repeat(9000)}\r\n\r\n`, limits)), 'discard');
    assert.equal(statusOf(screenDatagram(request().replace(/Via: [^\r]*\r\n/, ''), limits)), 'discard');
    assert.equal(statusOf(screenDatagram('\r\n\r\n', limits)), 'discard');
  });
});

describe('nextStreamFrame', () => {
  it('frames back-to-back messages by Content-Length and waits for a partial one', () => {
    const one = request([], 'hello');
    const frame = nextStreamFrame(`\r\n${one}${one.slice(0, 20)}`, limits);
    assert.equal(frame.kind, 'frame');
    assert.equal(frame.kind === 'frame' && frame.end, 2 + one.length);
    assert.equal(nextStreamFrame(one.slice(0, 40), limits).kind, 'incomplete');
    assert.equal(nextStreamFrame(one.slice(0, -2), limits).kind, 'incomplete');
  });

  it('is fatal without Content-Length, with two, or above the size limit', () => {
    assert.equal(nextStreamFrame(request([], '', null), limits).kind, 'fatal');
    assert.equal(nextStreamFrame(request(['l: 0']), limits).kind, 'fatal');
    const huge = nextStreamFrame(`OPTIONS sip:a@b SIP/2.0\r\nX: ${'a'.repeat(17000)}`, limits);
    assert.equal(huge.kind, 'fatal');
    assert.equal(huge.kind === 'fatal' && huge.verdict.action, 'discard');
    const big = nextStreamFrame(request([], '', '20000'), limits);
    assert.deepEqual(big.kind === 'fatal' && statusOf(big.verdict), 513);
  });
});

describe('limits on the wire (createSipStack)', () => {
  const open: SipPort[] = [];
  after(async () => {
    await Promise.all(open.map((port) => port.close()));
  });

  async function start(): Promise<{ port: number; handled: string[] }> {
    const stack = createSipStack({
      listen: [
        { transport: 'udp', host: '127.0.0.2', port: 0 },
        { transport: 'tcp', host: '127.0.0.2', port: 0 },
      ],
      limits: { maxMessageBytes: 4096 },
    });
    await stack.listen();
    open.push(stack);
    const handled: string[] = [];
    stack.onRequest((incoming) => {
      handled.push(incoming.request.method);
      incoming.respond(stack.makeResponse(incoming.request, 200));
    });
    return { port: stack.addresses[0]!.port, handled };
  }

  it('UDP: 513 above limits.maxMessageBytes, the request never reaches the handler', async () => {
    const { port, handled } = await start();
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const answer = new Promise<string>((resolve) =>
      socket.once('message', (data) => {
        resolve(data.toString('latin1'));
      }),
    );
    socket.send(Buffer.from(request([], 'x'.repeat(5000)), 'latin1'), port, '127.0.0.2');
    const text = await answer;
    socket.close();
    assert.equal(text.split('\r\n')[0], 'SIP/2.0 513 Message Too Large');
    assert.deepEqual(handled, []);
  });

  it('TCP: two messages in one write are both handled; an oversized one gets 513 and the connection closes', async () => {
    const { port, handled } = await start();
    const socket = connect({ host: '127.0.0.2', port, localAddress: '127.0.0.1' });
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    const closed = new Promise<void>((resolve) =>
      socket.once('close', () => {
        resolve();
      }),
    );
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const tcp = (text: string): string => text.replace('SIP/2.0/UDP', 'SIP/2.0/TCP');
    socket.write(tcp(request()) + tcp(request().replace('limits-1', 'limits-2')));
    while (!/limits-2/.test(received)) await new Promise((resolve) => setTimeout(resolve, 10));
    socket.write(tcp(request([], 'y'.repeat(5000))));
    await closed;
    assert.deepEqual(handled, ['OPTIONS', 'OPTIONS']);
    assert.deepEqual(
      received.split('\r\n').filter((line) => line.startsWith('SIP/2.0')),
      ['SIP/2.0 200 OK', 'SIP/2.0 200 OK', 'SIP/2.0 513 Message Too Large'],
    );
  });
});
