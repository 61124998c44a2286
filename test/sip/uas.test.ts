// The gateway as callee (UAS) and its request routing: 100/180/200, 2xx retransmission until
// ACK, ACK timeout → BYE, caller CANCEL, 481/405/483/420, OPTIONS — against a loopback peer.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { IncomingInvite, SipDialog, SipUserAgent } from '../../src/sip/dialog-types.ts';
import type { SipRequest, SipResponse } from '../../src/sip/message.ts';
import type { IncomingSipRequest, SipPort } from '../../src/sip/port.ts';
import { createSipUserAgent } from '../../src/sip/user-agent.ts';
import { answer, delay, gatewayHost, Inbox, offer, Peer, portOf, startPort } from './helpers.ts';

const t1Ms = 20;
const t2Ms = 80;

describe('SIP user agent as UAS', () => {
  let port: SipPort;
  let ua: SipUserAgent;
  let peer: Peer;
  const invites = new Inbox<IncomingInvite>();

  before(async () => {
    port = await startPort(gatewayHost, ['udp', 'tcp']);
    ua = createSipUserAgent({ port, timers: { t1Ms, t2Ms }, userAgent: 'jsg-test' });
    ua.onInvite((invite) => {
      invites.push(invite);
    });
    peer = await Peer.start();
  });
  after(async () => {
    await ua.close();
    await peer.close();
  });
  afterEach(() => {
    peer.requests.clear();
  });

  function gatewayUri(user = 'juliet%40capulet.lit', transport: 'udp' | 'tcp' = 'udp'): string {
    return `sip:${user}@${gatewayHost}:${portOf(port, transport)}${transport === 'tcp' ? ';transport=tcp' : ''}`;
  }

  /** An INVITE from the peer; `request` is the INVITE as sent. */
  async function incomingCall(
    transport: 'udp' | 'tcp' = 'udp',
  ): Promise<{ request: SipRequest; responses: Inbox<SipResponse>; invite: IncomingInvite }> {
    const request = peer.request('INVITE', gatewayUri(undefined, transport), { content: offer });
    if (transport === 'tcp') request.headers.contact = [{ uri: peer.uri('peer', 'tcp'), params: {} }];
    const responses = peer.send(request);
    const invite = await invites.next();
    return { request: responses.sent, responses, invite };
  }

  it('answers 100 at once, then 180 and 200 with one To tag, Contact and Allow', async () => {
    const { request, responses, invite } = await incomingCall();
    const trying = await responses.next();
    assert.equal(trying.status, 100);
    assert.equal(trying.headers.to.params.tag, undefined);
    assert.equal(invite.callId, request.headers['call-id']);
    assert.equal(invite.request.content, offer);
    assert.equal(invite.remote.protocol, 'UDP');
    assert.equal(invite.finished, false);
    invite.provisional(180);
    const ringing = await responses.next();
    assert.equal(ringing.status, 180);
    const toTag = ringing.headers.to.params.tag;
    assert.match(String(toTag), /^[0-9a-f]{16}$/);
    const dialog = invite.accept(answer);
    assert.equal(invite.finished, true);
    const ok = await responses.next((r) => r.status === 200);
    assert.equal(ok.headers.to.params.tag, toTag);
    assert.equal(ok.content, answer);
    assert.equal(ok.headers.contact?.[0]?.uri, `sip:juliet%40capulet.lit@${gatewayHost}:${portOf(port)}`);
    assert.equal(ok.headers.allow, 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE');
    assert.equal(ok.headers.server, 'jsg-test');
    assert.equal(dialog.remoteTag, request.headers.from.params.tag);
    assert.equal(dialog.remoteTarget, peer.uri('peer'));
    peer.ack(request, ok);
    await until(() => dialog.confirmed);
    const byeResponse = dialog.request('BYE');
    const bye = await peer.nextRequest('BYE');
    assert.equal(bye.request.uri, peer.uri('peer'));
    assert.equal(bye.request.headers.from.params.tag, toTag);
    assert.equal(bye.request.headers.to.params.tag, request.headers.from.params.tag);
    assert.equal(bye.request.headers.cseq.seq, 1);
    bye.respond(peer.port.makeResponse(bye.request, 200));
    assert.equal((await byeResponse).status, 200);
    assert.equal(ua.activeDialogs, 0);
  });

  it('retransmits the 2xx over UDP until the ACK, then stops', async () => {
    const { request, responses, invite } = await incomingCall();
    const dialog = invite.accept(answer);
    let copies = 0;
    let ok: SipResponse | undefined;
    while (copies < 3) {
      ok = await responses.next((r) => r.status === 200);
      copies += 1;
    }
    assert.equal(dialog.confirmed, false);
    peer.ack(request, ok!);
    await until(() => dialog.confirmed);
    responses.clear();
    await delay(4 * t2Ms);
    assert.deepEqual(
      responses.pending.map((r) => r.status),
      [],
    );
    dialog.close();
  });

  it('sends BYE and reports ack-timeout when no ACK comes within 64·T1', async () => {
    const { responses, invite } = await incomingCall();
    const dialog = invite.accept(answer);
    const ended = new Inbox<string>();
    dialog.handle({
      request: () => assert.fail('no request expected'),
      terminated: (cause) => {
        ended.push(cause);
      },
    });
    await responses.next((r) => r.status === 200);
    const bye = await peer.nextRequest('BYE', 64 * t1Ms + 2000);
    assert.equal(bye.request.headers['call-id'], invite.callId);
    bye.respond(peer.port.makeResponse(bye.request, 200));
    assert.equal(await ended.next(), 'ack-timeout');
    await until(() => ua.activeDialogs === 0);
  });

  it('holds a BYE asked for before the ACK until the ACK arrives [RFC 3261 §15]', async () => {
    const { request, responses, invite } = await incomingCall();
    const dialog = invite.accept(answer);
    const ok = await responses.next((r) => r.status === 200);
    const byeResponse = dialog.request('BYE');
    await delay(3 * t1Ms);
    assert.equal(
      peer.requests.pending.some((r) => r.request.method === 'BYE'),
      false,
    );
    peer.ack(request, ok);
    const bye = await peer.nextRequest('BYE');
    bye.respond(peer.port.makeResponse(bye.request, 200));
    assert.equal((await byeResponse).status, 200);
  });

  it("the caller's CANCEL: 200 to it, 487 to the INVITE, cancelled handler", async () => {
    const { request, responses, invite } = await incomingCall();
    const cancelled = new Inbox<SipRequest>();
    invite.handle({
      cancelled: (cancel) => {
        cancelled.push(cancel);
      },
    });
    invite.provisional(180);
    await responses.next((r) => r.status === 180);
    const cancelRequest: SipRequest = {
      method: 'CANCEL',
      uri: request.uri,
      headers: {
        via: request.headers.via,
        to: request.headers.to,
        from: request.headers.from,
        'call-id': request.headers['call-id'],
        cseq: { seq: request.headers.cseq.seq, method: 'CANCEL' },
        'max-forwards': 70,
      },
    };
    const cancelResponses = peer.send(cancelRequest);
    const cancelOk = await cancelResponses.next();
    assert.equal(cancelOk.status, 200);
    const terminated = await responses.next((r) => r.status >= 200);
    assert.equal(terminated.status, 487);
    assert.equal(cancelOk.headers.to.params.tag, terminated.headers.to.params.tag);
    assert.equal((await cancelled.next()).method, 'CANCEL');
    assert.equal(invite.finished, true);
    // Late calls of the call layer are ignored, accept() hands back an ended dialog.
    invite.reject(486);
    const late: SipDialog = invite.accept(answer);
    await assert.rejects(late.request('BYE'), /terminated/);
    assert.equal(ua.activeDialogs, 0);
  });

  it('rejects with the given status, reason phrase and headers', async () => {
    const { responses, invite } = await incomingCall();
    invite.reject(486, { reason: 'Busy Here Now', headers: { Warning: '399 gw "busy"' } });
    const response = await responses.next((r) => r.status >= 200);
    assert.equal(response.status, 486);
    assert.equal(response.reason, 'Busy Here Now');
    assert.equal(response.headers.warning, '399 gw "busy"');
    assert.match(String(response.headers.to.params.tag), /^[0-9a-f]{16}$/);
  });

  it('routes in-dialog requests to the dialog handler and checks CSeq order', async () => {
    const { request, responses, invite } = await incomingCall();
    const dialog = invite.accept(answer);
    const ok = await responses.next((r) => r.status === 200);
    peer.ack(request, ok);
    const received = new Inbox<IncomingSipRequest>();
    dialog.handle({
      request: (incoming) => {
        received.push(incoming);
      },
      terminated: () => assert.fail('not terminated'),
    });
    const info = peer.send(peer.inDialog('INFO', request, ok, 5));
    const incoming = await received.next();
    assert.equal(incoming.request.method, 'INFO');
    incoming.respond(dialog.makeResponse(incoming.request, 200));
    assert.equal((await info.next()).status, 200);
    // RFC 3261 §12.2.2: lower CSeq → 500, without the handler.
    const stale = await peer.send(peer.inDialog('INFO', request, ok, 4)).next();
    assert.equal(stale.status, 500);
    assert.deepEqual(received.pending, []);
    dialog.close();
  });

  it('answers 481 to a request for an unknown dialog and to a CANCEL matching nothing', async () => {
    const bye = peer.request('BYE', gatewayUri(), { toTag: 'no-such-dialog' });
    assert.equal((await peer.send(bye).next()).status, 481);
    const info = peer.request('INFO', gatewayUri(), { toTag: 'no-such-dialog' });
    assert.equal((await peer.send(info).next()).status, 481);
    const cancel = peer.request('CANCEL', gatewayUri());
    cancel.headers.via = [{ params: { branch: 'z9hG4bKnothing' } }];
    assert.equal((await peer.send(cancel).next()).status, 481);
    const outOfDialogBye = peer.request('BYE', gatewayUri());
    assert.equal((await peer.send(outOfDialogBye).next()).status, 481);
  });

  it('answers OPTIONS 200 with Allow, unknown methods 405, Max-Forwards 0 483, unknown Require 420', async () => {
    const options = await peer.send(peer.request('OPTIONS', gatewayUri())).next();
    assert.equal(options.status, 200);
    assert.equal(options.headers.allow, 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE');
    assert.equal(options.headers.accept, 'application/sdp');
    const unknown = await peer.send(peer.request('FOO', gatewayUri())).next();
    assert.equal(unknown.status, 405);
    assert.match(String(unknown.headers.to.params.tag), /^[0-9a-f]{16}$/);
    assert.equal(unknown.headers.allow, 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE');
    const hops = await peer
      .send(peer.request('INVITE', gatewayUri(), { content: offer, headers: { 'max-forwards': 0 } }))
      .next();
    assert.equal(hops.status, 483);
    const require = await peer
      .send(peer.request('INVITE', gatewayUri(), { content: offer, headers: { require: '100rel, foo' } }))
      .next();
    assert.equal(require.status, 420);
    assert.equal(require.headers.unsupported, '100rel, foo');
    assert.deepEqual(invites.pending, []);
  });

  it('lets an out-of-dialog handler take requests first', async () => {
    const taken = new Inbox<string>();
    ua.onOutOfDialogRequest((incoming) => {
      if (incoming.request.method !== 'MESSAGE') return false;
      taken.push(incoming.request.method);
      incoming.respond(port.makeResponse(incoming.request, 202));
      return true;
    });
    assert.equal((await peer.send(peer.request('MESSAGE', gatewayUri())).next()).status, 202);
    assert.equal(await taken.next(), 'MESSAGE');
    assert.equal((await peer.send(peer.request('OPTIONS', gatewayUri())).next()).status, 200);
  });

  it('answers an INVITE over TCP with a ;transport=tcp Contact and gets the ACK', async () => {
    const { request, responses, invite } = await incomingCall('tcp');
    assert.equal(invite.remote.protocol, 'TCP');
    const dialog = invite.accept(answer);
    const ok = await responses.next((r) => r.status === 200);
    assert.equal(
      ok.headers.contact?.[0]?.uri,
      `sip:juliet%40capulet.lit@${gatewayHost}:${portOf(port, 'tcp')};transport=tcp`,
    );
    peer.ack(request, ok);
    await until(() => dialog.confirmed);
    const byeResponse = dialog.request('BYE');
    const bye = await peer.nextRequest('BYE');
    assert.equal(bye.remote.protocol, 'TCP');
    bye.respond(peer.port.makeResponse(bye.request, 200));
    assert.equal((await byeResponse).status, 200);
  });
});

async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached');
    await delay(5);
  }
}
