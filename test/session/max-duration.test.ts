/**
 * `calls.maxDurationSeconds`: an answered call is ended on both legs once it is this old (for a
 * call whose BYE was lost; there are no RFC 4028 session timers). Default 0 = no limit.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { xml } from '@xmpp/component';
import { describe, it } from 'node:test';
import { gatewayConfigSchema } from '../../src/config/schema.ts';
import { parseXmlElement } from '../../src/mapping/jingle/xml.ts';
import { inviteHandler, jingleIqHandler } from '../../src/session/router.ts';
import { FakeDialog, FakeIncomingInvite, fakeContext, iqSet, inviteRequest, settle, sipResponse } from './fakes.ts';

const golden = (name: string) => readFileSync(new URL(`../golden/${name}`, import.meta.url), 'utf8');
const MAX_SECONDS = 3600;
const ROMEO = 'romeo@example.org/orchard';
const CALLEE = '+15551234567\\40sip.example.net@gw.example';
const SID = 'a73sjjvkla37jfea';

async function answeredOutboundCall(maxDurationSeconds?: number) {
  const f = fakeContext(maxDurationSeconds === undefined ? {} : { calls: { maxDurationSeconds } });
  f.xmpp.onIq(jingleIqHandler(f.ctx));
  const jingle = parseXmlElement(golden('j1-xep0320-ice.jingle.xml').replace(/romeo@montague\.lit\/orchard/g, ROMEO));
  assert.equal((await f.xmpp.deliverIq(iqSet(ROMEO, CALLEE, jingle))).error, undefined);
  await settle();
  const invite = f.sip.invites[0]!;
  const dialog = new FakeDialog(invite.callId);
  invite.handlers.accepted(dialog, sipResponse(200, 'OK', invite.callId, golden('j1-answer-active.sdp')));
  await settle();
  assert.equal(f.xmpp.jingle('session-accept').length, 1);
  return { ...f, dialog };
}

describe('calls.maxDurationSeconds', () => {
  it('XMPP → SIP: BYE with Reason 408 "expired" and session-terminate <expired/> when reached', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { ctx, xmpp, dialog, observed } = await answeredOutboundCall(MAX_SECONDS);
    t.mock.timers.tick(MAX_SECONDS * 1000 - 1);
    await settle();
    assert.equal(dialog.requests.length, 0);
    t.mock.timers.tick(1);
    await settle();
    // spec §6.3: `expired` on an active call → BYE with cause 408.
    assert.deepEqual(
      dialog.requests.map((r) => [r.method, r.headers]),
      [['BYE', { Reason: 'SIP ;cause=408 ;text="expired"' }]],
    );
    const terminate = xmpp.jingle('session-terminate');
    assert.equal(terminate.length, 1);
    assert.equal(
      terminate[0]!.toString(),
      `<iq type="set" from="${CALLEE}/sip" to="${ROMEO}"><jingle xmlns="urn:xmpp:jingle:1" action="session-terminate" sid="${SID}"><reason><expired/></reason></jingle></iq>`,
    );
    assert.deepEqual(observed.ended, [['xmpp-to-sip', 'answered']]);
    assert.equal(ctx.registry.size, 0);
  });

  it('SIP → XMPP: BYE and session-terminate <expired/> to the callee when reached', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const f = fakeContext({ jingle: { security: 'dtls' }, calls: { maxDurationSeconds: MAX_SECONDS } });
    f.xmpp.onIq(jingleIqHandler(f.ctx));
    const invite = new FakeIncomingInvite(
      inviteRequest('sip:juliet%40capulet.lit%2Fbalcony@sip.gw.example', golden('s2-to-jul.sdp')),
    );
    inviteHandler(f.ctx)(invite);
    await settle();
    const initiate = f.xmpp.requests.find((r) => r.iq.getChild('jingle')?.attrs.action === 'session-initiate')!;
    initiate.resolve(xml('iq', { type: 'result' }));
    const sid = initiate.iq.getChild('jingle')!.attrs.sid!;
    const caller = initiate.iq.attrs.from!;
    const accept = parseXmlElement(
      golden('s2-jul-accept-actpass.jingle.xml')
        .replace(/sid='[^']*'/, `sid='${sid}'`)
        .replace(/setup='actpass'/, "setup='active'"),
    );
    const outcome = await f.xmpp.deliverIq(
      xml('iq', { type: 'set', from: 'juliet@capulet.lit/balcony', to: caller }, accept),
    );
    assert.equal(outcome.error, undefined);
    const dialog = invite.accepted!.dialog;
    t.mock.timers.tick(MAX_SECONDS * 1000);
    await settle();
    assert.deepEqual(
      dialog.requests.map((r) => [r.method, r.headers]),
      [['BYE', { Reason: 'SIP ;cause=408 ;text="expired"' }]],
    );
    const terminate = f.xmpp.jingle('session-terminate');
    assert.equal(terminate.length, 1);
    assert.equal(terminate[0]!.attrs.to, 'juliet@capulet.lit/balcony');
    assert.ok(terminate[0]!.getChild('jingle')!.getChild('reason')!.getChild('expired'));
    assert.deepEqual(f.observed.ended, [['sip-to-xmpp', 'answered']]);
    assert.equal(f.ctx.registry.size, 0);
  });

  it('is off by default: an answered call has no time limit', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { ctx, xmpp, dialog, observed } = await answeredOutboundCall();
    assert.equal(ctx.config.calls.maxDurationSeconds, 0);
    t.mock.timers.runAll();
    await settle();
    assert.deepEqual(dialog.requests, []);
    assert.equal(xmpp.jingle('session-terminate').length, 0);
    assert.deepEqual(observed.ended, []);
    assert.equal(ctx.registry.size, 1);
  });

  it('accepts 0 to 2147483 whole seconds', () => {
    const base = {
      xmpp: { service: 'xmpp://127.0.0.1:5347', domain: 'gw.example', secret: 's' },
      sip: { domain: 'sip.gw.example' },
    };
    const issues = (value: number) =>
      gatewayConfigSchema
        .safeParse({ ...base, calls: { maxDurationSeconds: value } })
        .error?.issues.map((i) => i.message);
    assert.equal(issues(0), undefined);
    assert.equal(issues(2147483), undefined);
    assert.deepEqual(issues(-1), ['must be 0 (off) or more']);
    assert.deepEqual(issues(2147484), ['must be at most 2147483 s (the setTimeout limit)']);
    assert.equal(issues(1.5)?.length, 1);
  });
});
