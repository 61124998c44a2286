/**
 * Who may call (src/session/authorization.ts) through the router with fake ports: refused
 * callers, destinations and rates get their typed IQ error, no INVITE is sent, and each refusal
 * is counted; refused SIP sources get 403 / 503 + Retry-After before the user agent sees them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { GatewayConfigInput } from '../../src/config/schema.ts';
import { parseXmlElement } from '../../src/mapping/jingle/xml.ts';
import { jingleIqHandler } from '../../src/session/router.ts';
import type { SipRemote, SipRequest, SipResponse } from '../../src/sip/message.ts';
import type { IncomingSipRequest, SipPort } from '../../src/sip/port.ts';
import { guardSipPort } from '../../src/sip/source-guard.ts';
import { StanzaError } from '../../src/xmpp/port.ts';
import { fakeContext, iqSet, settle, sipResponse } from './fakes.ts';

const golden = readFileSync(new URL('../golden/j1-xep0320-ice.jingle.xml', import.meta.url), 'utf8');
const ROMEO = 'romeo@example.org/orchard';
const CALLEE = '+15551234567\\40sip.example.net@gw.example';
const PREMIUM = '+19005550100\\40sip.example.net@gw.example';

type XmppInput = Extract<GatewayConfigInput['xmpp'], object>;

function setup(xmpp: Partial<XmppInput> = {}, sip: Partial<GatewayConfigInput['sip']> = {}) {
  const f = fakeContext({
    xmpp: {
      service: 'xmpp://127.0.0.1:5347',
      domain: 'gw.example',
      secret: 's',
      allowedDomains: ['example.org'],
      ...xmpp,
    },
    sip: { domain: 'sip.gw.example', listen: ['udp:127.0.0.2:5060'], ...sip },
  });
  f.xmpp.onIq(jingleIqHandler(f.ctx));
  let n = 0;
  /** Delivers a session-initiate with a fresh sid; resolves with the IQ outcome once settled. */
  const call = async (from = ROMEO, to = CALLEE) => {
    const sid = `sid-${String(++n)}`;
    const jingle = parseXmlElement(
      golden.replace(/romeo@montague\.lit\/orchard/g, from).replace(/sid='[^']*'/, `sid='${sid}'`),
    );
    const outcome = await f.xmpp.deliverIq(iqSet(from, to, jingle));
    await settle();
    return outcome;
  };
  return { ...f, call };
}

function assertRefused(outcome: { error?: unknown }, condition: string, type: string, text: RegExp): void {
  assert.ok(outcome.error instanceof StanzaError, `expected an IQ error, got ${String(outcome.error)}`);
  assert.equal(outcome.error.condition, condition);
  assert.equal(outcome.error.type, type);
  assert.match(outcome.error.message, text);
}

