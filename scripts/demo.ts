/**
 * `npm run demo`: a local Prosody, the gateway, and two demo calls through it, printing every
 * translated message — an XMPP user calls a SIP phone (SIPp), then the SIP phone calls the
 * XMPP user back. Prosody and SIPp come from the distribution; when they are missing the demo
 * installs them (as root) or says how to.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { xml, type Element } from '@xmpp/component';
import { prettyXml } from '../src/cli/pretty-xml.ts';
import { startTestGateway, type TestGateway } from '../test/e2e/harness/gateway.ts';
import { freeDualPort } from '../test/e2e/harness/ports.ts';
import { startProsody, type ProsodyServer } from '../test/e2e/harness/prosody.ts';
import { describeSippResult, killAllSipp, startSipp, type SippResult } from '../test/e2e/harness/sipp.ts';
import { connectUser, type XmppUser } from '../test/e2e/harness/xmpp-user.ts';
import {
  acceptFor,
  goldenJingle,
  isJingle,
  jingleOf,
  newSid,
  sendJingle,
  terminateStanza,
} from '../test/e2e/helpers.ts';

const needed = [
  { binary: '/usr/bin/prosody', pkg: 'prosody' },
  { binary: '/usr/bin/sipp', pkg: 'sip-tester' },
];

function ensureSystemPackages(): void {
  const missing = needed.filter((n) => !existsSync(n.binary)).map((n) => n.pkg);
  if (missing.length === 0) return;
  const command = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    console.error(
      `The demo needs ${missing.join(' and ')} from your distribution. Install them with:\n  sudo apt-get update && sudo ${command}\nthen run \`npm run demo\` again.`,
    );
    process.exit(1);
  }
  console.log(`== Installing ${missing.join(', ')} from the distribution (${command})`);
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...missing]]) {
    const result = spawnSync('apt-get', args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (result.status !== 0) {
      console.error(`apt-get ${args.join(' ')} failed; install ${missing.join(' ')} yourself and run the demo again.`);
      process.exit(1);
    }
  }
}

function heading(text: string): void {
  console.log(`\n\x1b[1m== ${text}\x1b[0m`);
}

function show(label: string, stanza: Element): void {
  heading(label);
  console.log(prettyXml(stanza));
}

/** The SIP messages of a SIPp run whose start line matches `filter`, as SIPp saw them on the wire. */
function showSip(label: string, result: SippResult, filter: RegExp): void {
  heading(label);
  const messages = result.messages
    .split(/^-{10,}.*$/m)
    .map((chunk) => chunk.replace(/^\s*(UDP|TCP) message (sent|received).*\n/, '').trim())
    .filter((message) => filter.test(message));
  console.log(messages[0] ?? '(none)');
}

async function xmppToSip(prosody: ProsodyServer, alice: XmppUser, sippPort: number): Promise<void> {
  heading('Call 1: alice@example.test (XMPP) calls +15551234567@sip.example.net (SIPp) through the gateway');
  const sipp = await startSipp({
    scenario: 'uas-answer.xml',
    local: { host: '127.0.0.1', port: sippPort },
    timeoutMs: 20_000,
  });
  await sipp.ready;
  const callee = `+15551234567\\40sip.example.net@${prosody.componentDomain}`;
  const sid = newSid('demo');
  const initiate = goldenJingle('j1-xep0320-ice.jingle.xml', alice.fullJid, sid);
  show(
    'XMPP → gateway: session-initiate (XEP-0167 + ICE-UDP + XEP-0320 fingerprint)',
    xml('iq', { type: 'set', to: callee }, initiate),
  );
  await sendJingle(alice, callee, initiate);
  const accept = await alice.waitFor(isJingle('session-accept', sid), 10_000, 'session-accept');
  await sendJingle(alice, callee, jingleOf(terminateStanza(callee, sid))!);
  const result = await sipp.done;
  showSip('gateway → SIP: the INVITE SIPp received', result, /^INVITE/);
  showSip('SIP → gateway: SIPp’s 200 OK (baresip-style DTLS answer)', result, /^SIP\/2\.0 200/);
  show('gateway → XMPP: session-accept', accept);
  if (result.exitCode !== 0) throw new Error(describeSippResult(result));
}

async function sipToXmpp(gw: TestGateway, alice: XmppUser, sippPort: number): Promise<void> {
  heading(`Call 2: SIPp calls back alice (${alice.fullJid}) through the gateway`);
  const sipp = await startSipp({
    scenario: 'uac-call.xml',
    remote: gw.sipAddress,
    local: { host: '127.0.0.1', port: sippPort },
    service: encodeURIComponent(alice.fullJid),
    timeoutMs: 20_000,
  });
  const initiate = await alice.waitFor(isJingle('session-initiate'), 10_000, 'session-initiate');
  show('gateway → XMPP: session-initiate', initiate);
  const accept = acceptFor(initiate, alice.fullJid);
  show('XMPP → gateway: session-accept', xml('iq', { type: 'set', to: initiate.attrs.from }, accept));
  await sendJingle(alice, initiate.attrs.from!, accept);
  await alice.waitFor(isJingle('session-terminate', jingleOf(initiate)!.attrs.sid), 15_000, 'session-terminate');
  const result = await sipp.done;
  showSip('SIP → gateway: the INVITE SIPp sent', result, /^INVITE/);
  showSip('gateway → SIP: the 200 OK SIPp received', result, /^SIP\/2\.0 200/);
  if (result.exitCode !== 0) throw new Error(describeSippResult(result));
}

async function main(): Promise<void> {
  ensureSystemPackages();
  heading('Starting Prosody (own config and data in a temporary directory), the gateway and an XMPP user');
  const prosody = await startProsody();
  const sippPort = await freeDualPort('127.0.0.1');
  let gw: TestGateway | undefined;
  let alice: XmppUser | undefined;
  try {
    gw = await startTestGateway({ prosody, outboundProxy: `sip:127.0.0.1:${String(sippPort)}` });
    alice = await connectUser({
      service: prosody.c2sService,
      domain: prosody.domain,
      username: 'alice',
      password: 'alice-pass',
      resource: 'demo',
    });
    console.log(
      `Prosody: c2s ${prosody.c2sService}, component ${prosody.componentDomain} on ${prosody.service}; gateway SIP on ${gw.sipAddress}; SIPp on 127.0.0.1:${String(sippPort)}`,
    );
    await xmppToSip(prosody, alice, sippPort);
    await sipToXmpp(gw, alice, sippPort);
    heading('Both demo calls completed.');
  } finally {
    await alice?.close();
    await gw?.close();
    await killAllSipp();
    await prosody.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
