/**
 * SIP → XMPP through the real peers: SIPp calls an @xmpp/client user on Prosody 0.12 through the
 * gateway. SIPp's scenarios check the SDP answer (never actpass); these tests play the Jingle
 * callee and check what it receives (spec §6.1, §6.5, §6.7, §7.2, §7.3).
 */
import assert from 'node:assert/strict';
import { xml } from '@xmpp/component';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from './harness/gateway.ts';
import { freeDualPort } from './harness/ports.ts';
import { startProsody, type ProsodyServer } from './harness/prosody.ts';
import { describeSippResult, killAllSipp, runSipp, startSipp } from './harness/sipp.ts';
import { connectUser, type XmppUser } from './harness/xmpp-user.ts';
import { acceptFor, isJingle, jingleOf, reasonOf, ringingJingle, sendJingle, terminateStanza } from './helpers.ts';

const SIPP_HOST = '127.0.0.1';
const NS_JMI = 'urn:xmpp:jingle-message:0';

describe('SIP → XMPP (SIPp, gateway, Prosody)', () => {
  let prosody: ProsodyServer;
  let gw: TestGateway;
  let bob: XmppUser;
  let sippPort: number;
  let caller: string;

  before(async () => {
    prosody = await startProsody();
    sippPort = await freeDualPort(SIPP_HOST);
    gw = await startTestGateway({ prosody, overrides: { jingle: { ringTimeoutMs: 1500, iqTimeoutMs: 1500 } } });
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

  const service = (jid: string) => encodeURIComponent(jid);

  function uac(scenario: string, to: string) {
    return startSipp({
      scenario,
      remote: gw.sipAddress,
      local: { host: SIPP_HOST, port: sippPort },
      service: service(to),
      timeoutMs: 20_000,
    });
  }

  it('full-JID callee: session-initiate from the SIP caller, ringing → 180, accept → 200, BYE → <success/>', async () => {
    const sipp = await uac('uac-call.xml', bob.fullJid);
    const initiate = await bob.waitFor(isJingle('session-initiate'), 5000, 'session-initiate');
    const jingle = jingleOf(initiate)!;
    assert.equal(initiate.attrs.from, caller);
    assert.equal(jingle.attrs.initiator, caller);
    const fingerprint = initiate.toString().match(/<fingerprint [^>]*>/)?.[0] ?? '';
    assert.match(fingerprint, /setup="actpass"/);
    assert.match(fingerprint, /hash="sha-256"/);
    assert.match(initiate.toString(), /urn:xmpp:jingle:transports:raw-udp:1/);
    const sid = jingle.attrs.sid!;
    await sendJingle(bob, caller, ringingJingle(sid));
    await sendJingle(bob, caller, acceptFor(initiate, bob.fullJid));
    const terminate = await bob.waitFor(isJingle('session-terminate', sid), 10_000, 'session-terminate');
    assert.equal(reasonOf(terminate), 'success');
    const result = await sipp.done;
    assert.equal(result.exitCode, 0, describeSippResult(result));
    assert.equal(result.captured.answer_setup, 'active');
  });

  it('callee hang-up: session-terminate → BYE', async () => {
    const sipp = await uac('uac-callee-hangup.xml', bob.fullJid);
    const initiate = await bob.waitFor(isJingle('session-initiate'), 5000, 'session-initiate');
    const sid = jingleOf(initiate)!.attrs.sid!;
    await sendJingle(bob, caller, acceptFor(initiate, bob.fullJid));
    await new Promise((r) => setTimeout(r, 300));
    await sendJingle(bob, caller, jingleOf(terminateStanza(caller, sid))!);
    const result = await sipp.done;
    assert.equal(result.exitCode, 0, describeSippResult(result));
  });

  it('caller CANCEL → session-terminate <cancel/> and 487', async () => {
    const sipp = await uac('uac-cancel.xml', bob.fullJid);
    const initiate = await bob.waitFor(isJingle('session-initiate'), 5000, 'session-initiate');
    const sid = jingleOf(initiate)!.attrs.sid!;
    await sendJingle(bob, caller, ringingJingle(sid));
    const terminate = await bob.waitFor(isJingle('session-terminate', sid), 5000, 'session-terminate');
    assert.equal(reasonOf(terminate), 'cancel');
    const result = await sipp.done;
    assert.equal(result.exitCode, 0, describeSippResult(result));
  });

  it('callee declines → 603', async () => {
    const sipp = await uac('uac-rejected.xml', bob.fullJid);
    const initiate = await bob.waitFor(isJingle('session-initiate'), 5000, 'session-initiate');
    await sendJingle(bob, caller, jingleOf(terminateStanza(caller, jingleOf(initiate)!.attrs.sid!, 'decline'))!);
    const result = await sipp.done;
    assert.equal(result.exitCode, 0, describeSippResult(result));
    assert.equal(result.captured.status, '603');
  });

  it('callee answers the session-initiate with an IQ error → SIP status per §6.5', async () => {
    const other = await connectUser({
      service: prosody.c2sService,
      domain: prosody.domain,
      username: 'bob',
      password: 'bob-pass',
      resource: 'refuser',
      autoAckJingle: false,
    });
    try {
      const sipp = await uac('uac-rejected.xml', other.fullJid);
      const initiate = await other.waitFor(isJingle('session-initiate'), 5000, 'session-initiate');
      await other.send(
        xml(
          'iq',
          { type: 'error', to: initiate.attrs.from, id: initiate.attrs.id },
          xml(
            'error',
            { type: 'cancel' },
            xml('service-unavailable', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }),
          ),
        ),
      );
      const result = await sipp.done;
      assert.equal(result.exitCode, 0, describeSippResult(result));
      assert.equal(result.captured.status, '403');
    } finally {
      await other.close();
    }
  });

  it('callee never answers the session-initiate → 408 after jingle.iqTimeoutMs (assertion 106)', async () => {
    const silent = await connectUser({
      service: prosody.c2sService,
      domain: prosody.domain,
      username: 'bob',
      password: 'bob-pass',
      resource: 'silent',
      autoAckJingle: false,
    });
    try {
      const sipp = await uac('uac-rejected.xml', silent.fullJid);
      await silent.waitFor(isJingle('session-initiate'), 5000, 'session-initiate');
      const result = await sipp.done;
      assert.equal(result.captured.status, '408', describeSippResult(result));
    } finally {
      await silent.close();
    }
  });

  it('full-JID callee acknowledges session-initiate, then stays silent → 480 and <timeout/> after jingle.ringTimeoutMs', async () => {
    const sipp = await uac('uac-rejected.xml', bob.fullJid);
    const initiate = await bob.waitFor(isJingle('session-initiate'), 5000, 'session-initiate');
    const sid = jingleOf(initiate)!.attrs.sid!;
    const terminate = await bob.waitFor(isJingle('session-terminate', sid), 5000, 'session-terminate');
    assert.equal(reasonOf(terminate), 'timeout');
    const result = await sipp.done;
    assert.equal(result.captured.status, '480', describeSippResult(result));
    assert.equal(gw.gateway.activeCalls(), 0);
  });

  it('disco#info answered with item-not-found → 404 and no session-initiate (assertion 56)', async () => {
    const hidden = await connectUser({
      service: prosody.c2sService,
      domain: prosody.domain,
      username: 'bob',
      password: 'bob-pass',
      resource: 'hidden',
      discoFeatures: null,
    });
    try {
      const sipp = await uac('uac-rejected.xml', hidden.fullJid);
      const disco = await hidden.waitFor(
        (s) => s.getName() === 'iq' && s.getChild('query', 'http://jabber.org/protocol/disco#info') !== undefined,
        5000,
        'disco#info',
      );
      await hidden.send(
        xml(
          'iq',
          { type: 'error', to: disco.attrs.from, id: disco.attrs.id },
          xml('error', { type: 'cancel' }, xml('item-not-found', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' })),
        ),
      );
      const result = await sipp.done;
      assert.equal(result.captured.status, '404', describeSippResult(result));
      assert.equal(hidden.received.filter(isJingle('session-initiate')).length, 0);
    } finally {
      await hidden.close();
    }
  });

  it('bare-JID callee: XEP-0353 propose, proceed from a device, then session-initiate to it', async () => {
    const sipp = await uac('uac-call.xml', bob.bareJid);
    const propose = await bob.waitFor(
      (s) => s.getName() === 'message' && s.getChild('propose', NS_JMI) !== undefined,
      5000,
      'propose',
    );
    const id = propose.getChild('propose', NS_JMI)!.attrs.id!;
    assert.ok(propose.getChild('store', 'urn:xmpp:hints'));
    assert.equal(propose.attrs.from, caller);
    await bob.send(xml('message', { to: caller, type: 'chat' }, xml('proceed', { xmlns: NS_JMI, id })));
    const initiate = await bob.waitFor(isJingle('session-initiate', id), 5000, 'session-initiate');
    await sendJingle(bob, caller, acceptFor(initiate, bob.fullJid));
    await bob.waitFor(isJingle('session-terminate', id), 10_000, 'session-terminate');
    const finish = await bob.waitFor(
      (s) => s.getName() === 'message' && s.getChild('finish', NS_JMI) !== undefined,
      5000,
      'finish',
    );
    assert.equal(finish.getChild('finish', NS_JMI)!.attrs.id, id);
    const result = await sipp.done;
    assert.equal(result.exitCode, 0, describeSippResult(result));
  });

  it('bare-JID callee rejects → 603; nobody answers → <retract/> and 480', async () => {
    const rejected = await uac('uac-rejected.xml', bob.bareJid);
    const propose = await bob.waitFor(
      (s) => s.getName() === 'message' && s.getChild('propose', NS_JMI) !== undefined,
      5000,
      'propose',
    );
    const id = propose.getChild('propose', NS_JMI)!.attrs.id!;
    await bob.send(
      xml(
        'message',
        { to: caller, type: 'chat' },
        xml('reject', { xmlns: NS_JMI, id }, xml('reason', { xmlns: 'urn:xmpp:jingle:1' }, xml('decline'))),
      ),
    );
    const r1 = await rejected.done;
    assert.equal(r1.captured.status, '603', describeSippResult(r1));

    const unanswered = await uac('uac-rejected.xml', bob.bareJid);
    const propose2 = await bob.waitFor(
      (s) => s.getName() === 'message' && s.getChild('propose', NS_JMI) !== undefined,
      5000,
      'propose',
    );
    const retract = await bob.waitFor(
      (s) => s.getName() === 'message' && s.getChild('retract', NS_JMI) !== undefined,
      5000,
      'retract',
    );
    assert.equal(retract.getChild('retract', NS_JMI)!.attrs.id, propose2.getChild('propose', NS_JMI)!.attrs.id);
    const r2 = await unanswered.done;
    assert.equal(r2.captured.status, '480', describeSippResult(r2));
  });

  it('the founding example to an XTLS callee: XTLS offer, passive answer with acfg and method hints, second offer answered locally', async () => {
    const nur = await connectUser({
      service: prosody.c2sService,
      domain: prosody.domain,
      username: 'bob',
      password: 'bob-pass',
      resource: 'xtls',
      discoFeatures: [
        'http://jabber.org/protocol/disco#info',
        'urn:xmpp:jingle:1',
        'urn:xmpp:jingle:apps:rtp:1',
        'urn:xmpp:jingle:apps:rtp:audio',
        'urn:xmpp:jingle:transports:raw-udp:1',
        'urn:xmpp:jingle:security:xtls:0',
      ],
    });
    try {
      const sipp = await uac('uac-founding-xtls.xml', nur.fullJid);
      const initiate = await nur.waitFor(isJingle('session-initiate'), 5000, 'session-initiate');
      const security = jingleOf(initiate)!.getChild('content')!.getChild('security', 'urn:xmpp:jingle:security:xtls:0');
      assert.ok(security, initiate.toString());
      assert.equal(security.getChild('fingerprint')!.attrs.algo, 'sha-1');
      assert.equal(
        security.getChild('fingerprint')!.getText(),
        '4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB',
      );
      assert.ok(security.getChildren('method').some((m) => m.attrs.name === 'x509'));
      const sid = jingleOf(initiate)!.attrs.sid!;
      await sendJingle(nur, caller, acceptFor(initiate, nur.fullJid));
      await nur.waitFor(isJingle('session-terminate', sid), 10_000, 'session-terminate');
      const result = await sipp.done;
      assert.equal(result.exitCode, 0, describeSippResult(result));
      assert.equal(result.captured.answer_setup, 'passive');
      assert.match(result.captured.tls_methods ?? '', /x509/);
      assert.equal(result.captured.reoffer_answer_setup, 'passive');
      assert.equal(result.captured.reoffer_answer_fingerprint, result.captured.answer_fingerprint);
      assert.equal(result.captured.reoffer_answer_tls_id, result.captured.answer_tls_id);
    } finally {
      await nur.close();
    }
  });

  for (const scenario of ['uac-no-body.xml', 'uac-text-plain.xml', 'uac-tel.xml']) {
    it(`${scenario}: refused with the spec's status`, async () => {
      const result = await runSipp({
        scenario,
        remote: gw.sipAddress,
        local: { host: SIPP_HOST, port: sippPort },
        service: service(bob.fullJid),
        timeoutMs: 10_000,
      });
      assert.equal(result.exitCode, 0, describeSippResult(result));
    });
  }

  it('unmappable Request-URI (gateway domain) → 404', async () => {
    const result = await runSipp({
      scenario: 'uac-rejected.xml',
      remote: gw.sipAddress,
      local: { host: SIPP_HOST, port: sippPort },
      service: service(`x@${prosody.componentDomain}`),
      timeoutMs: 10_000,
    });
    assert.equal(result.captured.status, '404', describeSippResult(result));
  });
});
