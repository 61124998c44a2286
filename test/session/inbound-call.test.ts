import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { xml } from '@xmpp/component';
import { describe, it } from 'node:test';
import { parseXmlElement } from '../../src/mapping/jingle/xml.ts';
import { inviteHandler, jingleIqHandler, jmiMessageHandler } from '../../src/session/router.ts';
import { StanzaError } from '../../src/xmpp/port.ts';
import { FakeIncomingInvite, fakeContext, inviteRequest, settle } from './fakes.ts';

const golden = (name: string) => readFileSync(new URL(`../golden/${name}`, import.meta.url), 'utf8');
const CALLER = 'alice\\40pbx.example.org@gw.example/sip';
const NS_JMI = 'urn:xmpp:jingle-message:0';

function setup(uri: string) {
  const f = fakeContext({ jingle: { security: 'dtls' } });
  f.xmpp.onIq(jingleIqHandler(f.ctx));
  f.xmpp.onMessage(jmiMessageHandler(f.ctx));
  const invite = new FakeIncomingInvite(inviteRequest(uri, golden('s2-to-jul.sdp')));
  inviteHandler(f.ctx)(invite);
  return { ...f, invite };
}

describe('SIP → XMPP call', () => {
  it('a callee redirect (xmpp:JID) → 302 with the JID as a SIP Contact (spec §6.5)', async () => {
    const { xmpp, invite } = setup('sip:juliet%40capulet.lit%2Fbalcony@sip.gw.example');
    await settle();
    const initiate = xmpp.requests.find((r) => r.iq.getChild('jingle') !== undefined)!;
    const error = xml(
      'iq',
      { type: 'error' },
      xml(
        'error',
        { type: 'modify' },
        xml('redirect', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }, 'xmpp:juliet@montague.lit'),
      ),
    );
    initiate.reject(new StanzaError('redirect', 'modify', { stanza: error }));
    await settle();
    assert.equal(invite.final?.status, 302);
    assert.equal(invite.final?.headers?.Contact, '<sip:juliet%40montague.lit@sip.gw.example>');
  });

  it('the callee’s answer is matched case-insensitively on the bare JID (RFC 7622)', async () => {
    const { xmpp, invite } = setup('sip:Juliet%40Capulet.lit%2Fbalcony@sip.gw.example');
    await settle();
    const initiate = xmpp.requests.find((r) => r.iq.getChild('jingle') !== undefined)!;
    assert.equal(initiate.iq.attrs.to, 'Juliet@Capulet.lit/balcony');
    const sid = initiate.iq.getChild('jingle')!.attrs.sid!;
    const accept = parseXmlElement(
      golden('s2-jul-accept-actpass.jingle.xml')
        .replace(/sid='[^']*'/, `sid='${sid}'`)
        .replace(/setup='actpass'/, "setup='active'"),
    );
    const outcome = await xmpp.deliverIq(
      xml('iq', { type: 'set', from: 'juliet@capulet.lit/balcony', to: CALLER }, accept),
    );
    assert.equal(outcome.error, undefined);
    assert.match(invite.accepted?.sdp ?? '', /a=setup:active/);
  });

  it('JMI: reject without a reason → 486; a CANCEL after proceed → session-terminate with the Reason cause and <finish/>', async () => {
    const first = setup('sip:juliet%40capulet.lit@sip.gw.example');
    await settle();
    const propose = first.xmpp.sent.find((s) => s.getChild('propose', NS_JMI) !== undefined)!;
    const id = propose.getChild('propose', NS_JMI)!.attrs.id!;
    first.xmpp.deliverMessage(
      xml('message', { from: 'juliet@capulet.lit/phone', to: CALLER }, xml('reject', { xmlns: NS_JMI, id })),
    );
    await settle();
    assert.equal(first.invite.final?.status, 486);

    const second = setup('sip:juliet%40capulet.lit@sip.gw.example');
    await settle();
    const id2 = second.xmpp.sent.find((s) => s.getChild('propose', NS_JMI) !== undefined)!.getChild('propose', NS_JMI)!
      .attrs.id!;
    second.xmpp.deliverMessage(
      xml('message', { from: 'juliet@capulet.lit/phone', to: CALLER }, xml('proceed', { xmlns: NS_JMI, id: id2 })),
    );
    await settle();
    assert.ok(second.xmpp.requests.some((r) => r.iq.attrs.to === 'juliet@capulet.lit/phone'));
    const cancel = {
      ...second.invite.request,
      method: 'CANCEL',
      headers: { ...second.invite.request.headers, reason: 'SIP ;cause=486 ;text="Busy Here"' },
    };
    second.invite.handlers!.cancelled(cancel);
    await settle();
    const terminate = second.xmpp.jingle('session-terminate')[0]!;
    assert.ok(terminate.getChild('jingle')!.getChild('reason')!.getChild('busy'), terminate.toString());
    const finish = second.xmpp.sent.find((s) => s.getChild('finish', NS_JMI) !== undefined);
    assert.ok(finish, 'finish sent');
    assert.equal(finish.attrs.to, 'juliet@capulet.lit/phone');
  });
});
