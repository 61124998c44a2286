/**
 * Protocol races and faults through the real peers (issue 4, "Protocol races and faults"):
 * Prosody 0.12, the gateway and SIPp 3.6.1 with the test/sipp/race-*.xml scenarios, @xmpp/client
 * users on the XMPP side. RFC 3261 T1/T2 of the gateway's user agent layer are shortened
 * (`sip.timers`, 100/400 ms) so that 64·T1 is 6.4 s; npm `sip`'s own transaction timers are not
 * configurable and stay at T1 = 500 ms (src/sip/stack.ts).
 *
 * The XMPP server restarted mid-call (component reconnects, calls continue and can be ended from
 * both sides) is covered by test/e2e/service.test.ts; a Jingle callee that never answers the
 * session-initiate (→ 408) by test/e2e/sip-to-xmpp.test.ts.
 *
 * SIPp 3.6.1 pitfalls these scenarios work around: it runs one `<send>` or `<nop>` per scheduler
 * turn and takes a message arriving meanwhile as "unexpected" (so a crossing is staged with the
 * second message sent only after the first one's answer, built from headers stored with `ereg`,
 * and jumps are taken on the `<recv>` itself with `next` + `test`); a variable assigned but never
 * used is a fatal load error; a retransmitted copy of the last message received is absorbed and
 * answered by re-sending SIPp's last message, yet still appears in the `-trace_msg` log.
 */
