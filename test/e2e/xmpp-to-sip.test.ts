/**
 * XMPP → SIP through the real peers: an @xmpp/client user on Prosody 0.12 calls SIPp through the
 * gateway (outbound proxy = SIPp). SIPp's scenarios check the INVITE's SDP; these tests check
 * what reaches the XMPP caller (spec §6.1, §6.4; issue: "Calls, XMPP → SIP").
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from './harness/gateway.ts';
import { freeDualPort } from './harness/ports.ts';
import { startProsody, type ProsodyServer } from './harness/prosody.ts';
import { describeSippResult, killAllSipp, startSipp, type SippHandle } from './harness/sipp.ts';
import { connectUser, type XmppUser } from './harness/xmpp-user.ts';
import { goldenJingle, isJingle, jingleOf, newSid, reasonOf, sendJingle, terminateStanza } from './helpers.ts';

const SIPP_HOST = '127.0.0.1';

describe('XMPP → SIP (Prosody, gateway, SIPp)', () => {
  let prosody: ProsodyServer;
  let gw: TestGateway;
  let alice: XmppUser;
  let sippPort: number;
  let callee: string;

  before(async () => {
    prosody = await startProsody();
    sippPort = await freeDualPort(SIPP_HOST);
    // Every scenario answers or ends within 0.5 s; the no-answer test waits for ringTimeoutMs.
    gw = await startTestGateway({
      prosody,
      outboundProxy: `sip:${SIPP_HOST}:${String(sippPort)}`,
      overrides: { jingle: { ringTimeoutMs: 1500 } },
    });
    alice = await connectUser({
      service: prosody.c2sService,
      domain: prosody.domain,
      username: 'alice',
      password: 'alice-pass',
    });
    // spec §7.4: the escaped SIP address under the component domain.
    callee = `+15551234567\\40sip.example.net@${prosody.componentDomain}`;
  });

  after(async () => {
    await alice?.close();
    await gw?.close();
    await killAllSipp();
    await prosody?.stop();
  });

  async function uas(scenario: string): Promise<SippHandle> {
    const sipp = await startSipp({ scenario, local: { host: SIPP_HOST, port: sippPort }, timeoutMs: 20_000 });
    await sipp.ready;
    return sipp;
  }

  async function call(scenario: string, golden = 'j1-xep0320-ice.jingle.xml') {
    const sipp = await uas(scenario);
    const sid = newSid();
    const result = await sendJingle(alice, callee, goldenJingle(golden, alice.fullJid, sid));
    assert.equal(result.attrs.type, 'result');
    return { sipp, sid };
  }

  it('answered call: ringing, session-accept with responder and the answer role, BYE on terminate', async () => {
    const { sipp, sid } = await call('uas-answer.xml');
    const ringing = await alice.waitFor(isJingle('session-info', sid), 5000, 'ringing');
    assert.ok(jingleOf(ringing)?.getChild('ringing', 'urn:xmpp:jingle:apps:rtp:info:1'));
    assert.equal(ringing.attrs.from, `${callee}/sip`);
    const accept = await alice.waitFor(isJingle('session-accept', sid), 5000, 'session-accept');
    const jingle = jingleOf(accept)!;
    assert.equal(jingle.attrs.responder, `${callee}/sip`);
    assert.equal(jingle.attrs.initiator, alice.fullJid);
    const fingerprint = accept.toString().match(/<fingerprint[^>]*setup="(\w+)"[^>]*>([0-9A-F:]+)</);
    assert.ok(fingerprint, accept.toString());
    assert.equal(fingerprint[1], 'active');
    await sendJingle(alice, callee, jingleOf(terminateStanza(callee, sid))!);
    const result = await sipp.done;
    assert.equal(result.exitCode, 0, describeSippResult(result));
    assert.equal(result.captured.ruri, 'sip:+15551234567@sip.example.net');
    assert.match(result.captured.from ?? '', /^"alice@example\.test" <sip:alice%40example\.test@sip\.gw\.test>;tag=/);
    assert.equal(result.captured.offer_setup, 'actpass');
  });

  it('callee hang-up: BYE → session-terminate <success/>', async () => {
    const { sipp, sid } = await call('uas-answer-hangup.xml');
    await alice.waitFor(isJingle('session-accept', sid), 5000, 'session-accept');
    const terminate = await alice.waitFor(isJingle('session-terminate', sid), 5000, 'session-terminate');
    assert.equal(reasonOf(terminate), 'success');
    const result = await sipp.done;
    assert.equal(result.exitCode, 0, describeSippResult(result));
  });

  it('early media: 183 with SDP → transport-info with the early fingerprint, then session-accept', async () => {
    const { sipp, sid } = await call('uas-early-media.xml');
    const early = await alice.waitFor(isJingle('transport-info', sid), 5000, 'transport-info');
    const fingerprint = early.toString().match(/<fingerprint [^>]*>/)?.[0] ?? '';
    assert.match(fingerprint, /setup="active"/);
    assert.match(fingerprint, /hash="sha-256"/);
    await alice.waitFor(isJingle('session-accept', sid), 5000, 'session-accept');
    await sendJingle(alice, callee, jingleOf(terminateStanza(callee, sid))!);
    const result = await sipp.done;
    assert.equal(result.exitCode, 0, describeSippResult(result));
  });

  for (const [scenario, reason, code] of [
    ['uas-busy.xml', 'busy', '486'],
    ['uas-decline.xml', 'decline', '603'],
    ['uas-not-found.xml', 'general-error', '404'],
    ['uas-reject.xml', 'gone', '480'],
  ] as const) {
    it(`${code} → session-terminate <${reason}/> with sip-status`, async () => {
      const { sipp, sid } = await call(scenario);
      const terminate = await alice.waitFor(isJingle('session-terminate', sid), 5000, 'session-terminate');
      assert.equal(reasonOf(terminate), reason);
      const sipStatus = jingleOf(terminate)!
        .getChild('reason')!
        .getChild('sip-status', 'urn:jingle-sip-gateway:sip-status:0');
      assert.equal(sipStatus?.attrs.code, code, terminate.toString());
      const result = await sipp.done;
      assert.equal(result.exitCode, 0, describeSippResult(result));
    });
  }

  it('caller hang-up while ringing → CANCEL with 487, no further Jingle stanza', async () => {
    const { sipp, sid } = await call('uas-no-answer.xml');
    await alice.waitFor(isJingle('session-info', sid), 5000, 'ringing');
    await sendJingle(alice, callee, jingleOf(terminateStanza(callee, sid, 'cancel'))!);
    const result = await sipp.done;
    assert.equal(result.exitCode, 0, describeSippResult(result));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(alice.received.filter(isJingle('session-terminate', sid)).length, 0);
  });

  it('callee rings and falls silent → CANCEL with Reason 408 after jingle.ringTimeoutMs, <timeout/>', async () => {
    const { sipp, sid } = await call('uas-no-answer.xml');
    await alice.waitFor(isJingle('session-info', sid), 5000, 'ringing');
    const terminate = await alice.waitFor(isJingle('session-terminate', sid), 5000, 'session-terminate');
    assert.equal(reasonOf(terminate), 'timeout');
    const result = await sipp.done;
    assert.equal(result.exitCode, 0, describeSippResult(result));
    assert.equal(result.captured.cancel_reason, 'SIP ;cause=408 ;text="timeout"');
    assert.equal(gw.gateway.activeCalls(), 0);
  });

  it('the founding XTLS example: capneg offer, acfg answer, second offer (spec §2.7)', async () => {
    const { sipp, sid } = await call('uas-capneg-acfg.xml', 'j2-founding-xtls.jingle.xml');
    const accept = await alice.waitFor(isJingle('session-accept', sid), 5000, 'session-accept');
    assert.ok(
      jingleOf(accept)!.getChild('content')!.getChild('security', 'urn:xmpp:jingle:security:xtls:0'),
      accept.toString(),
    );
    // The second offer's 200 completes before SIPp waits for the BYE.
    await new Promise((r) => setTimeout(r, 500));
    await sendJingle(alice, callee, jingleOf(terminateStanza(callee, sid))!);
    const result = await sipp.done;
    assert.equal(result.exitCode, 0, describeSippResult(result));
    assert.match(result.captured.secure_proto ?? '', /UDP\/TLS\/RTP\/SAVP/);
  });
});
