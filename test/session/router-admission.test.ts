/**
 * Admission control wired into the router (src/session/router.ts, outbound-call.ts) with fake
 * ports: a shed INVITE gets 503 + Retry-After and a shed session-initiate `resource-constraint`
 * (wait), both before any work on the call (no SDP parsing, no disco#info, no propose, no
 * INVITE); calls already up keep working (Jingle actions, re-INVITEs, BYE), and new calls are
 * admitted again once the limit frees up.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { xml } from '@xmpp/component';
import { describe, it } from 'node:test';
import type { GatewayConfigInput } from '../../src/config/schema.ts';
import { parseXmlElement } from '../../src/mapping/jingle/xml.ts';
import { inviteHandler, jingleIqHandler, jmiMessageHandler } from '../../src/session/router.ts';
import type { SipRequest, SipResponse } from '../../src/sip/message.ts';
import { StanzaError } from '../../src/xmpp/port.ts';
import { FakeDialog, FakeIncomingInvite, fakeContext, inviteRequest, iqSet, settle, sipResponse } from './fakes.ts';

const golden = (name: string) => readFileSync(new URL(`../golden/${name}`, import.meta.url), 'utf8');
const ROMEO = 'romeo@example.org/orchard';
const SIP_CALLEE = '+15551234567\\40sip.example.net@gw.example';
const JULIET_FULL = 'sip:juliet%40capulet.lit%2Fbalcony@sip.gw.example';
const JULIET_BARE = 'sip:juliet%40capulet.lit@sip.gw.example';
const CALLER_JID = 'alice\\40pbx.example.org@gw.example/sip';
const NS_JMI = 'urn:xmpp:jingle-message:0';

function setup(overload: NonNullable<GatewayConfigInput['overload']>) {
  const f = fakeContext({ jingle: { security: 'dtls' }, overload });
  f.xmpp.onIq(jingleIqHandler(f.ctx));
  f.xmpp.onMessage(jmiMessageHandler(f.ctx));
  let n = 0;
  /** A new INVITE from SIP with its own Call-ID. */
  const invite = (uri = JULIET_FULL, body = golden('s2-to-jul.sdp')) => {
    const request = inviteRequest(uri, body, { 'call-id': `call-${String(++n)}@pbx.example.org` });
    const incoming = new FakeIncomingInvite(request);
    inviteHandler(f.ctx)(incoming);
    return incoming;
  };
  /** A new session-initiate from XMPP with its own sid; resolves with the IQ outcome. */
  const initiate = async (text = golden('j1-xep0320-ice.jingle.xml')) => {
    const jingle = parseXmlElement(
      text.replace(/romeo@montague\.lit\/orchard/g, ROMEO).replace(/sid='[^']*'/, `sid='x${String(++n)}'`),
    );
    const outcome = await f.xmpp.deliverIq(iqSet(ROMEO, SIP_CALLEE, jingle));
    await settle();
    return { outcome, sid: jingle.attrs.sid! };
  };
  return { ...f, invite, initiate };
}

function assertResourceConstraint(outcome: { error?: unknown }): void {
  assert.ok(outcome.error instanceof StanzaError, `expected an IQ error, got ${String(outcome.error)}`);
  assert.equal(outcome.error.condition, 'resource-constraint');
  assert.equal(outcome.error.type, 'wait');
  assert.equal(outcome.error.message, 'the gateway is overloaded: try again in 5 s');
}

function reInvite(callId: string, body: string): SipRequest {
  return {
    method: 'INVITE',
    uri: 'sip:gw@127.0.0.2',
    headers: {
      to: { uri: 'sip:x@gw', params: { tag: 'local' } },
      from: { uri: 'sip:peer@x', params: { tag: 'remote' } },
      'call-id': callId,
      cseq: { seq: 2, method: 'INVITE' },
      'content-type': 'application/sdp',
    },
    content: body,
  };
}

