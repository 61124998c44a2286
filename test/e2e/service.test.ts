/**
 * The running service against real peers: disco#info and presence for clients, a component
 * reconnect with calls up (issue: "established calls keep their state across a reconnect"),
 * drain, and `bin/jingle-sip-gateway run` as a process with readiness and SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { xml } from '@xmpp/component';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from './harness/gateway.ts';
import { freeDualPort, freePort } from './harness/ports.ts';
import { startProsody, type ProsodyServer } from './harness/prosody.ts';
import { describeSippResult, killAllSipp, startSipp } from './harness/sipp.ts';
import { connectUser, IqErrorResponse, type XmppUser } from './harness/xmpp-user.ts';
import {
  acceptFor,
  goldenJingle,
  isJingle,
  jingleOf,
  newSid,
  reasonOf,
  sendJingle,
  terminateStanza,
} from './helpers.ts';

const SIPP_HOST = '127.0.0.1';
const DISCO = 'http://jabber.org/protocol/disco#info';

async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the gateway service (Prosody, SIPp)', () => {
  let prosody: ProsodyServer;
  let gw: TestGateway;
  let sippPort: number;
  const users: XmppUser[] = [];

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

  /** An XMPP → SIP call from `alice` that SIPp (uas-answer) has answered. */
  const answeredCallToSipp = async (alice: XmppUser) => {
    const callee = `+15551234567\\40sip.example.net@${prosody.componentDomain}`;
    const sipp = await startSipp({
      scenario: 'uas-answer.xml',
      local: { host: SIPP_HOST, port: sippPort },
      timeoutMs: 30_000,
    });
    await sipp.ready;
    const sid = newSid();
    await sendJingle(alice, callee, goldenJingle('j1-xep0320-ice.jingle.xml', alice.fullJid, sid));
    await alice.waitFor(isJingle('session-accept', sid), 5000, 'session-accept');
    return { callee, sipp, sid };
  };

  before(async () => {
    prosody = await startProsody();
    sippPort = await freeDualPort(SIPP_HOST);
    gw = await startTestGateway({ prosody, outboundProxy: `sip:${SIPP_HOST}:${String(sippPort)}` });
  });

  after(async () => {
    for (const user of users) await user.close().catch(() => undefined);
    await gw?.close();
    await killAllSipp();
    await prosody?.stop();
  });

  it('disco#info: gateway/sip on the domain, client/phone on user JIDs, the spec §6.8 features sorted', async () => {
    const alice = await login('alice', 'disco');
    const domainInfo = await alice.iq(
      xml('iq', { type: 'get', to: prosody.componentDomain }, xml('query', { xmlns: DISCO })),
    );
    const identity = domainInfo.getChild('query', DISCO)!.getChild('identity')!;
    assert.deepEqual([identity.attrs.category, identity.attrs.type], ['gateway', 'sip']);
    const features = domainInfo
      .getChild('query', DISCO)!
      .getChildren('feature')
      .map((f) => f.attrs.var!);
    for (const ns of [
      'urn:xmpp:jingle:1',
      'urn:xmpp:jingle:apps:rtp:1',
      'urn:xmpp:jingle:transports:ice-udp:1',
      'urn:xmpp:jingle:transports:raw-udp:1',
      'urn:xmpp:jingle:apps:dtls:0',
      'urn:xmpp:jingle:security:xtls:0',
      'urn:ietf:rfc:3264',
    ]) {
      assert.ok(features.includes(ns), ns);
    }
    assert.deepEqual(features, [...features].sort());
    const userInfo = await alice.iq(
      xml(
        'iq',
        { type: 'get', to: `+15551234567\\40sip.example.net@${prosody.componentDomain}` },
        xml('query', { xmlns: DISCO }),
      ),
    );
    const phone = userInfo.getChild('query', DISCO)!.getChild('identity')!;
    assert.deepEqual([phone.attrs.category, phone.attrs.type], ['client', 'phone']);
  });

  it('presence: a subscription to a gateway JID is approved and the contact shows available', async () => {
    const alice = await login('alice', 'roster');
    // RFC 6121 §3.1.3: the server delivers `subscribed` to interested (available, roster-fetching) resources.
    await alice.iq(xml('iq', { type: 'get' }, xml('query', { xmlns: 'jabber:iq:roster' })));
    await alice.presence();
    const contact = `+15551234567\\40sip.example.net@${prosody.componentDomain}`;
    await alice.send(xml('presence', { type: 'subscribe', to: contact }));
    await alice.waitFor((s) => s.getName() === 'presence' && s.attrs.type === 'subscribed', 5000, 'subscribed');
    await alice.waitFor(
      (s) => s.getName() === 'presence' && s.attrs.type === undefined && (s.attrs.from ?? '').startsWith(contact),
      5000,
      'available presence',
    );
  });

  it('XMPP → SIP call survives a component reconnect and is ended from XMPP afterwards', async () => {
    const alice = await login('alice', 'reconnect-a');
    const { callee, sipp, sid } = await answeredCallToSipp(alice);
    await prosody.restart();
    await waitUntil(() => gw.gateway.health().xmpp === 'online', 15_000, 'the component to come back');
    assert.equal(gw.gateway.activeCalls(), 1);
    const again = await login('alice', 'reconnect-a');
    await sendJingle(again, callee, jingleOf(terminateStanza(callee, sid))!);
    const result = await sipp.done;
    assert.equal(result.exitCode, 0, describeSippResult(result));
  });

  it('SIP → XMPP call survives a component reconnect and is ended from SIP afterwards', async () => {
    const bob = await login('bob', 'reconnect-b');
    const sipp = await startSipp({
      scenario: 'uac-call.xml',
      remote: gw.sipAddress,
      local: { host: SIPP_HOST, port: sippPort },
      service: encodeURIComponent(bob.fullJid),
      pauseMs: 10_000,
      timeoutMs: 30_000,
    });
    const initiate = await bob.waitFor(isJingle('session-initiate'), 5000, 'session-initiate');
    const sid = jingleOf(initiate)!.attrs.sid!;
    await sendJingle(bob, initiate.attrs.from!, acceptFor(initiate, bob.fullJid));
    await prosody.restart();
    await waitUntil(() => gw.gateway.health().xmpp === 'online', 15_000, 'the component to come back');
    const again = await login('bob', 'reconnect-b');
    const terminate = await again.waitFor(isJingle('session-terminate', sid), 15_000, 'session-terminate after BYE');
    assert.equal(reasonOf(terminate), 'success');
    const result = await sipp.done;
    assert.equal(result.exitCode, 0, describeSippResult(result));
  });

  it('drain: new calls are refused with service-unavailable, the active call is ended politely at the limit', async () => {
    const alice = await login('alice', 'drain');
    const { callee, sipp, sid } = await answeredCallToSipp(alice);
    const drained = gw.gateway.drain(1000);
    assert.equal(gw.gateway.ready, false);
    await assert.rejects(
      sendJingle(alice, callee, goldenJingle('j1-xep0320-ice.jingle.xml', alice.fullJid, newSid())),
      (err: unknown) => err instanceof IqErrorResponse && err.stanza.toString().includes('service-unavailable'),
    );
    await drained;
    const terminate = await alice.waitFor(isJingle('session-terminate', sid), 5000, 'session-terminate');
    assert.equal(reasonOf(terminate), 'success');
    const result = await sipp.done;
    assert.equal(result.exitCode, 0, describeSippResult(result));
    assert.equal(gw.gateway.activeCalls(), 0);
  });
});

