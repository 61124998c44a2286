/**
 * What an established SIP → XMPP call keeps: the INVITE (request, transaction, handlers) and the
 * parsed and mapped offer are needed only until the answer went out, and must be collectable
 * afterwards — at 10,000 held calls they were about 6 KiB each (docs/performance.md, issue 5).
 * The checks use WeakRefs and a forced full GC.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { xml } from '@xmpp/component';
import { parseXmlElement } from '../../src/mapping/jingle/xml.ts';
import { inspectSdpOffer } from '../../src/mapping/translate/sdp-offer.ts';
import type { GatewayContext } from '../../src/session/context.ts';
import { InboundCall } from '../../src/session/inbound-call.ts';
import { jingleIqHandler } from '../../src/session/router.ts';
import { FakeIncomingInvite, fakeContext, inviteRequest, settle, type FakeDialog } from './fakes.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const golden = (name: string) => readFileSync(new URL(`../golden/${name}`, import.meta.url), 'utf8');
const CALLER = 'alice\\40pbx.example.org@gw.example/sip';
const CALLEE = 'juliet@capulet.lit/balcony';

/**
 * Starts a call from a fresh INVITE; only WeakRefs to the INVITE and its parsed offer leave this
 * function, and the 200's dialog through `dialogs`.
 */
function startCall(ctx: GatewayContext, dialogs: FakeDialog[]) {
  const invite = new FakeIncomingInvite(
    inviteRequest('sip:juliet%40capulet.lit%2Fbalcony@sip.gw.example', golden('s2-to-jul.sdp')),
  );
  invite.accept = (sdp) => {
    FakeIncomingInvite.prototype.accept.call(invite, sdp);
    const dialog = invite.accepted!.dialog;
    dialogs.push(dialog);
    return dialog;
  };
  const inspected = inspectSdpOffer(invite.request.content ?? '');
  const call = new InboundCall(ctx, invite, CALLER, { jid: CALLEE, bare: false }, inspected);
  call.post(() => {
    call.start();
  });
  return { call, weak: { invite: new WeakRef(invite), offer: new WeakRef(inspected) } };
}

/** A call answered by the callee. */
async function answeredCall() {
  const f = fakeContext({ jingle: { security: 'dtls' } });
  f.xmpp.onIq(jingleIqHandler(f.ctx));
  const dialogs: FakeDialog[] = [];
  const { call, weak } = startCall(f.ctx, dialogs);
  await settle();
  const initiate = f.xmpp.requests.find((r) => r.iq.getChild('jingle') !== undefined)!;
  initiate.resolve(xml('iq', { type: 'result' }));
  const sid = initiate.iq.getChild('jingle')!.attrs.sid!;
  const accept = parseXmlElement(
    golden('s2-jul-accept-actpass.jingle.xml')
      .replace(/sid='[^']*'/, `sid='${sid}'`)
      .replace(/setup='actpass'/, "setup='active'"),
  );
  const outcome = await f.xmpp.deliverIq(xml('iq', { type: 'set', from: CALLEE, to: CALLER }, accept));
  assert.equal(outcome.error, undefined);
  await settle();
  const dialog = dialogs[0]!;
  return { ...f, call, dialog, sid, weak };
}

/** WeakRefs made in this job stay alive until it ends [ECMA-262 §9.10 ClearKeptObjects]. */
async function collect(): Promise<void> {
  await new Promise((r) => setImmediate(r));
  gc();
}

describe('SIP → XMPP call memory', () => {
  it('an established call no longer holds the INVITE or the parsed offer', async () => {
    const { call, weak } = await answeredCall();
    assert.equal(call.state, 'active');
    await collect();
    assert.equal(weak.invite.deref(), undefined, 'the INVITE is still reachable');
    assert.equal(weak.offer.deref(), undefined, 'the parsed SDP offer is still reachable');
  });

  it('after the release the call still ends normally from either side', async () => {
    const first = await answeredCall();
    await collect();
    const outcome = await first.xmpp.deliverIq(
      xml(
        'iq',
        { type: 'set', from: CALLEE, to: CALLER },
        xml('jingle', { xmlns: 'urn:xmpp:jingle:1', action: 'session-terminate', sid: first.sid }, [
          xml('reason', {}, xml('success')),
        ]),
      ),
    );
    assert.equal(outcome.error, undefined);
    await settle();
    assert.deepEqual(
      first.dialog.requests.map((r) => r.method),
      ['BYE'],
    );
    assert.equal(first.ctx.registry.size, 0);

    const second = await answeredCall();
    await collect();
    const responses: number[] = [];
    const bye = inviteRequest('sip:gw@127.0.0.2', '');
    second.dialog.handlers!.request({
      request: { ...bye, method: 'BYE', headers: { ...bye.headers, cseq: { seq: 2, method: 'BYE' } } },
      remote: { protocol: 'UDP', address: '127.0.0.1', port: 5070, local: { address: '127.0.0.2', port: 5060 } },
      respond: (r) => responses.push(r.status),
    });
    await settle();
    assert.deepEqual(responses, [200]);
    assert.equal(second.xmpp.jingle('session-terminate').length, 1);
    assert.equal(second.ctx.registry.size, 0);
  });
});