import assert from 'node:assert/strict';
import { xml } from '@xmpp/component';
import { after, afterEach, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from './harness/gateway.ts';
import { freeDualPort } from './harness/ports.ts';
import { startProsody, type ProsodyServer } from './harness/prosody.ts';
import { describeSippResult, killAllSipp, runSipp, startSipp, type SippOptions } from './harness/sipp.ts';
import { connectUser, IqErrorResponse, type XmppUser } from './harness/xmpp-user.ts';
import {
  acceptFor,
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
const T1_MS = 100;
const T2_MS = 400;
const NS_RTP_INFO = 'urn:xmpp:jingle:apps:rtp:info:1';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Receive times (ms) of the messages of a `-trace_msg` log whose first line matches `firstLine`. */
function receivedAt(trace: string, firstLine: RegExp): number[] {
  const times: number[] = [];
  // Each entry: "-----…----- 2026-11-25 22:40:34.782387\nUDP message received [723] bytes :\n\n<message>"
  for (const entry of trace.split(/^-{10,} /m)) {
    const stamp = entry.match(/^(\d{4}-\d\d-\d\d) (\d\d:\d\d):(\d\d\.\d+)/);
    if (stamp === null || !/^[^\n]*\n\S+ message received/.test(entry)) continue;
    const message = entry.split(/\r?\n\r?\n/)[1] ?? '';
    if (!firstLine.test(message.split(/\r?\n/)[0] ?? '')) continue;
    times.push(Date.parse(`${stamp[1]!}T${stamp[2]!}:00Z`) + Number(stamp[3]) * 1000);
  }
  return times;
}

describe('protocol races and faults (SIPp, gateway, Prosody)', () => {
  let prosody: ProsodyServer;
  let gw: TestGateway;
  let alice: XmppUser;
  /** A Jingle peer that never answers the gateway's IQs. */
  let silentAlice: XmppUser;
  let bob: XmppUser;
  let sippPort: number;
  let sipCallee: string;
  let sipCaller: string;

  before(async () => {
    prosody = await startProsody();
    sippPort = await freeDualPort(SIPP_HOST);
    gw = await startTestGateway({
      prosody,
      outboundProxy: `sip:${SIPP_HOST}:${String(sippPort)}`,
      sipTimers: { t1Ms: T1_MS, t2Ms: T2_MS },
      overrides: { jingle: { iqTimeoutMs: 1000 } },
    });
    const user = (username: string, resource: string, autoAckJingle = true) =>
      connectUser({
        service: prosody.c2sService,
        domain: prosody.domain,
        username,
        password: `${username}-pass`,
        resource,
        autoAckJingle,
      });
    [alice, silentAlice, bob] = await Promise.all([
      user('alice', 'desk'),
      user('alice', 'silent', false),
      user('bob', 'phone'),
    ]);
    await bob.presence();
    sipCallee = `+15551234567\\40sip.example.net@${prosody.componentDomain}`;
    sipCaller = `alice\\40pbx.example.org@${prosody.componentDomain}/sip`;
  });

  afterEach(async () => {
    // A failed test must not leave its SIPp holding the port for the next one.
    await killAllSipp();
    // Every race must leave the gateway consistent: no call, no SIP dialog left behind.
    for (let i = 0; i < 20 && gw.gateway.activeCalls() > 0; i++) await sleep(100);
    assert.equal(gw.gateway.activeCalls(), 0);
  });

  after(async () => {
    await Promise.all([alice?.close(), silentAlice?.close(), bob?.close()]);
    await gw?.close();
    await killAllSipp();
    await prosody?.stop();
  });

  const local = () => ({ host: SIPP_HOST, port: sippPort });

  /** SIPp calling through the gateway (SIP → XMPP). */
  function uac(scenario: string, to: string, options: Partial<SippOptions> = {}) {
    return startSipp({
      scenario,
      remote: gw.sipAddress,
      local: local(),
      service: encodeURIComponent(to),
      timeoutMs: 20_000,
      ...options,
    });
  }

  /** SIPp called by the gateway (XMPP → SIP); `user` places the call. */
  async function uas(scenario: string, user: XmppUser = alice, options: Partial<SippOptions> = {}) {
    const sipp = await startSipp({ scenario, local: local(), timeoutMs: 20_000, ...options });
    await sipp.ready;
    const sid = newSid('race');
    const result = await sendJingle(user, sipCallee, goldenJingle('j1-xep0320-ice.jingle.xml', user.fullJid, sid));
    assert.equal(result.attrs.type, 'result');
    return { sipp, sid };
  }

  const hold = (sid: string) =>
    xml('jingle', { xmlns: 'urn:xmpp:jingle:1', action: 'session-info', sid }, xml('hold', { xmlns: NS_RTP_INFO }));

  const stanzasFor = (user: XmppUser, sid: string) =>
    user.received.filter((s) => s.getName() === 'iq' && jingleOf(s)?.attrs.sid === sid);

  describe('requests the gateway refuses', () => {
    it('unknown dialog → 481 (BYE, INFO, re-INVITE), CANCEL of no INVITE → 481, Max-Forwards 0 → 483', async () => {
      const before = bob.received.length;
      const result = await runSipp({
        scenario: 'race-uac-stray.xml',
        remote: gw.sipAddress,
        local: local(),
        service: encodeURIComponent(bob.fullJid),
        timeoutMs: 10_000,
      });
      assert.equal(result.exitCode, 0, describeSippResult(result));
      // The INVITE with Max-Forwards 0 reached no one.
      assert.equal(bob.received.slice(before).filter(isJingle('session-initiate')).length, 0);
    });

    it('a looped INVITE (same Call-ID, From tag, CSeq; other branch) → 482; the first one goes on', async () => {
      const before = bob.received.length;
      const sipp = await uac('race-uac-merged.xml', bob.fullJid);
      const initiate = await bob.waitFor(isJingle('session-initiate'), 5000, 'session-initiate');
      const sid = jingleOf(initiate)!.attrs.sid!;
      const terminate = await bob.waitFor(isJingle('session-terminate', sid), 5000, 'session-terminate');
      assert.equal(reasonOf(terminate), 'cancel');
      const result = await sipp.done;
      assert.equal(result.exitCode, 0, describeSippResult(result));
      assert.equal(result.captured.merged_status, '482');
      // The looped copy started no second session.
      assert.equal(bob.received.slice(before).filter(isJingle('session-initiate')).length, 1);
    });
  });

  describe('CANCEL crossing 200', () => {
    it('SIP caller: CANCEL after the 200 went out → 200 to the CANCEL, the call goes on and ends with BYE', async () => {
      const sipp = await uac('race-uac-cancel-after-200.xml', bob.fullJid);
      const initiate = await bob.waitFor(isJingle('session-initiate'), 5000, 'session-initiate');
      const sid = jingleOf(initiate)!.attrs.sid!;
      await sendJingle(bob, sipCaller, acceptFor(initiate, bob.fullJid));
      const terminate = await bob.waitFor(isJingle('session-terminate', sid), 5000, 'session-terminate');
      assert.equal(reasonOf(terminate), 'success');
      const result = await sipp.done;
      assert.equal(result.exitCode, 0, describeSippResult(result));
      assert.equal(result.captured.cancel_status, '200');
      assert.match(result.captured.cancel_method ?? '', /^CANCEL /);
    });

    it('SIP caller: CANCEL before the accept → 487, <cancel/>; the late session-accept gets unknown-session', async () => {
      const sipp = await uac('race-uac-cancel-accept.xml', bob.fullJid);
      const initiate = await bob.waitFor(isJingle('session-initiate'), 5000, 'session-initiate');
      const sid = jingleOf(initiate)!.attrs.sid!;
      await sendJingle(bob, sipCaller, ringingJingle(sid));
      const terminate = await bob.waitFor(isJingle('session-terminate', sid), 5000, 'session-terminate');
      assert.equal(reasonOf(terminate), 'cancel');
      // The callee accepted while the session-terminate was on its way.
      const late = await sendJingle(bob, sipCaller, acceptFor(initiate, bob.fullJid)).catch((e: unknown) => e);
      assert.ok(late instanceof IqErrorResponse, String(late));
      assert.match(late.stanza.toString(), /<item-not-found[^>]*\/>/);
      assert.match(late.stanza.toString(), /<unknown-session xmlns="urn:xmpp:jingle:errors:1"\/>/);
      const result = await sipp.done;
      assert.equal(result.exitCode, 0, describeSippResult(result));
      assert.equal(result.captured.outcome, 'cancelled');
    });

    it('SIP caller: CANCEL racing the accept → either 487 and <cancel/>, or 200, ACK, BYE and <success/>', async () => {
      const sipp = await uac('race-uac-cancel-accept.xml', bob.fullJid);
      const initiate = await bob.waitFor(isJingle('session-initiate'), 5000, 'session-initiate');
      const sid = jingleOf(initiate)!.attrs.sid!;
      // SIPp cancels as soon as the 180 arrives; the accept follows the ringing at once.
      const ringing = sendJingle(bob, sipCaller, ringingJingle(sid));
      const accepted = sendJingle(bob, sipCaller, acceptFor(initiate, bob.fullJid)).then(
        () => 'result',
        () => 'error',
      );
      await ringing;
      const terminate = await bob.waitFor(isJingle('session-terminate', sid), 5000, 'session-terminate');
      const result = await sipp.done;
      assert.equal(result.exitCode, 0, describeSippResult(result));
      const outcome = result.captured.outcome;
      if (outcome === 'answered') {
        assert.equal(reasonOf(terminate), 'success');
        assert.equal(await accepted, 'result');
      } else {
        assert.equal(outcome, 'cancelled');
        assert.equal(reasonOf(terminate), 'cancel');
      }
      assert.equal(stanzasFor(bob, sid).filter(isJingle('session-terminate', sid)).length, 1);
    });

    it('XMPP caller: its hang-up makes the gateway CANCEL, the 200 crosses it → ACK and BYE, no more Jingle', async () => {
      const { sipp, sid } = await uas('race-uas-cancel-200.xml');
      await alice.waitFor(isJingle('session-info', sid), 5000, 'ringing');
      await sendJingle(alice, sipCallee, jingleOf(terminateStanza(sipCallee, sid, 'cancel'))!);
      const result = await sipp.done;
      assert.equal(result.exitCode, 0, describeSippResult(result));
      await sleep(300);
      const after = stanzasFor(alice, sid).map((s) => jingleOf(s)!.attrs.action);
      assert.deepEqual(after, ['session-info']);
    });
  });

  describe('BYE crossing re-INVITE', () => {
    it("SIP callee's BYE crosses the gateway's hold re-INVITE → 200 to BYE, 487 ACKed, <success/>", async () => {
      const { sipp, sid } = await uas('race-uas-reinvite-bye.xml');
      await alice.waitFor(isJingle('session-accept', sid), 5000, 'session-accept');
      await sendJingle(alice, sipCallee, hold(sid));
      const terminate = await alice.waitFor(isJingle('session-terminate', sid), 5000, 'session-terminate');
      assert.equal(reasonOf(terminate), 'success');
      const result = await sipp.done;
      assert.equal(result.exitCode, 0, describeSippResult(result));
    });

    it("the gateway's BYE crosses the SIP callee's re-INVITE → 481 to the re-INVITE, nothing more on XMPP", async () => {
      const { sipp, sid } = await uas('race-uas-bye-reinvite.xml');
      await alice.waitFor(isJingle('session-accept', sid), 5000, 'session-accept');
      await sendJingle(alice, sipCallee, jingleOf(terminateStanza(sipCallee, sid))!);
      const result = await sipp.done;
      assert.equal(result.exitCode, 0, describeSippResult(result));
      assert.equal(result.captured.reinvite_status, '481');
      await sleep(200);
      const actions = stanzasFor(alice, sid).map((s) => jingleOf(s)!.attrs.action);
      assert.deepEqual(actions, ['session-info', 'session-accept']);
    });
  });

  it('491 glare: re-INVITEs cross, both get 491, both retries succeed', async () => {
    const { sipp, sid } = await uas('race-uas-glare.xml');
    await alice.waitFor(isJingle('session-accept', sid), 5000, 'session-accept');
    await sendJingle(alice, sipCallee, hold(sid));
    const terminate = await alice.waitFor(isJingle('session-terminate', sid), 10_000, 'session-terminate');
    assert.equal(reasonOf(terminate), 'success');
    const result = await sipp.done;
    assert.equal(result.exitCode, 0, describeSippResult(result));
    assert.equal(result.captured.first_status, '491');
    assert.equal(result.captured.retry_status, '200');
  });

  it('ACK never arrives: the 200 is retransmitted (T1 doubling to T2), BYE after 64·T1, <connectivity-error/>', async (t) => {
    const sipp = await uac('race-uac-no-ack.xml', bob.fullJid);
    const initiate = await bob.waitFor(isJingle('session-initiate'), 5000, 'session-initiate');
    const sid = jingleOf(initiate)!.attrs.sid!;
    await sendJingle(bob, sipCaller, acceptFor(initiate, bob.fullJid));
    const terminate = await bob.waitFor(isJingle('session-terminate', sid), 64 * T1_MS + 5000, 'session-terminate');
    assert.equal(reasonOf(terminate), 'connectivity-error');
    const result = await sipp.done;
    assert.equal(result.exitCode, 0, describeSippResult(result));
    const oks = receivedAt(result.messages, /^SIP\/2\.0 200 /);
    const [bye] = receivedAt(result.messages, /^BYE /);
    assert.ok(bye !== undefined, describeSippResult(result));
    // RFC 3261 §13.3.1.4: sent at 0, retransmitted at T1, 3·T1, 7·T1, then every T2 until 64·T1:
    // 0.1, 0.3, 0.7, 1.1, …, 6.3 s → 17 retransmissions. A late timer on a busy machine may push
    // the last one past the deadline.
    const retransmissions = oks.length - 1;
    assert.ok(retransmissions >= 14 && retransmissions <= 17, `${String(retransmissions)} retransmissions`);
    const gaps = oks.slice(1).map((at, i) => Math.round(at - oks[i]!));
    t.diagnostic(
      `${String(retransmissions)} retransmissions, gaps ${gaps.join(' ')} ms, BYE after ${String(Math.round(bye - oks[0]!))} ms`,
    );
    assert.ok(gaps[1]! > gaps[0]! && gaps[2]! > gaps[1]!, `doubling: ${gaps.join(', ')}`);
    assert.ok(
      gaps.every((gap) => gap >= T1_MS * 0.8 && gap <= T2_MS + 400),
      `gaps between T1 and T2: ${gaps.join(', ')}`,
    );
    assert.ok(bye - oks[0]! >= 64 * T1_MS * 0.95, `BYE ${String(bye - oks[0]!)} ms after the 200`);
  });

  it('5 % of SIP messages lost: 8 calls still complete through retransmissions', async (t) => {
    const calls = 8;
    const sipp = await uac('race-uac-lossy.xml', bob.fullJid, {
      calls,
      extraArgs: ['-l', '1'],
      timeoutMs: 40_000,
      pauseMs: 200,
    });
    const sids: string[] = [];
    for (let i = 0; i < calls; i++) {
      const initiate = await bob.waitFor(isJingle('session-initiate'), 15_000, `session-initiate ${String(i)}`);
      const sid = jingleOf(initiate)!.attrs.sid!;
      sids.push(sid);
      await sendJingle(bob, sipCaller, acceptFor(initiate, bob.fullJid));
      const terminate = await bob.waitFor(isJingle('session-terminate', sid), 15_000, `session-terminate ${String(i)}`);
      // Ended by SIPp's BYE, not by the gateway giving up on a lost ACK.
      assert.equal(reasonOf(terminate), 'success');
    }
    const result = await sipp.done;
    assert.equal(result.exitCode, 0, describeSippResult(result));
    assert.equal(new Set(sids).size, calls);
    // SIPp's statistics screen: "Messages  Retrans  Timeout  Unexp.  Lost" per scenario line.
    const lines = result.stdout.split('\n').filter((line) => /^\s+\S+ (<|-)-+/.test(line));
    t.diagnostic(`SIPp per message (sent/received, retransmissions, …, lost):\n${lines.join('\n')}`);
  });

  describe('a Jingle peer that never answers an IQ (XMPP → SIP)', () => {
    it('unanswered ringing and session-accept: the call still works and the caller ends it', async () => {
      const { sipp, sid } = await uas('uas-answer.xml', silentAlice);
      await silentAlice.waitFor(isJingle('session-accept', sid), 5000, 'session-accept');
      // Past jingle.iqTimeoutMs: the gateway gave up waiting for the IQ results.
      await sleep(1300);
      await sendJingle(silentAlice, sipCallee, jingleOf(terminateStanza(sipCallee, sid))!);
      const result = await sipp.done;
      assert.equal(result.exitCode, 0, describeSippResult(result));
    });

    it('unanswered ringing and session-accept: the SIP callee hangs up, the caller is told', async () => {
      const { sipp, sid } = await uas('uas-answer-hangup.xml', silentAlice, { pauseMs: 1500 });
      await silentAlice.waitFor(isJingle('session-accept', sid), 5000, 'session-accept');
      const terminate = await silentAlice.waitFor(isJingle('session-terminate', sid), 5000, 'session-terminate');
      assert.equal(reasonOf(terminate), 'success');
      const result = await sipp.done;
      assert.equal(result.exitCode, 0, describeSippResult(result));
    });
  });
});
