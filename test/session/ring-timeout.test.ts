/**
 * The no-answer timeout (`jingle.ringTimeoutMs`) in both directions: a callee that rings (or only
 * acknowledged the offer) and then falls silent must not keep the call for ever.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { xml } from '@xmpp/component';
import { describe, it } from 'node:test';
import { parseXmlElement } from '../../src/mapping/jingle/xml.ts';
import { CallState } from '../../src/session/call-state.ts';
import { inviteHandler, jingleIqHandler, jmiMessageHandler } from '../../src/session/router.ts';
import { FakeDialog, FakeIncomingInvite, fakeContext, iqSet, inviteRequest, settle, sipResponse } from './fakes.ts';

const golden = (name: string) => readFileSync(new URL(`../golden/${name}`, import.meta.url), 'utf8');
const RING_MS = 5000;
const NS_JMI = 'urn:xmpp:jingle-message:0';

describe('XMPP → SIP: the SIP callee does not answer', () => {
  const ROMEO = 'romeo@example.org/orchard';
  const CALLEE = '+15551234567\\40sip.example.net@gw.example';
  const SID = 'a73sjjvkla37jfea';

  async function ringingCall() {
    const f = fakeContext({ jingle: { ringTimeoutMs: RING_MS } });
    f.xmpp.onIq(jingleIqHandler(f.ctx));
    const jingle = parseXmlElement(golden('j1-xep0320-ice.jingle.xml').replace(/romeo@montague\.lit\/orchard/g, ROMEO));
    assert.equal((await f.xmpp.deliverIq(iqSet(ROMEO, CALLEE, jingle))).error, undefined);
    await settle();
    const invite = f.sip.invites[0]!;
    invite.handlers.provisional(sipResponse(180, 'Ringing', invite.callId));
    await settle();
    return { ...f, invite };
  }

  it('180 and then silence → CANCEL with Reason 408 and session-terminate <timeout/>; the call is gone', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { ctx, xmpp, invite, observed } = await ringingCall();
    t.mock.timers.tick(RING_MS - 1);
    await settle();
    assert.equal(invite.cancelled, null, 'no CANCEL before the timeout');
    assert.equal(ctx.registry.size, 1);

    t.mock.timers.tick(1);
    await settle();
    // spec §6.3: initiator pending → CANCEL with `Reason: SIP ;cause=<code> ;text="<condition>"`.
    assert.equal(invite.cancelled, 'SIP ;cause=408 ;text="timeout"');
    const terminate = xmpp.jingle('session-terminate');
    assert.equal(terminate.length, 1);
    assert.equal(
      terminate[0]!.toString(),
      `<iq type="set" from="${CALLEE}/sip" to="${ROMEO}"><jingle xmlns="urn:xmpp:jingle:1" action="session-terminate" sid="${SID}"><reason><timeout/></reason></jingle></iq>`,
    );
    assert.deepEqual(observed.ended, [['xmpp-to-sip', 'timeout']]);
    assert.equal(ctx.registry.size, 0);
    assert.equal(ctx.registry.findByJingle(ROMEO, SID), undefined);

    // The 487 of the CANCEL is the layer's (no handler); a late 2xx is ACKed and BYEd by it too.
    const before = xmpp.sent.length;
    t.mock.timers.runAll();
    await settle();
    assert.equal(xmpp.sent.length, before);
  });

  it('an answer before the timeout stops it: no CANCEL, the call stays active', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { ctx, xmpp, invite, observed } = await ringingCall();
    const dialog = new FakeDialog(invite.callId);
    invite.handlers.accepted(dialog, sipResponse(200, 'OK', invite.callId, golden('j1-answer-active.sdp')));
    await settle();
    t.mock.timers.tick(RING_MS * 2);
    await settle();
    assert.equal(invite.cancelled, null);
    assert.deepEqual(dialog.requests, []);
    assert.equal(xmpp.jingle('session-terminate').length, 0);
    assert.deepEqual(observed.ended, []);
    assert.equal(ctx.registry.findByJingle(ROMEO, SID)?.state, CallState.Active);
  });
});

describe('SIP → XMPP: the XMPP callee does not answer', () => {
  const CALLER = 'alice\\40pbx.example.org@gw.example/sip';

  function call(uri: string) {
    const f = fakeContext({ jingle: { security: 'dtls', ringTimeoutMs: RING_MS } });
    f.xmpp.onIq(jingleIqHandler(f.ctx));
    f.xmpp.onMessage(jmiMessageHandler(f.ctx));
    const invite = new FakeIncomingInvite(inviteRequest(uri, golden('s2-to-jul.sdp')));
    inviteHandler(f.ctx)(invite);
    return { ...f, invite };
  }

  const sessionInitiate = (f: ReturnType<typeof call>) =>
    f.xmpp.requests.find((r) => r.iq.getChild('jingle')?.attrs.action === 'session-initiate');

  it('full JID: acknowledged session-initiate, then silence → 480 and session-terminate <timeout/>', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const f = call('sip:juliet%40capulet.lit%2Fbalcony@sip.gw.example');
    await settle();
    const initiate = sessionInitiate(f)!;
    const sid = initiate.iq.getChild('jingle')!.attrs.sid!;
    // Unacknowledged, the IQ timeout (408, spec §6.5) is in charge, not the ring timer.
    t.mock.timers.tick(RING_MS);
    await settle();
    assert.equal(f.invite.final, undefined);

    initiate.resolve(xml('iq', { type: 'result', from: 'juliet@capulet.lit/balcony', to: CALLER }));
    await settle();
    t.mock.timers.tick(RING_MS - 1);
    await settle();
    assert.equal(f.invite.final, undefined);
    assert.equal(f.ctx.registry.size, 1);

    t.mock.timers.tick(1);
    await settle();
    // spec §6.7 step 5, §6.9: the ring timeout → 480.
    assert.deepEqual(f.invite.final, { status: 480, reason: 'Temporarily Unavailable', headers: {} });
    const terminate = f.xmpp.jingle('session-terminate');
    assert.equal(terminate.length, 1);
    assert.equal(
      terminate[0]!.toString(),
      `<iq type="set" from="${CALLER}" to="juliet@capulet.lit/balcony"><jingle xmlns="urn:xmpp:jingle:1" action="session-terminate" sid="${sid}"><reason><timeout/></reason></jingle></iq>`,
    );
    assert.deepEqual(f.observed.ended, [['sip-to-xmpp', 'timeout']]);
    assert.equal(f.ctx.registry.size, 0);
  });

  it('full JID: a session-accept before the timeout stops it', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const f = call('sip:juliet%40capulet.lit%2Fbalcony@sip.gw.example');
    await settle();
    const initiate = sessionInitiate(f)!;
    initiate.resolve(xml('iq', { type: 'result' }));
    await settle();
    const sid = initiate.iq.getChild('jingle')!.attrs.sid!;
    const accept = parseXmlElement(
      golden('s2-jul-accept-actpass.jingle.xml')
        .replace(/sid='[^']*'/, `sid='${sid}'`)
        .replace(/setup='actpass'/, "setup='active'"),
    );
    const outcome = await f.xmpp.deliverIq(
      xml('iq', { type: 'set', from: 'juliet@capulet.lit/balcony', to: CALLER }, accept),
    );
    assert.equal(outcome.error, undefined);
    t.mock.timers.tick(RING_MS * 2);
    await settle();
    assert.notEqual(f.invite.accepted, undefined);
    assert.equal(f.invite.final, undefined);
    assert.equal(f.xmpp.jingle('session-terminate').length, 0);
    assert.deepEqual(f.observed.ended, []);
    assert.equal(f.ctx.registry.size, 1);
  });

  it('bare JID: a device proceeds, acknowledges session-initiate and falls silent → 480, <timeout/>, <finish/>', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const f = call('sip:juliet%40capulet.lit@sip.gw.example');
    await settle();
    const id = f.xmpp.sent.find((s) => s.getChild('propose', NS_JMI) !== undefined)!.getChild('propose', NS_JMI)!.attrs
      .id!;
    f.xmpp.deliverMessage(
      xml('message', { from: 'juliet@capulet.lit/phone', to: CALLER }, xml('proceed', { xmlns: NS_JMI, id })),
    );
    await settle();
    const initiate = sessionInitiate(f)!;
    assert.equal(initiate.iq.attrs.to, 'juliet@capulet.lit/phone');
    initiate.resolve(xml('iq', { type: 'result' }));
    await settle();
    t.mock.timers.tick(RING_MS);
    await settle();
    assert.equal(f.invite.final?.status, 480);
    const terminate = f.xmpp.jingle('session-terminate');
    assert.equal(terminate.length, 1);
    assert.equal(terminate[0]!.attrs.to, 'juliet@capulet.lit/phone');
    assert.ok(terminate[0]!.getChild('jingle')!.getChild('reason')!.getChild('timeout'));
    // X353 §3.7: the proposed session ended → <finish/> with the same reason.
    const finish = f.xmpp.sent.find((s) => s.getChild('finish', NS_JMI) !== undefined)!;
    assert.equal(finish.attrs.to, 'juliet@capulet.lit/phone');
    assert.ok(finish.getChild('finish', NS_JMI)!.getChild('reason')!.getChild('timeout'));
    assert.deepEqual(f.observed.ended, [['sip-to-xmpp', 'timeout']]);
    assert.equal(f.ctx.registry.size, 0);
  });
});
