/**
 * A few of the malformed-Jingle cases on the wire: an `@xmpp/client` user sends them through
 * Prosody 0.12 to the running gateway (test/e2e/harness), proving the error stanzas as the peer
 * receives them, and the inbound limits with their defaults (64 KiB, depth 32) behind Prosody's
 * own: Prosody refuses a client stanza over `c2s_stanza_size_limit` (256 KiB by default) itself by
 * closing that client's stream, so such a stanza never reaches the gateway.
 */
import assert from 'node:assert/strict';
import { xml, type Element } from '@xmpp/component';
import { after, before, describe, it } from 'node:test';
import { parseXmlElement } from '../../src/mapping/jingle/xml.ts';
import { parseStanzaError } from '../../src/xmpp/stanza-error.ts';
import { startTestGateway, type TestGateway } from '../e2e/harness/gateway.ts';
import { startProsody, type ProsodyServer } from '../e2e/harness/prosody.ts';
import { connectUser, IqErrorResponse, type XmppUser } from '../e2e/harness/xmpp-user.ts';
import { isJingle, reasonOf } from '../e2e/helpers.ts';
import { FP16, J1_CANDIDATE, dtlsFingerprint, iceTransport } from '../helpers/jingle-fixtures.ts';
import { jingle, nested, rtpContent } from './jingle-cases.ts';

/** The `<error/>` of the IQ error `promise` rejects with, as [condition, type, jingle condition, text]. */
async function errorOf(promise: Promise<Element>): Promise<(string | undefined)[]> {
  try {
    const answer = await promise;
    return assert.fail(`expected an IQ error, got ${answer.toString()}`);
  } catch (err) {
    if (!(err instanceof IqErrorResponse)) throw err;
    const error = parseStanzaError(err.stanza);
    return [error.condition, error.type, error.jingle, error.message === error.condition ? undefined : error.message];
  }
}

describe('malformed Jingle on the wire (Prosody + gateway)', () => {
  let prosody: ProsodyServer;
  let gw: TestGateway;
  let alice: XmppUser;
  const users: XmppUser[] = [];
  let callee: string;

  const login = async (username: string, resource: string) => {
    const user = await connectUser({
      service: prosody.c2sService,
      domain: prosody.domain,
      username,
      password: `${username}-pass`,
      resource,
    });
    users.push(user);
    return user;
  };
  const send = (user: XmppUser, payload: string) =>
    user.iq(
      xml('iq', { type: 'set', to: callee }, parseXmlElement(payload, { maxBytes: 1024 * 1024, maxDepth: 100 })),
      5000,
    );

  before(async () => {
    prosody = await startProsody();
    gw = await startTestGateway({ prosody });
    callee = `+15551234567\\40sip.example.net@${prosody.componentDomain}`;
    alice = await login('alice', 'wire');
  });

  after(async () => {
    for (const user of users) await user.close().catch(() => undefined);
    await gw?.close();
    await prosody?.stop();
  });

  const initiate = (inner: string, sid = 'w1') =>
    jingle(`action='session-initiate' sid='${sid}' initiator='${alice.fullJid}'`, inner);

  it('urn:xmpp:jingle:0 → service-unavailable (cancel)', async () => {
    const payload = jingle(
      `action='session-initiate' sid='w0' initiator='${alice.fullJid}'`,
      rtpContent(),
      'urn:xmpp:jingle:0',
    );
    assert.deepEqual((await errorOf(send(alice, payload))).slice(0, 3), ['service-unavailable', 'cancel', undefined]);
  });

  it("unknown action → bad-request (cancel) with the gateway's text", async () => {
    assert.deepEqual(await errorOf(send(alice, jingle(`action='foo' sid='zzz'`))), [
      'bad-request',
      'cancel',
      undefined,
      'unknown Jingle action foo',
    ]);
  });

  it('transport-info for an unknown sid → item-not-found + <unknown-session/>', async () => {
    const [condition, type, app] = await errorOf(send(alice, jingle(`action='transport-info' sid='nosuch'`)));
    assert.deepEqual([condition, type, app], ['item-not-found', 'cancel', 'unknown-session']);
  });

  it("hash='md5' → IQ result, then session-terminate <security-error/> from the callee's JID", async () => {
    const fp = dtlsFingerprint(`hash='md5' setup='actpass'`, FP16);
    const result = await send(alice, initiate(rtpContent(iceTransport(`${fp}${J1_CANDIDATE}`)), 'md5'));
    assert.equal(result.attrs.type, 'result');
    const terminate = await alice.waitFor(isJingle('session-terminate', 'md5'), 5000, 'session-terminate');
    assert.equal(reasonOf(terminate), 'security-error');
    // No session was created: the terminate comes from the JID the request was addressed to.
    assert.equal(terminate.attrs.from, callee);
  });

  it('a 70 KB session-initiate → policy-violation (modify) from the gateway; the stream stays up', async () => {
    const padded = initiate(`${rtpContent()}<x xmlns='urn:example:pad'>${'p'.repeat(70_000)}</x>`, 'big');
    assert.deepEqual(await errorOf(send(alice, padded)), [
      'policy-violation',
      'modify',
      undefined,
      'stanza larger than 65536 bytes',
    ]);
    assert.equal(gw.gateway.health().xmpp, 'online');
    assert.deepEqual((await errorOf(send(alice, jingle(`action='foo' sid='zzz'`)))).slice(0, 2), [
      'bad-request',
      'cancel',
    ]);
  });

  it('a session-initiate nested 40 deep → policy-violation (modify)', async () => {
    const deep = initiate(`${rtpContent()}<x xmlns='urn:example:deep'>${nested(40)}</x>`, 'deep');
    assert.deepEqual(await errorOf(send(alice, deep)), [
      'policy-violation',
      'modify',
      undefined,
      'stanza nested deeper than 32 elements',
    ]);
  });

  it('a 300 KB stanza is refused by Prosody (c2s limit): the client stream closes, the gateway never sees it', async () => {
    const bob = await login('bob', 'huge');
    const closed = new Promise<unknown>((resolve) => {
      bob.client.on('error', resolve);
    });
    const huge = initiate(`${rtpContent()}<x xmlns='urn:example:pad'>${'p'.repeat(300_000)}</x>`, 'huge');
    bob
      .send(xml('iq', { type: 'set', to: callee, id: 'huge1' }, parseXmlElement(huge, { maxBytes: 1024 * 1024 })))
      .catch(() => undefined);
    const event = await closed;
    // Prosody 0.12 (util/xmppstream "stanza-too-large"): stream error policy-violation, "XML stanza is too big".
    const streamError = event as Error & { condition?: string };
    assert.equal(streamError.name, 'StreamError');
    assert.equal(streamError.condition, 'policy-violation');
    assert.equal(gw.gateway.health().xmpp, 'online');
    // The gateway and Alice's stream are untouched.
    assert.deepEqual((await errorOf(send(alice, jingle(`action='foo' sid='zzz'`)))).slice(0, 2), [
      'bad-request',
      'cancel',
    ]);
  });
});
