/**
 * Authorization through the real peers (issue 4, "Authentication and authorization"): the
 * gateway admits SIP only from `sip.allowedSources` (here 127.0.0.9/32), rate limits each source
 * (503 + Retry-After), and refuses XMPP calls to numbers its dial plan denies (`forbidden`).
 * SIPp plays the SIP sources, @xmpp/client on Prosody 0.12 the XMPP caller.
 */
import assert from 'node:assert/strict';
import pino from 'pino';
import { after, before, describe, it } from 'node:test';
import { gatewayConfigSchema } from '../../src/config/schema.ts';
import { startGateway, type Gateway } from '../../src/main.ts';
import { GatewayMetrics } from '../../src/ops/metrics.ts';
import { GATEWAY_SIP_DOMAIN, GATEWAY_SIP_HOST } from './harness/gateway.ts';
import { freeDualPort } from './harness/ports.ts';
import { startProsody, type ProsodyServer } from './harness/prosody.ts';
import { describeSippResult, killAllSipp, runSipp, type SippResult } from './harness/sipp.ts';
import { connectUser, IqErrorResponse, type XmppUser } from './harness/xmpp-user.ts';
import { goldenJingle, newSid, sendJingle } from './helpers.ts';

const ALLOWED_SOURCE = '127.0.0.9';
const OTHER_SOURCE = '127.0.0.1';
const BURST = 2;

/** Final status per Call-ID of the responses SIPp received (retransmissions collapse). */
function statusesByCall(result: SippResult): Map<string, { status: number; retryAfter: string | undefined }> {
  const calls = new Map<string, { status: number; retryAfter: string | undefined }>();
  for (const message of result.messages.split(/-{20,}/)) {
    const status = /^SIP\/2\.0 (\d{3}) /m.exec(message)?.[1];
    const callId = /^Call-ID:\s*(\S+)/im.exec(message)?.[1];
    if (status === undefined || callId === undefined || Number(status) < 200) continue;
    calls.set(callId, { status: Number(status), retryAfter: /^Retry-After:\s*(\S+)/im.exec(message)?.[1] });
  }
  return calls;
}

describe('authorization (Prosody, gateway, SIPp)', () => {
  let prosody: ProsodyServer;
  let gateway: Gateway;
  let metrics: GatewayMetrics;
  let sipAddress: string;
  let alice: XmppUser;

  before(async () => {
    prosody = await startProsody();
    const sipPort = await freeDualPort(GATEWAY_SIP_HOST);
    sipAddress = `${GATEWAY_SIP_HOST}:${String(sipPort)}`;
    const config = gatewayConfigSchema.parse({
      xmpp: {
        service: prosody.service,
        domain: prosody.componentDomain,
        secret: prosody.componentSecret,
        allowedDomains: [prosody.domain],
        // No defaultDomain: an INVITE to a bare user part is answered 404 at once (spec §7.2),
        // which is all the admitted requests of the burst need.
        dialPlan: { deny: ['^\\+1900', '^\\+44(9|87)'] },
      },
      sip: {
        domain: GATEWAY_SIP_DOMAIN,
        listen: [`udp:${sipAddress}`, `tcp:${sipAddress}`],
        allowedSources: [`${ALLOWED_SOURCE}/32`],
        // One token per 1000 s: whatever the timing, exactly BURST requests get through.
        rateLimit: { perSecond: 0.001, burst: BURST, exemptSources: [] },
      },
      http: { listen: '127.0.0.1:0' },
    });
    metrics = new GatewayMetrics({ processMetrics: false });
    const level = (process.env.GW_TEST_LOG ?? 'silent') as pino.Level | 'silent';
    gateway = await startGateway(config, { logger: pino({ level }, pino.destination(2)), metrics });
    alice = await connectUser({
      service: prosody.c2sService,
      domain: prosody.domain,
      username: 'alice',
      password: 'alice-pass',
    });
  });

  after(async () => {
    await alice?.close();
    await gateway?.close();
    await killAllSipp();
    await prosody?.stop();
  });

  async function invite(source: string, calls: number): Promise<SippResult> {
    return runSipp({
      scenario: 'uac-rejected.xml',
      remote: sipAddress,
      local: { host: source, port: await freeDualPort(source) },
      service: 'nobody',
      calls,
      timeoutMs: 15_000,
    });
  }

  it('an INVITE from a source outside sip.allowedSources gets 403', async () => {
    const result = await invite(OTHER_SOURCE, 1);
    assert.equal(result.exitCode, 0, describeSippResult(result));
    assert.equal(result.captured.status, '403', describeSippResult(result));
    assert.match(
      await metrics.metricsText(),
      /jsg_calls_refused_total\{direction="sip-to-xmpp",reason="source-not-allowed"\} 1\n/,
    );
  });

  it(`a burst over sip.rateLimit: ${String(BURST)} INVITEs admitted, the rest 503 with Retry-After`, async () => {
    const result = await invite(ALLOWED_SOURCE, BURST + 3);
    assert.equal(result.exitCode, 0, describeSippResult(result));
    const outcomes = [...statusesByCall(result).values()];
    assert.equal(outcomes.length, BURST + 3, describeSippResult(result));
    // Admitted INVITEs reach the call layer: a user part without @ and no xmpp.defaultDomain → 404.
    assert.deepEqual(
      outcomes.map((o) => o.status).sort(),
      [...Array<number>(BURST).fill(404), 503, 503, 503],
      describeSippResult(result),
    );
    // The seconds until the next token: 1000 s minus the little that has refilled since the burst.
    for (const { retryAfter } of outcomes.filter((o) => o.status === 503)) {
      assert.match(retryAfter ?? '', /^\d+$/);
      assert.ok(Number(retryAfter) >= 990 && Number(retryAfter) <= 1000, `Retry-After: ${String(retryAfter)}`);
    }
    assert.match(
      await metrics.metricsText(),
      /jsg_calls_refused_total\{direction="sip-to-xmpp",reason="source-rate-exceeded"\} 3\n/,
    );
  });

  it('an XMPP user dialling a denied number gets forbidden and no INVITE leaves', async () => {
    const premium = `+19005550100\\40sip.example.net@${prosody.componentDomain}`;
    const error = await sendJingle(
      alice,
      premium,
      goldenJingle('j1-xep0320-ice.jingle.xml', alice.fullJid, newSid()),
    ).then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(error instanceof IqErrorResponse, String(error));
    const errorEl = error.stanza.getChild('error');
    assert.equal(errorEl?.attrs.type, 'cancel');
    assert.ok(errorEl?.getChild('forbidden', 'urn:ietf:params:xml:ns:xmpp-stanzas'), error.stanza.toString());
    const text = await metrics.metricsText();
    assert.match(text, /jsg_calls_refused_total\{direction="xmpp-to-sip",reason="destination-denied"\} 1\n/);
    assert.doesNotMatch(text, /jsg_sip_messages_total\{direction="out",method="INVITE"\}/);
  });
});
