/**
 * A finished INVITE stays in the UA's tables for the transaction's lifetime (Timer H/J, 32 s) to
 * absorb retransmissions; it must not keep the handlers it was given, which close over the whole
 * call. At a few hundred calls/s those 32 s of ended calls were most of the gateway's heap
 * (docs/performance.md, issue 5). The checks use WeakRefs and a forced full GC.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type {
  IncomingInvite,
  IncomingInviteHandlers,
  OutgoingInvite,
  OutgoingInviteHandlers,
  SipDialogHandlers,
  SipUserAgent,
} from '../../src/sip/dialog-types.ts';
import type { SipPort } from '../../src/sip/port.ts';
import { createSipUserAgent } from '../../src/sip/user-agent.ts';
import { answer, gatewayHost, Inbox, offer, Peer, portOf, startPort, token } from './helpers.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Gives `value` to `use` and keeps only a WeakRef to it. */
function handOver<T extends object>(value: T, use: (value: T) => void): WeakRef<T> {
  use(value);
  return new WeakRef(value);
}

/** WeakRefs made in this job stay alive until it ends [ECMA-262 §9.10 ClearKeptObjects]. */
async function collect(): Promise<void> {
  await new Promise((r) => setImmediate(r));
  gc();
}

describe('SIP INVITE memory', () => {
  let port: SipPort;
  let ua: SipUserAgent;
  let peer: Peer;
  const invites = new Inbox<IncomingInvite>();

  before(async () => {
    port = await startPort(gatewayHost, ['udp']);
    ua = createSipUserAgent({ port, timers: { t1Ms: 20, t2Ms: 80 }, userAgent: 'jsg-test' });
    ua.onInvite((invite) => {
      invites.push(invite);
    });
    peer = await Peer.start(['udp']);
  });
  after(async () => {
    await ua.close();
    await peer.close();
  });

  /** An INVITE from the peer, its handlers reachable only through the returned WeakRef. */
  async function incomingCall() {
    const request = peer.request('INVITE', `sip:juliet%40capulet.lit@${gatewayHost}:${portOf(port)}`, {
      content: offer,
    });
    const responses = peer.send(request);
    const invite = await invites.next();
    const weak = handOver<IncomingInviteHandlers>({ cancelled: () => undefined }, (handlers) => {
      invite.handle(handlers);
    });
    return { request: responses.sent, responses, invite, weak };
  }

  it('an accepted incoming INVITE lets go of its handlers', async () => {
    const { request, responses, invite, weak } = await incomingCall();
    invite.accept(answer);
    const ok = await responses.next((r) => r.status === 200);
    peer.ack(request, ok);
    await collect();
    assert.equal(invite.finished, true);
    assert.equal(weak.deref(), undefined, 'the handlers are still reachable');
  });

  it('a rejected incoming INVITE lets go of its handlers', async () => {
    const { responses, invite, weak } = await incomingCall();
    invite.reject(486);
    await responses.next((r) => r.status === 486);
    await collect();
    assert.equal(weak.deref(), undefined, 'the handlers are still reachable');
  });

  /** An INVITE to the peer, its handlers reachable only through the returned WeakRef. */
  function outgoingCall(): { invite: OutgoingInvite; outcome: Inbox<number>; weak: WeakRef<OutgoingInviteHandlers> } {
    const outcome = new Inbox<number>();
    let invite: OutgoingInvite | undefined;
    const weak = handOver<OutgoingInviteHandlers>(
      {
        provisional: () => undefined,
        accepted: (_dialog, response) => {
          outcome.push(response.status);
        },
        rejected: (response) => {
          outcome.push(response.status);
        },
      },
      (handlers) => {
        invite = ua.invite(
          {
            requestUri: peer.uri('bob'),
            from: { uri: `sip:juliet%40capulet.lit@${gatewayHost}` },
            to: { uri: 'sip:bob@peer' },
            callId: `${token()}@gw`,
            contact: `sip:gw@${gatewayHost}:${portOf(port)}`,
            sdp: offer,
          },
          handlers,
        );
      },
    );
    return { invite: invite!, outcome, weak };
  }

  it('an answered outgoing INVITE lets go of its handlers', async () => {
    const { invite, outcome, weak } = outgoingCall();
    const incoming = await peer.nextRequest('INVITE');
    const toTag = token();
    incoming.respond(peer.response(incoming.request, 180, toTag));
    incoming.respond(peer.response(incoming.request, 200, toTag, answer));
    assert.equal(await outcome.next(), 200);
    await peer.nextRequest('ACK');
    await collect();
    assert.ok(invite);
    assert.equal(weak.deref(), undefined, 'the handlers are still reachable');
  });

  it('a refused outgoing INVITE lets go of its handlers', async () => {
    const { invite, outcome, weak } = outgoingCall();
    const incoming = await peer.nextRequest('INVITE');
    incoming.respond(peer.response(incoming.request, 486, token()));
    assert.equal(await outcome.next(), 486);
    await collect();
    assert.ok(invite);
    assert.equal(weak.deref(), undefined, 'the handlers are still reachable');
  });

  it('a dialog ended by BYE lets go of its handlers', async () => {
    const { request, responses, invite } = await incomingCall();
    const dialog = invite.accept(answer);
    const weak = handOver<SipDialogHandlers>({ request: () => undefined, terminated: () => undefined }, (handlers) => {
      dialog.handle(handlers);
    });
    const ok = await responses.next((r) => r.status === 200);
    peer.ack(request, ok);
    const byeAnswered = dialog.request('BYE');
    const bye = await peer.nextRequest('BYE');
    bye.respond(peer.port.makeResponse(bye.request, 200));
    assert.equal((await byeAnswered).status, 200);
    await collect();
    assert.ok(dialog);
    assert.equal(weak.deref(), undefined, 'the handlers are still reachable');
  });
});