describe('XMPP → SIP authorization', () => {
  it('a caller outside xmpp.allowedDomains → forbidden, no INVITE, counted', async () => {
    const f = setup();
    const outcome = await f.call('mallory@evil.example/x');
    assertRefused(outcome, 'forbidden', 'cancel', /^users of evil\.example may not use this gateway$/);
    assert.equal(f.sip.invites.length, 0);
    assert.deepEqual(f.observed.refused, [['xmpp-to-sip', 'caller-not-allowed']]);
    assert.deepEqual(f.observed.started, []);
  });

  it('a denied destination → forbidden, no INVITE; other numbers still go out', async () => {
    const f = setup({ dialPlan: { deny: ['^\\+1900', '^\\+44(9|87)'] } });
    const outcome = await f.call(ROMEO, PREMIUM);
    assertRefused(outcome, 'forbidden', 'cancel', /^calls to sip:\+19005550100@sip\.example\.net are not allowed$/);
    assert.equal(f.sip.invites.length, 0);
    assert.deepEqual(f.observed.refused, [['xmpp-to-sip', 'destination-denied']]);
    assert.deepEqual(f.observed.errors, ['destination-denied']);
    assert.equal((await f.call()).error, undefined);
    assert.deepEqual(
      f.sip.invites.map((i) => i.options.requestUri),
      ['sip:+15551234567@sip.example.net'],
    );
  });

  it('with an allow list, a callee outside it → forbidden', async () => {
    const f = setup({ dialPlan: { allow: ['@trunk\\.example$'] } });
    assertRefused(await f.call(), 'forbidden', 'cancel', /are not allowed$/);
    assert.equal(f.sip.invites.length, 0);
  });

  it('more concurrent calls than xmpp.limits.concurrentCalls → resource-constraint (wait); a slot frees when a call ends', async () => {
    const f = setup({ limits: { concurrentCalls: 2 } });
    assert.equal((await f.call()).error, undefined);
    // Another resource of the same user counts against the same bare JID.
    assert.equal((await f.call('Romeo@Example.org/balcony')).error, undefined);
    const third = await f.call('romeo@example.org/garden');
    assertRefused(third, 'resource-constraint', 'wait', /^2 calls in progress: at most 2 at once$/);
    assert.equal(f.sip.invites.length, 2);
    // Someone else is not limited by romeo's calls.
    assert.equal((await f.call('juliet@example.org/tomb')).error, undefined);
    assert.equal(f.sip.invites.length, 3);

    const first = f.sip.invites[0]!;
    first.handlers.rejected(sipResponse(486, 'Busy Here', first.callId));
    await settle();
    assert.equal((await f.call()).error, undefined);
    assert.equal(f.sip.invites.length, 4);
    assert.deepEqual(f.observed.refused, [['xmpp-to-sip', 'concurrent-calls-exceeded']]);
  });

  it('more calls per minute than xmpp.limits.callsPerMinute → resource-constraint (wait) until a token refills', async () => {
    const f = setup({ limits: { callsPerMinute: 2 } });
    const endAll = async () => {
      for (const invite of f.sip.invites) invite.handlers.rejected(sipResponse(486, 'Busy Here', invite.callId));
      await settle();
    };
    assert.equal((await f.call()).error, undefined);
    assert.equal((await f.call()).error, undefined);
    await endAll();
    // The calls have ended: what refuses the third is the rate, not the concurrency.
    const third = await f.call();
    assertRefused(third, 'resource-constraint', 'wait', /^at most 2 calls per minute: try again in 30 s$/);
    assert.equal(f.sip.invites.length, 2);
    f.policyClock.ms += 29_000;
    assertRefused(await f.call(), 'resource-constraint', 'wait', /try again in 1 s$/);
    f.policyClock.ms += 1_000;
    assert.equal((await f.call()).error, undefined);
    assert.equal(f.sip.invites.length, 3);
    assert.deepEqual(f.observed.refused, [
      ['xmpp-to-sip', 'call-rate-exceeded'],
      ['xmpp-to-sip', 'call-rate-exceeded'],
    ]);
  });

  it('refused attempts use up no rate: a denied destination does not count', async () => {
    const f = setup({ limits: { callsPerMinute: 1 }, dialPlan: { deny: ['^\\+1900'] } });
    for (let i = 0; i < 3; i++) assertRefused(await f.call(ROMEO, PREMIUM), 'forbidden', 'cancel', /not allowed/);
    assert.equal((await f.call()).error, undefined);
    assert.equal(f.sip.invites.length, 1);
  });
});

