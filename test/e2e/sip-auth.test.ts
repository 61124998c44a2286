/**
 * SIP digest authentication through the real peers [RFC 3261 §22]: an XMPP caller on Prosody
 * calls a SIPp "trunk" that challenges the INVITE (401 or 407) and the BYE; with the right
 * password the call is accepted, with a wrong one the caller gets <security-error/> (spec §6.4).
 * Inbound: with `sip.inboundAuth`, a SIPp caller without credentials gets 401, with them it
 * gets through to the XMPP side.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from './harness/gateway.ts';
import { freeDualPort } from './harness/ports.ts';
import { startProsody, type ProsodyServer } from './harness/prosody.ts';
import { describeSippResult, killAllSipp, runSipp, startSipp } from './harness/sipp.ts';
import { connectUser, type XmppUser } from './harness/xmpp-user.ts';
import {
  goldenJingle,
  isJingle,
  jingleOf,
  newSid,
  reasonOf,
  ringingJingle,
  sendJingle,
  terminateStanza,
} from './helpers.ts';

const SIPP_HOST = '127.0.0.1';

describe('SIP digest authentication (Prosody, gateway, SIPp)', () => {
  let prosody: ProsodyServer;
  let alice: XmppUser;
  let callee: string;
  /** One gateway at a time: the component domain can be connected once only. */
  let current: TestGateway | undefined;

  async function replaceGateway(start: () => Promise<TestGateway>): Promise<TestGateway> {
    await current?.close();
    current = undefined;
    current = await start();
    return current;
  }

  before(async () => {
    prosody = await startProsody();
    alice = await connectUser({
      service: prosody.c2sService,
      domain: prosody.domain,
      username: 'alice',
      password: 'alice-pass',
    });
    callee = `+15551234567\\40sip.example.net@${prosody.componentDomain}`;
  });

  after(async () => {
    await alice?.close();
    await current?.close();
    await killAllSipp();
    await prosody?.stop();
  });

  async function gatewayTo(sippPort: number, password: string): Promise<TestGateway> {
    return replaceGateway(() =>
      startTestGateway({
        prosody,
        outboundProxy: `sip:${SIPP_HOST}:${String(sippPort)}`,
        sip: { trunk: { username: 'gw-account', password, realm: 'trunk.example' } },
      }),
    );
  }

  async function challengedCall(password: string, proxy = false) {
    const sippPort = await freeDualPort(SIPP_HOST);
    const gw = await gatewayTo(sippPort, password);
    const sipp = await startSipp({
      scenario: 'uas-auth-answer.xml',
      local: { host: SIPP_HOST, port: sippPort },
      timeoutMs: 20_000,
      ...(proxy
        ? {
            // SIPp's verifyauth reads Authorization only: for the 407 the retried INVITE is checked
            // for a Proxy-Authorization (its digest is checked by test/sip/auth.test.ts).
            rewrite: (text: string) =>
              text
                .replace('SIP/2.0 401 Unauthorized', 'SIP/2.0 407 Proxy Authentication Required')
                .replace(
                  'WWW-Authenticate: Digest realm="[realm]", nonce="[pid]n1',
                  'Proxy-Authenticate: Digest realm="[realm]", nonce="[pid]n1',
                )
                .replace(
                  '<verifyauth assign_to="invite_auth" username="gw-account" password="trunk-pass"/>',
                  '<ereg regexp="Digest .*username=.gw-account.*response=" search_in="hdr" header="Proxy-Authorization:" check_it="true" assign_to="invite_auth"/>',
                ),
          }
        : {}),
    });
    await sipp.ready;
    const sid = newSid();
    const result = await sendJingle(alice, callee, goldenJingle('j1-xep0320-ice.jingle.xml', alice.fullJid, sid));
    assert.equal(result.attrs.type, 'result');
    return { sipp, sid, gw };
  }

  it('401 to INVITE and BYE: answered with the trunk credentials, the call is accepted', async () => {
    const { sipp, sid } = await challengedCall('trunk-pass');
    await alice.waitFor(isJingle('session-accept', sid), 5000, 'session-accept');
    await sendJingle(alice, callee, jingleOf(terminateStanza(callee, sid))!);
    const result = await sipp.done;
    assert.equal(result.exitCode, 0, describeSippResult(result));
    assert.equal(result.captured.invite_auth, 'true');
    assert.equal(Number(result.captured.retry_cseq), Number(result.captured.invite_cseq) + 1);
    assert.equal(result.captured.bye_auth, 'true');
  });

  it('407 to INVITE: answered with Proxy-Authorization', async () => {
    const { sipp, sid } = await challengedCall('trunk-pass', true);
    await alice.waitFor(isJingle('session-accept', sid), 5000, 'session-accept');
    await sendJingle(alice, callee, jingleOf(terminateStanza(callee, sid))!);
    const result = await sipp.done;
    assert.equal(result.exitCode, 0, describeSippResult(result));
    assert.match(result.messages, /Proxy-Authorization: Digest /);
  });

  it('wrong password: the trunk refuses the second INVITE → <security-error/>', async () => {
    const { sipp, sid } = await challengedCall('wrong-pass');
    const terminate = await alice.waitFor(isJingle('session-terminate', sid), 5000, 'session-terminate');
    assert.equal(reasonOf(terminate), 'security-error');
    const result = await sipp.done;
    assert.equal(result.exitCode, 0, describeSippResult(result));
    assert.equal(result.captured.invite_auth, 'false');
    assert.equal(result.messages.includes('wrong-pass'), false);
  });

  it('inboundAuth: a SIPp caller without credentials gets 401; with them the XMPP side is called', async () => {
    const gw = await replaceGateway(() =>
      startTestGateway({
        prosody,
        sip: { inboundAuth: { realm: 'gw.example', users: [{ username: 'pbx', password: 'pbx-pass' }] } },
      }),
    );
    const refused = await runSipp({
      scenario: 'uac-auth.xml',
      remote: gw.sipAddress,
      local: { host: SIPP_HOST, port: await freeDualPort(SIPP_HOST) },
      service: 'alice',
      extraArgs: ['-au', 'pbx', '-ap', 'not-it'],
      timeoutMs: 10_000,
    });
    assert.equal(refused.exitCode, 0, describeSippResult(refused));
    assert.equal(refused.captured.second_status, '401');

    const sipp = await startSipp({
      scenario: 'uac-auth.xml',
      remote: gw.sipAddress,
      local: { host: SIPP_HOST, port: await freeDualPort(SIPP_HOST) },
      service: encodeURIComponent(alice.fullJid),
      extraArgs: ['-au', 'pbx', '-ap', 'pbx-pass'],
      timeoutMs: 10_000,
    });
    // The authenticated INVITE reaches the call layer: alice gets the session-initiate, rings,
    // and SIPp (after the 180) cancels.
    const initiate = await alice.waitFor(isJingle('session-initiate'), 5000, 'session-initiate');
    const sid = jingleOf(initiate)!.attrs.sid!;
    await sendJingle(alice, initiate.attrs.from!, ringingJingle(sid));
    const terminate = await alice.waitFor(isJingle('session-terminate', sid), 5000, 'session-terminate');
    assert.equal(reasonOf(terminate), 'cancel');
    const accepted = await sipp.done;
    assert.equal(accepted.exitCode, 0, describeSippResult(accepted));
    assert.equal(accepted.captured.second_status, '180');
  });

  it('trunk registration: REGISTER through a 401, refreshed before expiry, removed on close', async () => {
    const sippPort = await freeDualPort(SIPP_HOST);
    const sipp = await startSipp({
      scenario: 'uas-registrar.xml',
      local: { host: SIPP_HOST, port: sippPort },
      timeoutMs: 15_000,
    });
    await sipp.ready;
    const gw = await replaceGateway(() =>
      startTestGateway({
        prosody,
        sip: {
          trunk: {
            username: 'gw-account',
            password: 'trunk-pass',
            registrar: `sip:${SIPP_HOST}:${String(sippPort)}`,
          },
        },
      }),
    );
    // Granted 2 s → refreshed after 1 s: a third REGISTER (challenge, answer, refresh), answered.
    const deadline = Date.now() + 5000;
    for (;;) {
      const text = await gw.metrics.metricsText();
      const sent = Number(/jsg_sip_messages_total\{direction="out",method="REGISTER"\} (\d+)/.exec(text)?.[1] ?? 0);
      if (sent >= 3 && /jsg_sip_registered 1/.test(text) && gw.gateway.health().sipRegistered === true) break;
      if (Date.now() > deadline) throw new Error(`registration not refreshed:\n${text}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    current = undefined;
    await gw.close(); // REGISTER with Expires: 0
    const result = await sipp.done;
    assert.equal(result.exitCode, 0, describeSippResult(result));
    assert.equal(result.captured.auth, 'true');
    assert.equal(result.captured.contact, `sip:gw-account@${gw.sipAddress}`);
    assert.equal(result.captured.refresh_expires, '3600');
    assert.equal(result.captured.unregister_expires, '0');
  });
});