describe('bin/jingle-sip-gateway run', () => {
  let prosody: ProsodyServer;
  before(async () => {
    prosody = await startProsody();
  });
  after(async () => {
    await prosody?.stop();
  });

  it('becomes ready (/readyz 200) and exits 0 on SIGTERM', async () => {
    const sipPort = await freeDualPort('127.0.0.2');
    const httpPort = await freePort('127.0.0.1', 'tcp');
    const child = spawn(process.execPath, ['bin/jingle-sip-gateway', 'run'], {
      cwd: new URL('../..', import.meta.url),
      env: {
        ...process.env,
        GW_XMPP_SERVICE: prosody.service,
        GW_XMPP_DOMAIN: prosody.componentDomain,
        GW_XMPP_SECRET: prosody.componentSecret,
        GW_XMPP_ALLOWED_DOMAINS: prosody.domain,
        GW_SIP_DOMAIN: 'sip.gw.test',
        GW_SIP_LISTEN: `udp:127.0.0.2:${String(sipPort)},tcp:127.0.0.2:${String(sipPort)}`,
        GW_HTTP_LISTEN: `127.0.0.1:${String(httpPort)}`,
        GW_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    try {
      let ready = false;
      const end = Date.now() + 20_000;
      while (!ready && Date.now() < end) {
        try {
          const res = await fetch(`http://127.0.0.1:${String(httpPort)}/readyz`);
          ready = res.status === 200;
        } catch {
          // not listening yet
        }
        if (!ready) await new Promise((r) => setTimeout(r, 200));
      }
      assert.ok(ready, output);
      const metrics = await (await fetch(`http://127.0.0.1:${String(httpPort)}/metrics`)).text();
      assert.match(metrics, /jsg_xmpp_connected 1/);
      assert.doesNotMatch(output, new RegExp(prosody.componentSecret));
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 0, output);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