/** A SipPort that only delivers requests and records responses. */
class RecordingPort implements SipPort {
  readonly listening = true;
  readonly addresses = [{ transport: 'udp' as const, host: '127.0.0.2', port: 5060 }];
  handler: ((incoming: IncomingSipRequest) => void) | undefined;
  listen(): Promise<void> {
    return Promise.resolve();
  }
  onRequest(handler: (incoming: IncomingSipRequest) => void): void {
    this.handler = handler;
  }
  sendRequest(request: SipRequest): { request: SipRequest } {
    return { request };
  }
  sendAck(): void {}
  makeResponse(request: SipRequest, status: number): SipResponse {
    return sipResponse(status, '', request.headers['call-id']);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  /** Delivers `method` from `address`; returns the response sent, if any. */
  deliver(address: string, method = 'INVITE'): SipResponse | undefined {
    let sent: SipResponse | undefined;
    const remote: SipRemote = { protocol: 'UDP', address, port: 5060, local: { address: '127.0.0.2', port: 5060 } };
    const request: SipRequest = {
      method,
      uri: 'sip:bob@gw.example',
      headers: {
        to: { uri: 'sip:bob@gw.example', params: {} },
        from: { uri: 'sip:alice@pbx.example', params: { tag: 'a' } },
        'call-id': 'c1',
        cseq: { seq: 1, method },
      },
    };
    this.handler?.({
      request,
      remote,
      respond: (response) => {
        sent = response;
      },
    });
    return sent;
  }
}

function guarded(sip: Partial<GatewayConfigInput['sip']>) {
  const f = setup({}, sip);
  const port = new RecordingPort();
  const admitted: string[] = [];
  guardSipPort(port, (remote, request) => f.ctx.authorizer.admitSipRequest(remote, request)).onRequest((incoming) => {
    admitted.push(`${incoming.request.method} ${incoming.remote.address}`);
  });
  return { ...f, port, admitted };
}

describe('SIP source authorization (guarded port)', () => {
  it('only sip.allowedSources reach the user agent; others get 403, ACKs are dropped', () => {
    const g = guarded({ allowedSources: ['127.0.0.9/32', '2001:db8::/32'] });
    assert.equal(g.port.deliver('127.0.0.9'), undefined);
    assert.equal(g.port.deliver('2001:db8::7', 'OPTIONS'), undefined);
    assert.equal(g.port.deliver('127.0.0.1')?.status, 403);
    assert.equal(g.port.deliver('2001:db9::7', 'OPTIONS')?.status, 403);
    assert.equal(g.port.deliver('127.0.0.1', 'ACK'), undefined);
    assert.deepEqual(g.admitted, ['INVITE 127.0.0.9', 'OPTIONS 2001:db8::7']);
    assert.deepEqual(g.observed.refused, [
      ['sip-to-xmpp', 'source-not-allowed'],
      ['sip-to-xmpp', 'source-not-allowed'],
      ['sip-to-xmpp', 'source-not-allowed'],
    ]);
  });

  it('a source over sip.rateLimit gets 503 with Retry-After; ACKs and other sources are not limited', () => {
    const g = guarded({ rateLimit: { perSecond: 0.5, burst: 2, exemptSources: [] } });
    assert.equal(g.port.deliver('192.0.2.1'), undefined);
    assert.equal(g.port.deliver('192.0.2.1', 'ACK'), undefined);
    assert.equal(g.port.deliver('192.0.2.1', 'BYE'), undefined);
    const refused = g.port.deliver('192.0.2.1', 'OPTIONS');
    assert.equal(refused?.status, 503);
    assert.equal(refused.headers['retry-after'], '2');
    assert.equal(g.port.deliver('192.0.2.2'), undefined);
    assert.deepEqual(g.admitted, ['INVITE 192.0.2.1', 'ACK 192.0.2.1', 'BYE 192.0.2.1', 'INVITE 192.0.2.2']);
    assert.deepEqual(g.observed.refused, [['sip-to-xmpp', 'source-rate-exceeded']]);
    g.policyClock.ms += 2000;
    assert.equal(g.port.deliver('192.0.2.1'), undefined);
  });

  it('sources in sip.rateLimit.exemptSources (default: loopback) are never rate limited', () => {
    const g = guarded({ rateLimit: { perSecond: 1, burst: 1 } });
    for (let i = 0; i < 20; i++) assert.equal(g.port.deliver('127.0.0.1'), undefined);
    assert.equal(g.port.deliver('192.0.2.1'), undefined);
    assert.equal(g.port.deliver('192.0.2.1')?.status, 503);
  });

  it('a source not allowed is refused 403 even when exempt from the rate limit', () => {
    const g = guarded({ allowedSources: ['192.0.2.0/24'] });
    assert.equal(g.port.deliver('127.0.0.1')?.status, 403);
  });

  it('with sip.inboundAuth set, other sources are let through to the digest challenge (allowed OR authenticated)', () => {
    const g = guarded({
      allowedSources: ['192.0.2.0/24'],
      inboundAuth: { realm: 'gw.example', users: [{ username: 'pbx', password: 'pbx-secret' }] },
    });
    assert.equal(g.port.deliver('198.51.100.7'), undefined);
    assert.deepEqual(g.admitted, ['INVITE 198.51.100.7']);
    assert.deepEqual(g.observed.refused, []);
  });
});