describe('admission control: SIP → XMPP', () => {
  it('overload.maxSetups reached → 503 + Retry-After before the body is even read; counted once', async () => {
    const f = setup({ maxSetups: 1 });
    const first = f.invite();
    await settle();
    assert.equal(f.xmpp.jingle('session-initiate').length, 1);
    const sentBefore = f.xmpp.sent.length;
    // A body that is not SDP: mapped, it would get 488. Shed, it is never looked at.
    const second = f.invite(JULIET_FULL, 'this is not SDP');
    await settle();
    assert.deepEqual(second.final, { status: 503, reason: undefined, headers: { 'Retry-After': '5' } });
    assert.equal(f.xmpp.sent.length, sentBefore, 'no stanza for the shed call (no disco#info, no initiate)');
    assert.equal(f.ctx.registry.size, 1);
    assert.deepEqual(f.observed.refused, [['sip-to-xmpp', 'max-setups']]);
    assert.deepEqual(f.observed.started, ['sip-to-xmpp']);
    assert.deepEqual(f.observed.errors, []);
    assert.equal(first.final, undefined, 'the call in set-up goes on');
  });

  it('a bare-JID callee: no XEP-0353 propose for a shed call', async () => {
    const f = setup({ maxSetups: 1 });
    f.invite(JULIET_BARE);
    await settle();
    const proposes = () => f.xmpp.sent.filter((s) => s.getChild('propose', NS_JMI) !== undefined).length;
    assert.equal(proposes(), 1);
    const shed = f.invite(JULIET_BARE);
    await settle();
    assert.equal(shed.final?.status, 503);
    assert.equal(proposes(), 1);
  });

  it('the answered call leaves set-up: the next INVITE is admitted; re-INVITE and BYE of the call still work at maxCalls', async () => {
    const f = setup({ maxSetups: 1, maxCalls: 1 });
    const first = f.invite();
    await settle();
    const initiate = f.xmpp.requests.find((r) => r.iq.getChild('jingle') !== undefined)!;
    const sid = initiate.iq.getChild('jingle')!.attrs.sid!;
    const accept = parseXmlElement(
      golden('s2-jul-accept-actpass.jingle.xml')
        .replace(/sid='[^']*'/, `sid='${sid}'`)
        .replace(/setup='actpass'/, "setup='active'"),
    );
    const accepted = await f.xmpp.deliverIq(
      xml('iq', { type: 'set', from: 'juliet@capulet.lit/balcony', to: CALLER_JID }, accept),
    );
    assert.equal(accepted.error, undefined);
    assert.ok(first.accepted !== undefined);
    assert.equal(f.ctx.registry.settingUp, 0);

    // One call up and maxCalls 1: a new call is shed with max-calls, the call's own requests are not.
    assert.equal(f.invite().final?.status, 503);
    assert.deepEqual(f.observed.refused, [['sip-to-xmpp', 'max-calls']]);
    const dialog = first.accepted.dialog;
    const responses: SipResponse[] = [];
    const deliver = (request: SipRequest) => {
      dialog.handlers!.request({
        request,
        remote: { protocol: 'UDP', address: '127.0.0.1', port: 5070, local: { address: '127.0.0.2', port: 5060 } },
        respond: (r) => responses.push(r),
      });
    };
    deliver(reInvite(dialog.callId, golden('s2-to-jul.sdp')));
    await settle();
    assert.equal(responses[0]?.status, 200);
    deliver({ ...reInvite(dialog.callId, ''), method: 'BYE', content: undefined });
    await settle();
    assert.equal(responses[1]?.status, 200);
    assert.equal(f.ctx.registry.size, 0);

    const next = f.invite();
    await settle();
    assert.equal(next.final, undefined);
    assert.equal(f.xmpp.jingle('session-initiate').length, 2);
    assert.equal(f.observed.refused.length, 1);
  });

  it('event-loop delay above overload.maxEventLoopDelayMs → 503 (event-loop-delay); admitted again once it recovers', async () => {
    const f = setup({ maxEventLoopDelayMs: 50, retryAfterSeconds: 2 });
    f.eventLoop.delayMs = 80;
    const shed = f.invite();
    await settle();
    assert.deepEqual(shed.final?.headers, { 'Retry-After': '2' });
    assert.deepEqual(f.observed.refused, [['sip-to-xmpp', 'event-loop-delay']]);
    f.eventLoop.delayMs = 3;
    const admitted = f.invite();
    await settle();
    assert.equal(admitted.final, undefined);
    assert.equal(f.xmpp.jingle('session-initiate').length, 1);
  });
});

describe('admission control: XMPP → SIP', () => {
  it('overload.maxSetups reached → resource-constraint (wait) before the offer is parsed; no INVITE', async () => {
    const f = setup({ maxSetups: 1 });
    const first = await f.initiate();
    assert.equal(first.outcome.error, undefined);
    assert.equal(f.sip.invites.length, 1);
    // An offer that fails to parse would get a session-terminate; shed, it gets the IQ error only.
    const broken = golden('j1-xep0320-ice.jingle.xml').replace(/<description[\s\S]*<\/description>/, '');
    const shed = await f.initiate(broken);
    assertResourceConstraint(shed.outcome);
    assert.equal(f.sip.invites.length, 1);
    assert.equal(f.xmpp.jingle('session-terminate').length, 0);
    assert.equal(f.ctx.registry.size, 1);
    assert.deepEqual(f.observed.refused, [['xmpp-to-sip', 'max-setups']]);
    // The IQ error is the catalogue's gateway-overloaded, counted like every refusal answered by code.
    assert.deepEqual(f.observed.errors, ['gateway-overloaded']);
  });

  it('Jingle actions of the call in set-up are not shed; its answer frees the slot', async () => {
    const f = setup({ maxSetups: 1 });
    const first = await f.initiate();
    assertResourceConstraint((await f.initiate()).outcome);
    const info = parseXmlElement(
      `<jingle xmlns='urn:xmpp:jingle:1' action='session-info' sid='${first.sid}'><ringing xmlns='urn:xmpp:jingle:apps:rtp:info:1'/></jingle>`,
    );
    const outcome = await f.xmpp.deliverIq(iqSet(ROMEO, SIP_CALLEE, info));
    assert.equal(outcome.error, undefined);

    const invite = f.sip.invites[0]!;
    invite.handlers.accepted(
      new FakeDialog(invite.callId),
      sipResponse(200, 'OK', invite.callId, golden('j1-answer-active.sdp')),
    );
    await settle();
    assert.equal(f.xmpp.jingle('session-accept').length, 1);
    const third = await f.initiate();
    assert.equal(third.outcome.error, undefined);
    assert.equal(f.sip.invites.length, 2);
  });

  it('event-loop delay → resource-constraint (event-loop-delay)', async () => {
    const f = setup({});
    f.eventLoop.delayMs = 51;
    assertResourceConstraint((await f.initiate()).outcome);
    assert.deepEqual(f.observed.refused, [['xmpp-to-sip', 'event-loop-delay']]);
    assert.equal(f.sip.invites.length, 0);
  });

  it('the defaults admit hundreds of calls in set-up at once', async () => {
    const f = setup({});
    for (let i = 0; i < 300; i++) f.invite();
    await settle();
    assert.equal(f.ctx.registry.settingUp, 300);
    assert.deepEqual(f.observed.refused, []);
  });
});
