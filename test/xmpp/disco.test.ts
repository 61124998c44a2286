import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { xml, type Element } from '@xmpp/component';
import {
  capsVerification,
  createDiscoCache,
  discoInfoHandler,
  GATEWAY_FEATURES,
  identityFor,
} from '../../src/xmpp/disco.ts';
import { StanzaError } from '../../src/xmpp/port.ts';

const DOMAIN = 'gw.example';

function discoGet(to: string, ns = 'http://jabber.org/protocol/disco#info', node?: string): Element {
  return xml(
    'iq',
    { type: 'get', id: 'd1', from: 'juliet@capulet.lit/balcony', to },
    xml('query', { xmlns: ns, node }),
  );
}

describe('disco#info responder', () => {
  const handler = discoInfoHandler(DOMAIN);

  it('lists the spec §6.8 features, sorted, plus disco#info', () => {
    assert.deepEqual(GATEWAY_FEATURES, [...GATEWAY_FEATURES].sort());
    assert.deepEqual(
      GATEWAY_FEATURES.filter((f) => f !== 'http://jabber.org/protocol/disco#info'),
      [
        'jid\\20escaping',
        'urn:ietf:rfc:3264',
        'urn:xmpp:jingle:1',
        'urn:xmpp:jingle:apps:dtls:0',
        'urn:xmpp:jingle:apps:grouping:0',
        'urn:xmpp:jingle:apps:rtp:1',
        'urn:xmpp:jingle:apps:rtp:audio',
        'urn:xmpp:jingle:apps:rtp:rtcp-fb:0',
        'urn:xmpp:jingle:apps:rtp:rtp-hdrext:0',
        'urn:xmpp:jingle:apps:rtp:video',
        'urn:xmpp:jingle:security:xtls:0',
        'urn:xmpp:jingle:transports:ice-udp:1',
        'urn:xmpp:jingle:transports:raw-udp:1',
      ],
    );
  });

  it('answers the domain as gateway/sip', async () => {
    const answer = await handler(discoGet(DOMAIN));
    assert.ok(answer !== false && answer !== undefined);
    assert.equal(
      answer.getChild('identity')?.toString(),
      '<identity category="gateway" type="sip" name="Jingle-SIP gateway"/>',
    );
    assert.deepEqual(
      answer.getChildren('feature').map((f) => f.attrs.var),
      GATEWAY_FEATURES,
    );
    assert.equal(answer.attrs.node, undefined);
  });

  it('answers user JIDs (bare or full) as client/phone', async () => {
    for (const to of [`alice\\40pbx.example@${DOMAIN}`, `alice\\40pbx.example@${DOMAIN}/sip`]) {
      const answer = await handler(discoGet(to));
      assert.ok(answer !== false && answer !== undefined);
      assert.equal(answer.getChild('identity')?.attrs.category, 'client');
      assert.equal(answer.getChild('identity')?.attrs.type, 'phone');
    }
  });

  it('echoes a caps node', async () => {
    const answer = await handler(discoGet(DOMAIN, undefined, 'urn:jingle-sip-gateway:caps#abc'));
    assert.ok(answer !== false && answer !== undefined);
    assert.equal(answer.attrs.node, 'urn:jingle-sip-gateway:caps#abc');
  });

  it('answers disco#items with an empty list', async () => {
    const answer = await handler(discoGet(DOMAIN, 'http://jabber.org/protocol/disco#items'));
    assert.ok(answer !== false && answer !== undefined);
    assert.equal(answer.toString(), '<query xmlns="http://jabber.org/protocol/disco#items"/>');
  });

  it('leaves other IQs, other domains and sets to other handlers', async () => {
    assert.equal(await handler(discoGet('other.example')), false);
    assert.equal(await handler(xml('iq', { type: 'get', to: DOMAIN }, xml('ping', { xmlns: 'urn:xmpp:ping' }))), false);
    assert.equal(
      await handler(
        xml('iq', { type: 'set', to: DOMAIN }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' })),
      ),
      false,
    );
  });

  it('tells the gateway from its users', () => {
    assert.equal(identityFor('GW.example', DOMAIN)?.type, 'sip');
    assert.equal(identityFor(`x@${DOMAIN}/sip`, DOMAIN)?.type, 'phone');
    assert.equal(identityFor('x@example', DOMAIN), undefined);
  });

  it('computes the XEP-0115 §5.2 example verification string', () => {
    assert.equal(
      capsVerification({ category: 'client', type: 'pc', name: 'Exodus 0.9.1' }, [
        'http://jabber.org/protocol/muc',
        'http://jabber.org/protocol/caps',
        'http://jabber.org/protocol/disco#info',
        'http://jabber.org/protocol/disco#items',
      ]),
      'QgayPKawpkPSDYmwT/WM94uAlu0=',
    );
  });
});

describe('disco#info cache', () => {
  function fakePort(answer: (iq: Element) => Promise<Element>) {
    const sent: Element[] = [];
    return {
      sent,
      port: {
        request: (iq: Element) => {
          sent.push(iq);
          return answer(iq);
        },
      },
    };
  }
  const features = (...vars: string[]) =>
    xml(
      'iq',
      { type: 'result' },
      xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' }, ...vars.map((v) => xml('feature', { var: v }))),
    );

  it('queries once per full JID (spec §8.2 assertion 50)', async () => {
    const { sent, port } = fakePort(() =>
      Promise.resolve(features('urn:xmpp:jingle:1', 'urn:xmpp:jingle:apps:dtls:0')),
    );
    const cache = createDiscoCache(port);
    const first = await cache.features('juliet@capulet.lit/balcony', 1000);
    assert.deepEqual([...first].sort(), ['urn:xmpp:jingle:1', 'urn:xmpp:jingle:apps:dtls:0']);
    await cache.features('juliet@capulet.lit/balcony', 1000);
    assert.equal(sent.length, 1);
    assert.equal(
      sent[0]?.toString(),
      '<iq type="get" to="juliet@capulet.lit/balcony"><query xmlns="http://jabber.org/protocol/disco#info"/></iq>',
    );
    await cache.features('juliet@capulet.lit/garden', 1000);
    assert.equal(sent.length, 2);
  });

  it('shares one query between concurrent lookups', async () => {
    const { sent, port } = fakePort(() => Promise.resolve(features('a')));
    const cache = createDiscoCache(port);
    await Promise.all([cache.features('x@y/z', 1000), cache.features('x@y/z', 1000)]);
    assert.equal(sent.length, 1);
  });

  it('does not cache failures', async () => {
    let fail = true;
    const { sent, port } = fakePort(() =>
      fail ? Promise.reject(new StanzaError('item-not-found', 'cancel')) : Promise.resolve(features('b')),
    );
    const cache = createDiscoCache(port);
    await assert.rejects(cache.features('x@y/z', 1000), StanzaError);
    fail = false;
    assert.deepEqual([...(await cache.features('x@y/z', 1000))], ['b']);
    assert.equal(sent.length, 2);
  });

  it('asks again once the TTL has passed', async () => {
    let clock = 0;
    const { sent, port } = fakePort(() => Promise.resolve(features('c')));
    const cache = createDiscoCache(port, { ttlMs: 100, now: () => clock });
    await cache.features('x@y/z', 1000);
    clock = 99;
    await cache.features('x@y/z', 1000);
    assert.equal(sent.length, 1);
    clock = 100;
    await cache.features('x@y/z', 1000);
    assert.equal(sent.length, 2);
  });

  it('forgets the oldest JID beyond maxEntries', async () => {
    const { sent, port } = fakePort(() => Promise.resolve(features('d')));
    const cache = createDiscoCache(port, { maxEntries: 2 });
    for (const jid of ['a@x/1', 'b@x/1', 'c@x/1', 'b@x/1']) await cache.features(jid, 1000);
    assert.equal(sent.length, 3);
    await cache.features('a@x/1', 1000);
    assert.equal(sent.length, 4);
  });
});
