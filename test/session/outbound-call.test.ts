import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseXmlElement } from '../../src/mapping/jingle/xml.ts';
import { CallState } from '../../src/session/call-state.ts';
import { TRICKLE_WAIT_MS } from '../../src/session/outbound-call.ts';
import { jingleIqHandler } from '../../src/session/router.ts';
import { StanzaError } from '../../src/xmpp/port.ts';
import { FakeDialog, fakeContext, iqSet, settle, sipResponse } from './fakes.ts';

const golden = (name: string) => readFileSync(new URL(`../golden/${name}`, import.meta.url), 'utf8');
const ROMEO = 'romeo@example.org/orchard';
const CALLEE = '+15551234567\\40sip.example.net@gw.example';

function initiate() {
  const jingle = parseXmlElement(golden('j1-xep0320-ice.jingle.xml').replace(/romeo@montague\.lit\/orchard/g, ROMEO));
  return iqSet(ROMEO, CALLEE, jingle);
}

async function setup() {
  const f = fakeContext();
  f.xmpp.onIq(jingleIqHandler(f.ctx));
  const outcome = await f.xmpp.deliverIq(initiate());
  assert.equal(outcome.error, undefined);
  await settle();
  return f;
}

describe('XMPP → SIP call', () => {
  it('answers the IQ, then sends the INVITE with Call-ID sid@sip.domain (assertion 85)', async () => {
    const { sip } = await setup();
    assert.equal(sip.invites.length, 1);
    const invite = sip.invites[0]!;
    assert.equal(invite.options.callId, 'a73sjjvkla37jfea@sip.gw.example');
    assert.equal(invite.options.requestUri, 'sip:+15551234567@sip.example.net');
    assert.equal(invite.options.from.uri, 'sip:romeo%40example.org@sip.gw.example');
    assert.equal(invite.options.from.name, '"romeo@example.org"');
    assert.match(invite.options.sdp, /a=fingerprint:sha-256 02:1A:CC/);
    assert.match(invite.options.sdp, /a=setup:actpass/);
  });

  it('refuses callers outside xmpp.allowedDomains with forbidden and sends no INVITE', async () => {
    const f = fakeContext();
    f.xmpp.onIq(jingleIqHandler(f.ctx));
    const iq = initiate();
    iq.attrs.from = 'mallory@evil.example/x';
    iq.getChild('jingle')!.attrs.initiator = 'mallory@evil.example/x';
    const outcome = await f.xmpp.deliverIq(iq);
    assert.ok(outcome.error instanceof StanzaError);
    assert.equal(outcome.error.condition, 'forbidden');
    await settle();
    assert.equal(f.sip.invites.length, 0);
  });

  it('180 → ringing once; 200 → session-accept with responder; BYE on terminate (87, 88)', async () => {
    const { sip, xmpp, ctx, observed } = await setup();
    const invite = sip.invites[0]!;
    invite.handlers.provisional(sipResponse(180, 'Ringing', invite.callId));
    invite.handlers.provisional(sipResponse(180, 'Ringing', invite.callId));
    await settle();
    const ringing = xmpp.jingle('session-info');
    assert.equal(ringing.length, 1);
    assert.equal(ringing[0]!.attrs.from, `${CALLEE}/sip`);
    assert.equal(
      xmpp.sent.every((s) => s.attrs.from?.endsWith('@gw.example/sip') === true),
      true,
    );
    assert.equal(ringing[0]!.attrs.to, ROMEO);
    const dialog = new FakeDialog(invite.callId);
    invite.handlers.accepted(dialog, sipResponse(200, 'OK', invite.callId, golden('j1-answer-active.sdp')));
    await settle();
    const accept = xmpp.jingle('session-accept');
    assert.equal(accept.length, 1);
    const jingle = accept[0]!.getChild('jingle')!;
    assert.equal(jingle.attrs.responder, `${CALLEE}/sip`);
    assert.equal(jingle.attrs.initiator, ROMEO);
    assert.match(accept[0]!.toString(), /setup="active"/);
    assert.equal(ctx.registry.findByJingle(ROMEO, 'a73sjjvkla37jfea')?.state, CallState.Active);

    const terminate = parseXmlElement(
      `<jingle xmlns='urn:xmpp:jingle:1' action='session-terminate' sid='a73sjjvkla37jfea'><reason><success/></reason></jingle>`,
    );
    const outcome = await xmpp.deliverIq(iqSet(ROMEO, CALLEE, terminate));
    assert.equal(outcome.error, undefined);
    await settle();
    assert.deepEqual(
      dialog.requests.map((r) => [r.method, r.headers]),
      [['BYE', undefined]],
    );
    assert.deepEqual(observed.ended, [['xmpp-to-sip', 'answered']]);
    // A terminated call never revives: a later IQ for it is unknown-session.
    const again = await xmpp.deliverIq(iqSet(ROMEO, CALLEE, terminate));
    assert.ok(again.error instanceof StanzaError);
    assert.equal(again.error.jingle, 'unknown-session');
  });

  it('486 → session-terminate <busy/> with sip-status (§6.4)', async () => {
    const { sip, xmpp, observed } = await setup();
    const invite = sip.invites[0]!;
    invite.handlers.rejected(sipResponse(486, 'Busy Here', invite.callId));
    await settle();
    const term = xmpp.jingle('session-terminate');
    assert.equal(term.length, 1);
    assert.match(term[0]!.toString(), /<busy\/>/);
    assert.match(
      term[0]!.toString(),
      /<sip-status xmlns="urn:jingle-sip-gateway:sip-status:0" code="486">Busy Here<\/sip-status>/,
    );
    assert.deepEqual(observed.ended, [['xmpp-to-sip', 'rejected']]);
  });

  it('initiator terminate before a final response → CANCEL, no Jingle stanza after (89)', async () => {
    const { sip, xmpp } = await setup();
    const invite = sip.invites[0]!;
    invite.handlers.provisional(sipResponse(180, 'Ringing', invite.callId));
    await settle();
    const terminate = parseXmlElement(
      `<jingle xmlns='urn:xmpp:jingle:1' action='session-terminate' sid='a73sjjvkla37jfea'><reason><cancel/></reason></jingle>`,
    );
    await xmpp.deliverIq(iqSet(ROMEO, CALLEE, terminate));
    await settle();
    assert.equal(invite.cancelled, undefined);
    const before = xmpp.sent.length;
    invite.handlers.rejected(sipResponse(487, 'Request Terminated', invite.callId));
    await settle();
    assert.equal(xmpp.sent.length, before);
  });

  it('a stanza about the session from another JID is unknown-session', async () => {
    const { xmpp } = await setup();
    const info = parseXmlElement(
      `<jingle xmlns='urn:xmpp:jingle:1' action='session-info' sid='a73sjjvkla37jfea'><ringing xmlns='urn:xmpp:jingle:apps:rtp:info:1'/></jingle>`,
    );
    const outcome = await xmpp.deliverIq(iqSet('mallory@example.org/x', CALLEE, info));
    assert.ok(outcome.error instanceof StanzaError);
    assert.equal(outcome.error.condition, 'item-not-found');
  });

  it('unknown session-info payload → unsupported-info; mute → result without SIP (97)', async () => {
    const { xmpp, sip } = await setup();
    const unknown = parseXmlElement(
      `<jingle xmlns='urn:xmpp:jingle:1' action='session-info' sid='a73sjjvkla37jfea'><x xmlns='urn:example'/></jingle>`,
    );
    const out = await xmpp.deliverIq(iqSet(ROMEO, CALLEE, unknown));
    assert.ok(out.error instanceof StanzaError);
    assert.equal(out.error.jingle, 'unsupported-info');
    const mute = parseXmlElement(
      `<jingle xmlns='urn:xmpp:jingle:1' action='session-info' sid='a73sjjvkla37jfea'><mute xmlns='urn:xmpp:jingle:apps:rtp:info:1' name='voice'/></jingle>`,
    );
    const ok = await xmpp.deliverIq(iqSet(ROMEO, CALLEE, mute));
    assert.equal(ok.error, undefined);
    assert.equal(sip.invites.length, 1);
  });
});

