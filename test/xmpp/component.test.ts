/**
 * The XEP-0114 component against a real Prosody 0.12 (test/e2e/harness/prosody.ts) and an
 * @xmpp/client user: connection, bad secret, IQs both ways, inbound limits, reconnection.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { xml, type Element } from '@xmpp/component';
import { createXmppComponent, type XmppComponentOptions } from '../../src/xmpp/component.ts';
import {
  IqTimeoutError,
  StanzaError,
  XmppAuthenticationError,
  XmppOfflineError,
  type XmppPort,
  type XmppStatus,
} from '../../src/xmpp/port.ts';
import { startProsody, type ProsodyServer } from '../e2e/harness/prosody.ts';
import { connectUser, IqErrorResponse, type XmppUser } from '../e2e/harness/xmpp-user.ts';
import { discoInfoHandler, GATEWAY_FEATURES } from '../../src/xmpp/disco.ts';
import { presenceHandler } from '../../src/xmpp/presence.ts';
import { waitForStatus } from './helpers.ts';

const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

describe('XMPP component against Prosody', () => {
  let prosody: ProsodyServer;
  let alice: XmppUser;
  let gateway: XmppPort;
  const statuses: XmppStatus[] = [];
  const messages: Element[] = [];
  const others: XmppPort[] = [];

  function options(overrides: Partial<XmppComponentOptions> = {}): XmppComponentOptions {
    return {
      service: prosody.service,
      domain: prosody.componentDomain,
      secret: prosody.componentSecret,
      reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
      random: () => 0.5,
      ...overrides,
    };
  }

  async function connectAlice(): Promise<XmppUser> {
    return connectUser({
      service: prosody.c2sService,
      domain: prosody.domain,
      username: 'alice',
      password: 'alice-pass',
      resource: 'desk',
    });
  }

  before(async () => {
    prosody = await startProsody({ users: [{ username: 'alice', password: 'alice-pass' }] });
    alice = await connectAlice();
    await alice.presence();
  });

  after(async () => {
    await alice.close();
    await gateway.stop();
    for (const port of others) await port.stop();
    await prosody.stop();
  });

  it('connects and goes online', async () => {
    gateway = createXmppComponent(options({ limits: { maxStanzaBytes: 4096, maxDepth: 8 } }));
    gateway.onStatus((status) => statuses.push(status));
    gateway.onMessage((message) => messages.push(message));
    gateway.onIq(async (iq) => {
      // Answer a tick later, as a real handler would after queueing the IQ.
      await new Promise((resolve) => setImmediate(resolve));
      const payload = iq.getChildElements()[0]!;
      if (payload.is('echo', 'urn:example:test')) return xml('echo', { xmlns: 'urn:example:test', to: iq.attrs.to });
      if (payload.is('empty', 'urn:example:test')) return undefined;
      if (payload.is('fail', 'urn:example:test')) {
        throw new StanzaError('item-not-found', 'cancel', { jingle: 'unknown-session', text: 'no such session' });
      }
      return false;
    });
    gateway.onIq(discoInfoHandler(prosody.componentDomain));
    gateway.onPresence(presenceHandler(gateway));
    assert.equal(gateway.status, 'offline');
    await gateway.start();
    assert.equal(gateway.status, 'online');
    assert.deepEqual(statuses, ['connecting', 'online']);
  });

  it('rejects start() on a bad secret and does not retry', async () => {
    const intruder = createXmppComponent(options({ secret: 'wrong', reconnect: { initialDelayMs: 1, maxDelayMs: 1 } }));
    others.push(intruder);
    const seen: XmppStatus[] = [];
    intruder.onStatus((status) => seen.push(status));
    await assert.rejects(intruder.start(), XmppAuthenticationError);
    // With 1 ms backoff a retry would show up as another 'connecting' long before this.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(seen, ['connecting', 'stopped']);
    assert.equal(intruder.status, 'stopped');
    assert.equal(gateway.status, 'online');
  });

  it('answers disco#info through Prosody', async () => {
    const result = await alice.iq(
      xml(
        'iq',
        { type: 'get', to: prosody.componentDomain },
        xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' }),
      ),
    );
    const query = result.getChild('query', 'http://jabber.org/protocol/disco#info');
    assert.equal(query?.getChild('identity')?.attrs.type, 'sip');
    assert.deepEqual(
      query?.getChildren('feature').map((f) => f.attrs.var),
      GATEWAY_FEATURES,
    );
  });

  it('accepts a presence subscription routed by Prosody and subscribes back', async () => {
    const contact = `romeo\\40sip.example@${prosody.componentDomain}`;
    // RFC 6121 §2.1.6: only a resource that fetched the roster is sent `subscribed`.
    await alice.iq(xml('iq', { type: 'get' }, xml('query', { xmlns: 'jabber:iq:roster' })));
    await alice.send(xml('presence', { to: contact, type: 'subscribe' }));
    await alice.waitFor(
      (el) => el.is('presence') && el.attrs.type === 'subscribed' && el.attrs.from === contact,
      3000,
      'subscribed',
    );
    await alice.waitFor(
      (el) => el.is('presence') && el.attrs.type === 'subscribe' && el.attrs.from === contact,
      3000,
      'subscribe',
    );
    const available = await alice.waitFor(
      (el) => el.is('presence') && el.attrs.type === undefined && el.attrs.from === `${contact}/sip`,
      3000,
      'available presence',
    );
    assert.equal(available.getChild('c', 'http://jabber.org/protocol/caps')?.attrs.hash, 'sha-1');
  });

  it('answers an IQ from a user with the handler result, from the addressed JID', async () => {
    const to = `bob\\40sip.example@${prosody.componentDomain}`;
    const result = await alice.iq(xml('iq', { type: 'get', to }, xml('echo', { xmlns: 'urn:example:test' })));
    assert.equal(result.attrs.from, to);
    assert.equal(result.getChild('echo', 'urn:example:test')?.attrs.to, to);
    const empty = await alice.iq(xml('iq', { type: 'set', to }, xml('empty', { xmlns: 'urn:example:test' })));
    assert.equal(empty.attrs.type, 'result');
    assert.equal(empty.getChildElements().length, 0);
  });

  it('answers a StanzaError thrown by a handler with a typed error element', async () => {
    const to = prosody.componentDomain;
    await assert.rejects(
      alice.iq(xml('iq', { type: 'set', to }, xml('fail', { xmlns: 'urn:example:test' }))),
      (err) => {
        assert.ok(err instanceof IqErrorResponse);
        const error = err.stanza.getChild('error')!;
        assert.equal(error.attrs.type, 'cancel');
        // Prosody re-serialises attributes in hash order, so compare structure, not text.
        assert.deepEqual(
          error.getChildElements().map((child) => [child.name, child.attrs.xmlns, child.text()]),
          [
            ['item-not-found', NS_STANZAS, ''],
            ['text', NS_STANZAS, 'no such session'],
            ['unknown-session', 'urn:xmpp:jingle:errors:1', ''],
          ],
        );
        return true;
      },
    );
  });

  it('answers an IQ nobody handles with service-unavailable and never answers results', async () => {
    const to = prosody.componentDomain;
    await alice.send(xml('iq', { type: 'result', id: 'unsolicited-1', to }));
    await alice.send(xml('iq', { type: 'error', id: 'unsolicited-2', to }, xml('error', { type: 'cancel' })));
    await assert.rejects(
      alice.iq(xml('iq', { type: 'get', to }, xml('unknown', { xmlns: 'urn:example:none' }))),
      (err) => {
        assert.ok(err instanceof IqErrorResponse);
        assert.ok(err.stanza.getChild('error')?.getChild('service-unavailable', NS_STANZAS));
        return true;
      },
    );
    // The service-unavailable answer came after both unsolicited IQs: had they been answered, it would be here.
    assert.deepEqual(
      alice.received.filter((el) => el.attrs.id === 'unsolicited-1' || el.attrs.id === 'unsolicited-2'),
      [],
    );
  });

  it('sends a request to a user and resolves with the result', async () => {
    const result = await gateway.request(
      xml('iq', { type: 'get', to: alice.fullJid }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' })),
      3000,
    );
    assert.equal(result.attrs.from, alice.fullJid);
    assert.equal(result.attrs.to, prosody.componentDomain);
    const features = result
      .getChild('query')
      ?.getChildren('feature')
      .map((f) => f.attrs.var);
    assert.ok(features?.includes('urn:xmpp:jingle:1'));
  });

  it('rejects a request answered with an error with the parsed StanzaError', async () => {
    const request = gateway.request(
      xml(
        'iq',
        { type: 'set', to: alice.fullJid, from: `carol@${prosody.componentDomain}/sip` },
        xml('manual', { xmlns: 'urn:example:test' }),
      ),
      3000,
    );
    const incoming = await alice.waitFor(
      (el) => el.getChild('manual', 'urn:example:test') !== undefined,
      3000,
      'manual IQ',
    );
    assert.equal(incoming.attrs.from, `carol@${prosody.componentDomain}/sip`);
    await alice.send(
      xml(
        'iq',
        { type: 'error', id: incoming.attrs.id, to: incoming.attrs.from },
        xml(
          'error',
          { type: 'modify' },
          xml('bad-request', { xmlns: NS_STANZAS }),
          xml('text', { xmlns: NS_STANZAS }, 'out of order'),
          xml('out-of-order', { xmlns: 'urn:xmpp:jingle:errors:1' }),
        ),
      ),
    );
    await assert.rejects(request, (err) => {
      assert.ok(err instanceof StanzaError);
      assert.equal(err.condition, 'bad-request');
      assert.equal(err.type, 'modify');
      assert.equal(err.jingle, 'out-of-order');
      assert.equal(err.message, 'out of order');
      assert.equal(err.stanza?.attrs.from, alice.fullJid);
      return true;
    });
  });

  it('rejects a request nobody answers with IqTimeoutError', async () => {
    const request = gateway.request(
      xml('iq', { type: 'get', to: alice.fullJid }, xml('manual', { xmlns: 'urn:example:silent' })),
      300,
    );
    await assert.rejects(request, (err) => {
      assert.ok(err instanceof IqTimeoutError);
      assert.equal(err.timeoutMs, 300);
      return true;
    });
  });

  it("rejects a request to an unavailable resource with the server's error", async () => {
    await assert.rejects(
      gateway.request(
        xml('iq', { type: 'get', to: 'alice@example.test/gone' }, xml('ping', { xmlns: 'urn:xmpp:ping' })),
        3000,
      ),
      (err) => {
        assert.ok(err instanceof StanzaError);
        assert.equal(err.condition, 'service-unavailable');
        return true;
      },
    );
  });

  it('stamps `from` with the component domain and delivers messages both ways', async () => {
    await gateway.send(xml('message', { to: alice.fullJid, id: 'gw-msg' }, xml('body', {}, 'from the gateway')));
    const got = await alice.waitFor((el) => el.attrs.id === 'gw-msg', 3000, 'gateway message');
    assert.equal(got.attrs.from, prosody.componentDomain);
    await alice.send(xml('message', { to: `x@${prosody.componentDomain}`, id: 'user-msg' }, xml('body', {}, 'hi')));
    await waitUntil(() => messages.some((m) => m.attrs.id === 'user-msg'), 3000);
    assert.equal(messages.find((m) => m.attrs.id === 'user-msg')?.attrs.from, alice.fullJid);
  });

  it('refuses an oversize IQ with policy-violation and keeps the stream', async () => {
    const to = `big@${prosody.componentDomain}`;
    const payload = xml('echo', { xmlns: 'urn:example:test' }, xml('blob', {}, 'x'.repeat(10_000)));
    await assert.rejects(alice.iq(xml('iq', { type: 'set', to }, payload)), (err) => {
      assert.ok(err instanceof IqErrorResponse);
      const error = err.stanza.getChild('error')!;
      assert.equal(error.attrs.type, 'modify');
      assert.ok(error.getChild('policy-violation', NS_STANZAS));
      assert.equal(error.getChildText('text', NS_STANZAS), 'stanza larger than 4096 bytes');
      assert.equal(err.stanza.attrs.from, to);
      return true;
    });
    const ok = await alice.iq(xml('iq', { type: 'get', to }, xml('echo', { xmlns: 'urn:example:test' })));
    assert.equal(ok.attrs.type, 'result');
    assert.deepEqual(statuses, ['connecting', 'online']);
  });

  it('refuses an IQ nested deeper than maxDepth with policy-violation', async () => {
    let deep = xml('leaf');
    for (let i = 0; i < 10; i++) deep = xml('n', {}, deep);
    const to = prosody.componentDomain;
    await assert.rejects(
      alice.iq(xml('iq', { type: 'set', to }, xml('echo', { xmlns: 'urn:example:test' }, deep))),
      (err) => {
        assert.ok(err instanceof IqErrorResponse);
        assert.equal(
          err.stanza.getChild('error')?.getChildText('text', NS_STANZAS),
          'stanza nested deeper than 8 elements',
        );
        return true;
      },
    );
    assert.equal(gateway.status, 'online');
  });

  it('rejects pending requests when the stream drops and reconnects after a Prosody restart', async () => {
    const pending = gateway.request(
      xml('iq', { type: 'get', to: alice.fullJid }, xml('manual', { xmlns: 'urn:example:slow' })),
      10_000,
    );
    const pendingRejected = assert.rejects(pending, XmppOfflineError);
    await alice.waitFor((el) => el.getChild('manual', 'urn:example:slow') !== undefined, 3000, 'slow IQ');
    await prosody.kill();
    await pendingRejected;
    await waitForStatus(gateway, 'offline', 3000);
    await assert.rejects(gateway.send(xml('message', { to: 'alice@example.test' })), XmppOfflineError);
    await prosody.start();
    await waitForStatus(gateway, 'online', 10_000);
    assert.deepEqual(statuses.slice(0, 3), ['connecting', 'online', 'offline']);
    assert.equal(statuses.at(-1), 'online');
    await alice.close();
    alice = await connectAlice();
    const result = await alice.iq(
      xml('iq', { type: 'get', to: prosody.componentDomain }, xml('echo', { xmlns: 'urn:example:test' })),
    );
    assert.equal(result.attrs.type, 'result');
  });

  it('stops idempotently', async () => {
    await Promise.all([gateway.stop(), gateway.stop()]);
    await gateway.stop();
    assert.equal(gateway.status, 'stopped');
    await assert.rejects(gateway.send(xml('message', { to: alice.fullJid })), XmppOfflineError);
  });
});

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
