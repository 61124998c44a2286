import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { xml, type Element } from '@xmpp/component';
import { capsVerification, GATEWAY_IDENTITY, PHONE_IDENTITY } from '../../src/xmpp/disco.ts';
import { presenceHandler, presenceReplies } from '../../src/xmpp/presence.ts';

const DOMAIN = 'gw.example';
const USER = 'juliet@capulet.lit/balcony';
const caps = (ver: string) =>
  `<c xmlns="http://jabber.org/protocol/caps" hash="sha-1" node="urn:jingle-sip-gateway:caps" ver="${ver}"/>`;

function replies(type: string | undefined, to: string, options = {}): string[] {
  return presenceReplies(xml('presence', { type, from: USER, to }), DOMAIN, options).map((el) => el.toString());
}

describe('presence', () => {
  it('accepts a subscription to a user JID, subscribes back and sends available presence from /sip', () => {
    const contact = `romeo\\40sip.example@${DOMAIN}`;
    assert.deepEqual(replies('subscribe', contact), [
      `<presence from="${contact}" to="juliet@capulet.lit" type="subscribed"/>`,
      `<presence from="${contact}" to="juliet@capulet.lit" type="subscribe"/>`,
      `<presence from="${contact}/sip" to="${USER}">${caps(capsVerification(PHONE_IDENTITY))}</presence>`,
    ]);
  });

  it('answers a probe of the gateway with available presence from the domain', () => {
    assert.deepEqual(replies('probe', DOMAIN), [
      `<presence from="${DOMAIN}" to="${USER}">${caps(capsVerification(GATEWAY_IDENTITY))}</presence>`,
    ]);
  });

  it('confirms an unsubscription', () => {
    assert.deepEqual(replies('unsubscribe', `x@${DOMAIN}`), [
      `<presence from="x@${DOMAIN}" to="juliet@capulet.lit" type="unsubscribed"/>`,
    ]);
  });

  it('omits caps when told to', () => {
    assert.deepEqual(replies('probe', DOMAIN, { caps: false }), [`<presence from="${DOMAIN}" to="${USER}"/>`]);
  });

  it('ignores available, unavailable, subscribed, and presence for other domains', () => {
    for (const type of [undefined, 'unavailable', 'subscribed', 'unsubscribed', 'error']) {
      assert.deepEqual(replies(type, DOMAIN), []);
    }
    assert.deepEqual(replies('subscribe', 'someone@else.example'), []);
  });

  it('sends the replies through the port', async () => {
    const sent: Element[] = [];
    const handle = presenceHandler({
      domain: DOMAIN,
      send: (el) => {
        sent.push(el);
        return Promise.resolve();
      },
    });
    handle(xml('presence', { type: 'probe', from: USER, to: DOMAIN }));
    await Promise.resolve();
    assert.equal(sent.length, 1);
    assert.equal(sent[0]?.attrs.from, DOMAIN);
  });
});
