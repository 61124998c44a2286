/**
 * The malformed-Jingle matrix (jingle-cases.ts) through the real router: `answerIqRequest` (what
 * the component runs for every IQ) over `jingleIqHandler`, with the in-memory ports of
 * test/session/fakes.ts. Each case asserts the exact reply (IQ error condition, type, Jingle
 * condition; or IQ result then session-terminate with the reason) and that nothing reached SIP
 * that should not. Over-size and over-deep stanzas never reach the router: the component's
 * inbound guard drops them; the last tests drive that guard with the default limits.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { xml, type Element } from '@xmpp/component';
import { describe, it } from 'node:test';
import { parseXmlElement } from '../../src/mapping/jingle/xml.ts';
import { inviteHandler, jingleIqHandler } from '../../src/session/router.ts';
import { defaultStanzaLimits } from '../../src/xmpp/component.ts';
import { answerIqRequest, refusalForDroppedStanza } from '../../src/xmpp/iq-router.ts';
import { StanzaGuard, type DroppedStanza } from '../../src/xmpp/stanza-guard.ts';
import { parseStanzaError } from '../../src/xmpp/stanza-error.ts';
import { FakeIncomingInvite, fakeContext, inviteRequest, settle, sipResponse } from '../session/fakes.ts';
import {
  CALLEE,
  INBOUND_SID,
  JULIET,
  OUTBOUND_SID,
  ROMEO,
  SIP_CALLER,
  jingle,
  jingleCases,
  julietAccept,
  nested,
  rtpContent,
  type JingleCase,
} from './jingle-cases.ts';

/** The condition of a session-terminate's `<reason/>`. */
function reasonOf(stanza: Element): string | undefined {
  return stanza.getChild('jingle')?.getChild('reason')?.getChildElements()[0]?.getName();
}

const golden = (name: string) => readFileSync(new URL(`../golden/${name}`, import.meta.url), 'utf8');

/** The IQ a client's server would deliver: `payload` parsed inside an iq set. */
function iqWith(from: string, to: string, payload: string): Element {
  return parseXmlElement(`<iq xmlns='jabber:client' type='set' id='m1' from='${from}' to='${to}'>${payload}</iq>`, {
    maxBytes: 1024 * 1024,
  });
}

async function world(state: JingleCase['state']) {
  const f = fakeContext({ jingle: { security: 'dtls' } });
  const handler = jingleIqHandler(f.ctx);
  const bugs: unknown[] = [];
  const answer = (iq: Element) => answerIqRequest(iq, [handler], (err) => bugs.push(err));
  let invite: FakeIncomingInvite | undefined;
  if (state === 'outbound') {
    const init = jingle(`action='session-initiate' sid='${OUTBOUND_SID}' initiator='${ROMEO}'`, rtpContent());
    assert.equal((await answer(iqWith(ROMEO, CALLEE, init))).attrs.type, 'result');
    await settle();
    const out = f.sip.invites[0]!;
    out.handlers.provisional(sipResponse(180, 'Ringing', out.callId));
    await settle();
  } else if (state === 'inbound' || state === 'active') {
    invite = new FakeIncomingInvite(
      inviteRequest('sip:juliet%40capulet.lit%2Fbalcony@sip.gw.example', golden('s2-to-jul.sdp')),
    );
    inviteHandler(f.ctx)(invite);
    await settle();
    const initiate = f.xmpp.requests.find((r) => r.iq.getChild('jingle') !== undefined)!;
    assert.equal(initiate.iq.getChild('jingle')?.attrs.sid, INBOUND_SID);
    initiate.resolve(xml('iq', { type: 'result' }));
    await settle();
    if (state === 'active') {
      assert.equal((await answer(iqWith(JULIET, SIP_CALLER, julietAccept('active')))).attrs.type, 'result');
      assert.ok(invite.accepted);
    }
  }
  f.xmpp.sent.length = 0;
  return { ...f, answer, bugs, invite };
}

