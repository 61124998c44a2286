/**
 * The component against a scripted server, for input no real server sends: restricted XML
 * [RFC 6120 §11.1] and a server that goes away before the component ever got online.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Element } from '@xmpp/component';
import { createXmppComponent } from '../../src/xmpp/component.ts';
import { XmppAuthenticationError, XmppOfflineError, type XmppPort } from '../../src/xmpp/port.ts';
import { startFakeComponentServer, type FakeComponentServer } from './fake-component-server.ts';
import { waitForStatus } from './helpers.ts';

const DOMAIN = 'gw.example.test';
const SECRET = 'fake-secret';

describe('XMPP component against a scripted server', () => {
  const servers: FakeComponentServer[] = [];
  const ports: XmppPort[] = [];

  async function setup(secret = SECRET) {
    const server = await startFakeComponentServer(DOMAIN, SECRET);
    servers.push(server);
    const port = createXmppComponent({
      service: server.service,
      domain: DOMAIN,
      secret,
      reconnect: { initialDelayMs: 20, maxDelayMs: 50 },
      random: () => 0.5,
    });
    ports.push(port);
    return { server, port };
  }

  after(async () => {
    for (const port of ports) await port.stop();
    for (const server of servers) await server.close();
  });

  it('closes the stream with restricted-xml on a DOCTYPE, ignores what follows, and reconnects', async () => {
    const { server, port } = await setup();
    const messages: Element[] = [];
    port.onMessage((message) => messages.push(message));
    await port.start();
    server.write(`<message from='a@example.test/r' to='${DOMAIN}' id='before'><body>1</body></message>`);
    server.write(
      `<!DOCTYPE lol [<!ENTITY lol "lol">]><message from='a@example.test/r' to='${DOMAIN}' id='after'><body>&lol;</body></message>`,
    );
    const sent = await server.waitForText('</stream:stream>', 3000);
    assert.match(
      sent,
      /<stream:error><restricted-xml xmlns="urn:ietf:params:xml:ns:xmpp-streams"\/><\/stream:error><\/stream:stream>$/,
    );
    await server.waitForHandshake(2, 5000);
    await waitForStatus(port, 'online', 3000);
    assert.deepEqual(
      messages.map((m) => m.attrs.id),
      ['before'],
    );
  });

  it('refuses a processing instruction inside the stream the same way', async () => {
    const { server, port } = await setup();
    await port.start();
    server.write("<?xml-stylesheet href='x'?>");
    await server.waitForText('restricted-xml', 3000);
    await server.waitForHandshake(2, 5000);
  });

  it('refuses an entity declaration inside a stanza (no DOCTYPE) with restricted-xml, delivering nothing of it', async () => {
    const { server, port } = await setup();
    const messages: Element[] = [];
    port.onMessage((message) => messages.push(message));
    await port.start();
    server.write(
      `<message from='a@example.test/r' to='${DOMAIN}' id='lol'><!ENTITY lol "lol"><body>&lol;</body></message>`,
    );
    const sent = await server.waitForText('</stream:stream>', 3000);
    assert.match(sent, /<stream:error><restricted-xml xmlns="urn:ietf:params:xml:ns:xmpp-streams"\/><\/stream:error>/);
    await server.waitForHandshake(2, 5000);
    assert.deepEqual(messages, []);
  });

  it('rejects start() with XmppAuthenticationError and connects only once', async () => {
    const { server, port } = await setup('not-the-secret');
    await assert.rejects(port.start(), XmppAuthenticationError);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(server.connections(), 1);
    assert.equal(port.status, 'stopped');
  });

  it('keeps retrying while the server is unreachable; stop() then rejects start()', async () => {
    const server = await startFakeComponentServer(DOMAIN, SECRET);
    const service = server.service;
    await server.close();
    const retrying = createXmppComponent({
      service,
      domain: DOMAIN,
      secret: SECRET,
      reconnect: { initialDelayMs: 10, maxDelayMs: 20 },
    });
    ports.push(retrying);
    let connecting = 0;
    retrying.onStatus((status) => {
      if (status === 'connecting') connecting += 1;
    });
    const started = retrying.start();
    const outcome = assert.rejects(started, XmppOfflineError);
    while (connecting < 3) await new Promise((resolve) => setTimeout(resolve, 10));
    await retrying.stop();
    await outcome;
    assert.equal(retrying.status, 'stopped');
  });
});
