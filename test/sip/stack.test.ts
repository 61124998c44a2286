import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import type { SipResponse } from '../../src/sip/message.ts';
import type { SipPort } from '../../src/sip/port.ts';
import { createSipStack, findFreePort, SipListenError } from '../../src/sip/stack.ts';
import { gatewayHost, Peer, peerHost, portOf, startPort, token } from './helpers.ts';

function bindUdp(host: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', reject);
    socket.bind(port, host, () => {
      resolve(socket);
    });
  });
}

function listenTcp(host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve(server);
    });
  });
}

describe('SIP stack (npm sip adapter)', () => {
  const open: { close(): Promise<void> | void }[] = [];
  after(async () => {
    for (const item of open.splice(0)) await item.close();
  });

  it('binds port 0 to one free port shared by UDP and TCP, and reports it in configuration order', async () => {
    const port = createSipStack({
      listen: [
        { transport: 'tcp', host: gatewayHost, port: 0 },
        { transport: 'udp', host: gatewayHost, port: 0 },
      ],
    });
    open.push(port);
    await port.listen();
    assert.equal(port.listening, true);
    assert.deepEqual(
      port.addresses.map((a) => [a.transport, a.host]),
      [
        ['tcp', gatewayHost],
        ['udp', gatewayHost],
      ],
    );
    for (const address of port.addresses) assert.notEqual(address.port, 0);
  });

  it('merges udp and tcp entries on one host:port into one stack', async () => {
    const free = await findFreePort(gatewayHost, ['udp', 'tcp']);
    const port = createSipStack({
      listen: [
        { transport: 'udp', host: gatewayHost, port: free },
        { transport: 'tcp', host: gatewayHost, port: free },
      ],
    });
    open.push(port);
    await port.listen();
    assert.deepEqual(port.addresses, [
      { transport: 'udp', host: gatewayHost, port: free },
      { transport: 'tcp', host: gatewayHost, port: free },
    ]);
  });

  it('rejects listen() with EADDRINUSE for a taken UDP port, and the process survives', async () => {
    const free = await findFreePort(gatewayHost, ['udp']);
    const blocker = await bindUdp(gatewayHost, free);
    try {
      const port = createSipStack({ listen: [{ transport: 'udp', host: gatewayHost, port: free }] });
      await assert.rejects(port.listen(), (error: unknown) => {
        assert.ok(error instanceof SipListenError);
        assert.equal(error.code, 'EADDRINUSE');
        assert.equal(error.port, free);
        assert.match(error.message, new RegExp(`udp:${gatewayHost.replace(/\./g, '\\.')}:${free}: EADDRINUSE`));
        return true;
      });
      assert.equal(port.listening, false);
      await port.close();
    } finally {
      blocker.close();
    }
  });

  it('rejects listen() with EADDRINUSE for a taken TCP port and releases the UDP socket it had bound', async () => {
    const free = await findFreePort(gatewayHost, ['udp', 'tcp']);
    const blocker = await listenTcp(gatewayHost, free);
    try {
      const port = createSipStack({
        listen: [
          { transport: 'udp', host: gatewayHost, port: free },
          { transport: 'tcp', host: gatewayHost, port: free },
        ],
      });
      await assert.rejects(port.listen(), { name: 'SipListenError', code: 'EADDRINUSE', transport: 'tcp', port: free });
    } finally {
      await new Promise<void>((resolve) =>
        blocker.close(() => {
          resolve();
        }),
      );
    }
    const udp = await bindUdp(gatewayHost, free);
    udp.close();
  });

  it('refuses IPv6 hosts and TLS without key and certificate', async () => {
    await assert.rejects(
      createSipStack({ listen: [{ transport: 'udp', host: '::1', port: 0 }] }).listen(),
      /only IPv4/,
    );
    await assert.rejects(
      createSipStack({ listen: [{ transport: 'tls', host: gatewayHost, port: 0 }] }).listen(),
      /needs sip\.tls/,
    );
  });

  it('close() is idempotent and releases UDP and TCP ports, accepted connections included', async () => {
    const port = await startPort(gatewayHost, ['udp', 'tcp']);
    const number = portOf(port, 'udp');
    // An open TCP connection into the stack must not keep the port.
    const client = net.connect(number, gatewayHost);
    await new Promise<void>((resolve) =>
      client.once('connect', () => {
        resolve();
      }),
    );
    const clientClosed = new Promise<void>((resolve) =>
      client.once('close', () => {
        resolve();
      }),
    );
    client.on('error', () => undefined);
    await Promise.all([port.close(), port.close()]);
    await port.close();
    await clientClosed;
    assert.equal(port.listening, false);
    const udp = await bindUdp(gatewayHost, number);
    const tcp = await listenTcp(gatewayHost, number);
    udp.close();
    await new Promise<void>((resolve) =>
      tcp.close(() => {
        resolve();
      }),
    );
  });

  describe('requests and responses between two stacks', () => {
    let gateway: SipPort;
    let peer: Peer;
    const seen: string[] = [];

    it('starts', async () => {
      gateway = createSipStack({
        listen: [
          { transport: 'udp', host: gatewayHost, port: 0 },
          { transport: 'tcp', host: gatewayHost, port: 0 },
        ],
        onMessage: (direction, message) => {
          seen.push(`${direction} ${'method' in message ? message.method : String(message.status)}`);
        },
      });
      await gateway.listen();
      gateway.onRequest((incoming) => {
        incoming.respond(gateway.makeResponse(incoming.request, 200));
      });
      peer = await Peer.start();
      open.push(gateway, peer);
    });

    it('sends over UDP by default and gets the response back; onMessage sees both', async () => {
      const request = peer.request('OPTIONS', peer.uri('bob'));
      request.headers.from = { uri: `sip:gw@${gatewayHost}`, params: { tag: token() } };
      const responses = new Promise<SipResponse>((resolve) => {
        gateway.sendRequest(request, resolve);
      });
      const incoming = await peer.nextRequest('OPTIONS');
      assert.equal(incoming.remote.protocol, 'UDP');
      assert.equal(incoming.remote.address, gatewayHost);
      assert.equal(incoming.request.uri, peer.uri('bob'));
      incoming.respond(peer.port.makeResponse(incoming.request, 200));
      assert.equal((await responses).status, 200);
      assert.deepEqual(seen.slice(0, 2), ['out OPTIONS', 'in 200']);
    });

    it('sends over TCP for ;transport=tcp', async () => {
      const target = peer.uri('bob', 'tcp');
      const response = new Promise<SipResponse>((resolve) => {
        gateway.sendRequest(peer.request('OPTIONS', target), resolve);
      });
      const incoming = await peer.nextRequest('OPTIONS');
      assert.equal(incoming.remote.protocol, 'TCP');
      assert.equal(incoming.request.uri, target);
      incoming.respond(peer.port.makeResponse(incoming.request, 202));
      assert.equal((await response).status, 202);
    });

    it('answers through the stack that received the request (UDP and TCP)', async () => {
      for (const transport of ['udp', 'tcp'] as const) {
        const uri = `sip:gw@${gatewayHost}:${portOf(gateway, transport)}${transport === 'tcp' ? ';transport=tcp' : ''}`;
        const responses = peer.send(peer.request('OPTIONS', uri));
        const response = await responses.next();
        assert.equal(response.status, 200);
      }
    });

    it('sends to the outbound proxy with the Request-URI unchanged and a loose Route to the proxy', async () => {
      const proxy = dgram.createSocket('udp4');
      await new Promise<void>((resolve) =>
        proxy.bind(0, peerHost, () => {
          resolve();
        }),
      );
      const proxyUri = `sip:${peerHost}:${proxy.address().port}`;
      const wire = new Promise<string>((resolve) =>
        proxy.once('message', (data) => {
          resolve(data.toString('utf8'));
        }),
      );
      const request = peer.request('OPTIONS', 'sip:carol@198.51.100.7:5080');
      gateway.sendRequest(request, () => undefined, proxyUri);
      const text = await wire;
      proxy.close();
      const lines = text.split('\r\n');
      assert.equal(lines[0], 'OPTIONS sip:carol@198.51.100.7:5080 SIP/2.0');
      assert.ok(lines.includes(`Route:  <${proxyUri};lr>`), text);
      assert.match(
        lines[1]!,
        new RegExp(`^Via: SIP/2\\.0/UDP ${gatewayHost.replace(/\./g, '\\.')}:${portOf(gateway)};branch=z9hG4bK`),
      );
    });

    it('reaches a peer on its own address (the flow route avoids the library local 404)', async () => {
      const sibling = await startPort(gatewayHost, ['udp']);
      open.push(sibling);
      sibling.onRequest((incoming) => {
        incoming.respond(sibling.makeResponse(incoming.request, 200));
      });
      const response = await new Promise<SipResponse>((resolve) => {
        gateway.sendRequest(peer.request('OPTIONS', `sip:x@${gatewayHost}:${portOf(sibling)}`), resolve);
      });
      assert.equal(response.status, 200);
    });

    it('carries UTF-8 bodies and display names intact, Content-Length in bytes', async () => {
      const body = 'v=0\r\ns=Ünïcødé ☎\r\n';
      const request = peer.request('MESSAGE', peer.uri('bob'));
      request.headers.from = { name: '"Jérôme"', uri: `sip:gw@${gatewayHost}`, params: { tag: token() } };
      request.headers['content-type'] = 'text/plain';
      request.content = body;
      gateway.sendRequest(request, () => undefined);
      const incoming = await peer.nextRequest('MESSAGE');
      assert.equal(incoming.request.content, body);
      assert.equal(incoming.request.headers['content-length'], Buffer.byteLength(body));
      assert.equal(incoming.request.headers.from.name, '"Jérôme"');
      incoming.respond(peer.port.makeResponse(incoming.request, 200));
    });

    it('gives 503 locally for a next hop it cannot use', async () => {
      const response = await new Promise<SipResponse>((resolve) => {
        gateway.sendRequest(peer.request('OPTIONS', 'tel:+15551234'), resolve);
      });
      assert.equal(response.status, 503);
    });

    it('answers 513 to a request whose body exceeds maxMessageBytes', async () => {
      const small = createSipStack({
        listen: [{ transport: 'udp', host: gatewayHost, port: 0 }],
        maxMessageBytes: 100,
      });
      await small.listen();
      open.push(small);
      let handled = false;
      small.onRequest(() => {
        handled = true;
      });
      const request = peer.request('MESSAGE', `sip:gw@${gatewayHost}:${portOf(small)}`);
      request.content = 'x'.repeat(200);
      const response = await peer.send(request).next();
      assert.equal(response.status, 513);
      assert.equal(handled, false);
    });
  });
});