describe('malformed Jingle through the router', () => {
  it('has at least 40 cases with distinct names', () => {
    assert.ok(jingleCases.length >= 40, String(jingleCases.length));
    assert.equal(new Set(jingleCases.map((c) => c.name)).size, jingleCases.length);
  });

  for (const c of jingleCases) {
    it(c.name, async () => {
      const w = await world(c.state);
      const from = c.from ?? ROMEO;
      const to = c.state === 'inbound' || c.state === 'active' ? SIP_CALLER : CALLEE;
      const callsBefore = w.ctx.registry.size;
      const invitesBefore = w.sip.invites.length;
      const reply = await w.answer(iqWith(from, to, c.payload));
      await settle();
      assert.deepEqual(w.bugs, []);
      assert.equal(reply.attrs.id, 'm1');
      assert.equal(reply.attrs.to, from);
      assert.equal(w.sip.invites.length, invitesBefore, 'no INVITE may follow');
      if ('error' in c.expect) {
        assert.equal(reply.attrs.type, 'error', reply.toString());
        const error = parseStanzaError(reply);
        const got = { condition: error.condition, type: error.type, ...(error.jingle ? { jingle: error.jingle } : {}) };
        assert.deepEqual(got, c.expect.error, reply.toString());
        const ends = c.expect.ends;
        if (ends !== undefined) {
          assert.equal(w.invite?.final?.status, ends.sip);
          assert.match(w.invite.final.headers?.Warning ?? '', /^305 sip\.gw\.example "/);
          const terminates = w.xmpp.jingle('session-terminate');
          assert.equal(terminates.length, 1);
          assert.equal(terminates[0]!.attrs.to, from);
          assert.equal(reasonOf(terminates[0]!), ends.reason);
          assert.equal(w.ctx.registry.size, callsBefore - 1);
          return;
        }
        // An IQ error changes nothing: the call (if any) goes on, no stanza follows.
        assert.equal(w.ctx.registry.size, callsBefore);
        assert.deepEqual(
          w.xmpp.sent.map((s) => s.toString()),
          [],
        );
        assert.equal(w.invite?.final, undefined);
        return;
      }
      assert.equal(reply.attrs.type, 'result', reply.toString());
      const terminates = w.xmpp.jingle('session-terminate');
      if (c.expect.terminate === undefined) {
        assert.equal(terminates.length, 0);
        return;
      }
      assert.equal(terminates.length, 1);
      assert.equal(terminates[0]!.attrs.to, from);
      assert.equal(reasonOf(terminates[0]!), c.expect.terminate);
    });
  }
});

describe('over-deep and oversize stanzas at the component guard (default limits)', () => {
  function guardReplies(stanza: string): { forwarded: string; dropped: DroppedStanza[]; refusals: Element[] } {
    let forwarded = '';
    const dropped: DroppedStanza[] = [];
    const guard = new StanzaGuard(defaultStanzaLimits, {
      forward: (text) => (forwarded += text),
      dropped: (d) => dropped.push(d),
      violation: (v) => assert.fail(`unexpected stream violation ${v.kind}`),
    });
    guard.write(`<stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams'>`);
    forwarded = '';
    guard.write(stanza);
    const refusals = dropped.map((d) => refusalForDroppedStanza(d, defaultStanzaLimits)!);
    return { forwarded, dropped, refusals };
  }
  const iqOpen = `<iq type='set' id='d1' from='${ROMEO}' to='${CALLEE}'><jingle xmlns='urn:xmpp:jingle:1' action='session-info' sid='s'>`;

  it('defaults to 64 KiB and depth 32 (issue 4)', () => {
    assert.deepEqual(defaultStanzaLimits, { maxStanzaBytes: 65536, maxDepth: 32 });
  });

  it('refuses a Jingle IQ nested 40 deep with policy-violation (modify)', () => {
    const { forwarded, refusals } = guardReplies(`${iqOpen}${nested(40)}</jingle></iq>`);
    assert.equal(forwarded, '');
    assert.equal(refusals.length, 1);
    const error = parseStanzaError(refusals[0]!);
    assert.deepEqual(
      [error.condition, error.type, error.message],
      ['policy-violation', 'modify', 'stanza nested deeper than 32 elements'],
    );
    assert.equal(refusals[0]!.attrs.to, ROMEO);
  });

  it('passes a Jingle IQ nested exactly 32 deep (iq and jingle count)', () => {
    const stanza = `${iqOpen}${nested(30)}</jingle></iq>`;
    const { forwarded, dropped } = guardReplies(stanza);
    assert.deepEqual(dropped, []);
    assert.equal(forwarded, stanza);
  });

  it('refuses a 70 KB Jingle IQ with policy-violation (modify)', () => {
    const { forwarded, refusals } = guardReplies(`${iqOpen}<x>${'p'.repeat(70_000)}</x></jingle></iq>`);
    assert.equal(forwarded, '');
    const error = parseStanzaError(refusals[0]!);
    assert.deepEqual(
      [error.condition, error.type, error.message],
      ['policy-violation', 'modify', 'stanza larger than 65536 bytes'],
    );
  });
});
