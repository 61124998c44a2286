/**
 * Smoke test of the e2e harness itself: a private Prosody starts, a user logs in with PLAIN and
 * receives its own message, an IQ round-trips, and everything stops.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { xml } from '@xmpp/client';
import { startProsody, type ProsodyServer } from './harness/prosody.ts';
import { connectUser, IqErrorResponse, type XmppUser } from './harness/xmpp-user.ts';

describe('e2e harness: Prosody + @xmpp/client user', () => {
  let prosody: ProsodyServer;
  let alice: XmppUser | undefined;

  before(async () => {
    prosody = await startProsody({ users: [{ username: 'alice', password: 'wonderland' }] });
  });

  after(async () => {
    await alice?.close();
    await prosody.stop();
  });

  it('starts Prosody with the requested accounts and ports', () => {
    assert.equal(prosody.domain, 'example.test');
    assert.equal(prosody.componentDomain, 'gw.example.test');
    assert.equal(prosody.service, `xmpp://127.0.0.1:${String(prosody.componentPort)}`);
    assert.deepEqual(
      prosody.users.map((user) => user.jid),
      ['alice@example.test'],
    );
  });

  it('logs a user in and delivers a message the user sends to itself', async () => {
    alice = await connectUser({
      service: prosody.c2sService,
      domain: prosody.domain,
      username: 'alice',
      password: 'wonderland',
      resource: 'smoke',
    });
    assert.equal(alice.fullJid, 'alice@example.test/smoke');
    await alice.presence();
    await alice.send(xml('message', { to: alice.fullJid, type: 'chat', id: 'm1' }, xml('body', {}, 'hello me')));
    const message = await alice.waitFor((el) => el.is('message') && el.attrs.id === 'm1', 3000, 'own message');
    assert.equal(message.getChildText('body'), 'hello me');
    assert.equal(message.attrs.from, 'alice@example.test/smoke');
  });

  it('resolves IQ results and rejects IQ errors with the error stanza', async () => {
    const user = alice!;
    const pong = await user.iq(xml('iq', { type: 'get', to: prosody.domain }, xml('ping', { xmlns: 'urn:xmpp:ping' })));
    assert.equal(pong.attrs.type, 'result');
    await assert.rejects(
      user.iq(xml('iq', { type: 'get', to: prosody.domain }, xml('nothing', { xmlns: 'urn:example:none' }))),
      (error: unknown) => {
        assert.ok(error instanceof IqErrorResponse);
        assert.ok(
          error.stanza.getChild('error')?.getChild('service-unavailable', 'urn:ietf:params:xml:ns:xmpp-stanzas'),
        );
        return true;
      },
    );
  });

  it('rejects a wrong password', async () => {
    await assert.rejects(
      connectUser({ service: prosody.c2sService, domain: prosody.domain, username: 'alice', password: 'wrong' }),
      /not-authorized/,
    );
  });
});
