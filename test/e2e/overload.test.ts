/**
 * Admission control through the real peers (src/session/admission.ts): with
 * `overload.maxSetups = 1` and one call ringing at a slow XMPP callee, a second INVITE from SIPp
 * gets 503 with Retry-After and a session-initiate from an XMPP user `resource-constraint`
 * (wait); the call in set-up is untouched, and once it ends a new call is admitted again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from './harness/gateway.ts';
import { freeDualPort } from './harness/ports.ts';
import { startProsody, type ProsodyServer } from './harness/prosody.ts';
import { describeSippResult, killAllSipp, runSipp, startSipp } from './harness/sipp.ts';
import { connectUser, IqErrorResponse, type XmppUser } from './harness/xmpp-user.ts';
import { goldenJingle, isJingle, jingleOf, newSid, sendJingle, terminateStanza } from './helpers.ts';

const SIPP_HOST = '127.0.0.1';

describe('overload: admission control (SIPp, gateway, Prosody)', () => {
  let prosody: ProsodyServer;
  let gw: TestGateway;
  let bob: XmppUser;
  let caller: string;

  before(async () => {
    prosody = await startProsody();
    gw = await startTestGateway({
      prosody,
      overrides: { overload: { maxSetups: 1, retryAfterSeconds: 3 }, jingle: { iqTimeoutMs: 3000 } },
    });
    bob = await connectUser({
      service: prosody.c2sService,
      domain: prosody.domain,
      username: 'bob',
      password: 'bob-pass',
      resource: 'phone',
    });
    await bob.presence();
    caller = `alice\\40pbx.example.org@${prosody.componentDomain}/sip`;
  });

  after(async () => {
    await bob?.close();
    await gw?.close();
    await killAllSipp();
    await prosody?.stop();
  });

  const uac = async (scenario: string) =>
    startSipp({
      scenario,
      remote: gw.sipAddress,
      local: { host: SIPP_HOST, port: await freeDualPort(SIPP_HOST) },
      service: encodeURIComponent(bob.fullJid),
      timeoutMs: 15_000,
    });

  it('one call ringing at maxSetups 1: a second INVITE → 503 + Retry-After, a session-initiate → resource-constraint', async () => {
    // The slow callee: bob gets the session-initiate and leaves it unanswered for now.
    const ringing = await uac('uac-rejected.xml');
    const initiate = await bob.waitFor(isJingle('session-initiate'), 5000, 'session-initiate');
    const sid = jingleOf(initiate)!.attrs.sid!;

    const shed = await runSipp({
      scenario: 'uac-rejected.xml',
      remote: gw.sipAddress,
      local: { host: SIPP_HOST, port: await freeDualPort(SIPP_HOST) },
      service: encodeURIComponent(bob.fullJid),
      timeoutMs: 10_000,
    });
    assert.equal(shed.exitCode, 0, describeSippResult(shed));
    assert.equal(shed.captured.status, '503', describeSippResult(shed));
    assert.equal(shed.captured.retry_after, '3', describeSippResult(shed));

    const callee = `+15551234567\\40sip.example.net@${prosody.componentDomain}`;
    const error = await sendJingle(bob, callee, goldenJingle('j1-xep0320-ice.jingle.xml', bob.fullJid, newSid())).then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(error instanceof IqErrorResponse, String(error));
    const errorEl = error.stanza.getChild('error');
    assert.equal(errorEl?.attrs.type, 'wait');
    assert.ok(errorEl?.getChild('resource-constraint', 'urn:ietf:params:xml:ns:xmpp-stanzas'), error.stanza.toString());

    const text = await gw.metrics.metricsText();
    assert.match(text, /jsg_calls_refused_total\{direction="sip-to-xmpp",reason="max-setups"\} 1\n/);
    assert.match(text, /jsg_calls_refused_total\{direction="xmpp-to-sip",reason="max-setups"\} 1\n/);
    assert.match(text, /jsg_calls_in_setup 1\n/);
    assert.doesNotMatch(text, /jsg_sip_messages_total\{direction="out",method="INVITE"\}/);
    // Only the admitted call reached bob.
    assert.equal(bob.received.filter(isJingle('session-initiate')).length, 1);

    // The call in set-up was not touched: bob declines it now and SIPp sees his 603.
    await sendJingle(bob, caller, jingleOf(terminateStanza(caller, sid, 'decline'))!);
    const first = await ringing.done;
    assert.equal(first.exitCode, 0, describeSippResult(first));
    assert.equal(first.captured.status, '603', describeSippResult(first));
  });

  it('once the call in set-up has ended, a new INVITE is admitted', async () => {
    const next = await uac('uac-rejected.xml');
    const initiate = await bob.waitFor(isJingle('session-initiate'), 5000, 'session-initiate');
    await sendJingle(bob, caller, jingleOf(terminateStanza(caller, jingleOf(initiate)!.attrs.sid!, 'busy'))!);
    const result = await next.done;
    assert.equal(result.exitCode, 0, describeSippResult(result));
    assert.equal(result.captured.status, '486', describeSippResult(result));
  });
});