describe('XMPP → SIP call from a trickling caller (spec §10)', () => {
  const trickleInitiate = () => {
    const text = golden('j1-xep0320-ice.jingle.xml')
      .replace(/romeo@montague\.lit\/orchard/g, ROMEO)
      .replace(/<candidate [^>]*\/>/g, '');
    return iqSet(ROMEO, CALLEE, parseXmlElement(text));
  };
  const candidateInfo = () =>
    iqSet(
      ROMEO,
      CALLEE,
      parseXmlElement(
        `<jingle xmlns='urn:xmpp:jingle:1' action='transport-info' sid='a73sjjvkla37jfea'><content creator='initiator' name='voice'><transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='8hhy' pwd='asd88fgpdd777uzjYhagZg'><candidate component='1' foundation='1' generation='0' id='t1' ip='192.0.2.50' network='0' port='40400' priority='2130706431' protocol='udp' type='host'/></transport></content></jingle>`,
      ),
    );

  it('holds the INVITE until transport-info brings a candidate, then offers it in c=/m=', async () => {
    const f = fakeContext();
    f.xmpp.onIq(jingleIqHandler(f.ctx));
    assert.equal((await f.xmpp.deliverIq(trickleInitiate())).error, undefined);
    await settle();
    assert.equal(f.sip.invites.length, 0);
    assert.equal((await f.xmpp.deliverIq(candidateInfo())).error, undefined);
    await settle();
    assert.equal(f.sip.invites.length, 1);
    const sdp = f.sip.invites[0]!.options.sdp;
    assert.match(sdp, /m=audio 40400 /);
    assert.match(sdp, /c=IN IP4 192\.0\.2\.50/);
  });

  it('sends the INVITE without candidates when none arrive within the bound', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const f = fakeContext();
    f.xmpp.onIq(jingleIqHandler(f.ctx));
    await f.xmpp.deliverIq(trickleInitiate());
    t.mock.timers.runAll();
    await settle();
    assert.equal(f.sip.invites.length, 0);
    t.mock.timers.tick(TRICKLE_WAIT_MS);
    await settle();
    assert.equal(f.sip.invites.length, 1);
  });
});

describe('XMPP stream down while a call ends', () => {
  it('defers the session-terminate until the component is online again', async () => {
    const f = fakeContext();
    f.xmpp.onIq(jingleIqHandler(f.ctx));
    await f.xmpp.deliverIq(initiate());
    await settle();
    const invite = f.sip.invites[0]!;
    f.xmpp.status = 'offline';
    invite.handlers.rejected(sipResponse(486, 'Busy Here', invite.callId));
    await settle();
    assert.equal(f.xmpp.jingle('session-terminate').length, 0);
    assert.equal(f.deferred.length, 1);
    assert.equal(f.deferred[0]!.getChild('jingle')!.attrs.action, 'session-terminate');
  });
});
