// The gateway as caller (UAC): outgoing INVITE, ACK of 2xx, BYE both ways, rejection, CANCEL,
// CANCEL/2xx crossing, outbound proxy, UDP and TCP — against a loopback peer driven by the test.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { OutgoingInviteHandlers, SipDialog, SipUserAgent } from '../../src/sip/dialog-types.ts';
import type { SipResponse } from '../../src/sip/message.ts';
import type { IncomingSipRequest } from '../../src/sip/port.ts';
import { createSipUserAgent } from '../../src/sip/user-agent.ts';
import { answer, delay, gatewayHost, Inbox, offer, Peer, portOf, startPort, token } from './helpers.ts';

type Event =
  | { kind: 'provisional' | 'rejected'; response: SipResponse }
  | { kind: 'accepted'; dialog: SipDialog; response: SipResponse };

function recorder(): { events: Inbox<Event>; handlers: OutgoingInviteHandlers } {
  const events = new Inbox<Event>();
  return {
    events,
    handlers: {
      provisional: (response) => {
        events.push({ kind: 'provisional', response });
      },
      accepted: (dialog, response) => {
        events.push({ kind: 'accepted', dialog, response });
      },
      rejected: (response) => {
        events.push({ kind: 'rejected', response });
      },
    },
  };
}

describe('SIP user agent as UAC', () => {
  let ua: SipUserAgent;
  let peer: Peer;
  let contact: string;

  before(async () => {
    const port = await startPort(gatewayHost, ['udp', 'tcp']);
    contact = `sip:gw@${gatewayHost}:${portOf(port)}`;
    ua = createSipUserAgent({ port, timers: { t1Ms: 50, t2Ms: 200 }, supported: ['trickle-ice'] });
    peer = await Peer.start();
  });
  after(async () => {
    await ua.close();
    await peer.close();
  });
  afterEach(() => {
    peer.requests.clear();
  });

  function call(
    transport: 'udp' | 'tcp' = 'udp',
    nextHop?: string,
  ): { events: Inbox<Event>; cancel: (reason?: string) => void; callId: string } {
    const { events, handlers } = recorder();
    const callId = `${token()}@gw`;
    const invite = ua.invite(
      {
        requestUri: nextHop === undefined ? peer.uri('bob', transport) : 'sip:bob@192.0.2.9:5099',
        from: { name: 'juliet@capulet.lit', uri: `sip:juliet%40capulet.lit@${gatewayHost}` },
        to: { uri: 'sip:bob@peer' },
        callId,
        contact,
        sdp: offer,
        headers: { 'X-Test': 'yes' },
        nextHop,
      },
      handlers,
    );
    return {
      events,
      cancel: (reason) => {
        invite.cancel(reason);
      },
      callId,
    };
  }

  function answered(incoming: IncomingSipRequest, toTag: string): SipResponse {
    incoming.respond(peer.response(incoming.request, 180, toTag));
    const ok = peer.response(incoming.request, 200, toTag, answer);
    incoming.respond(ok);
    return ok;
  }

  it('INVITE → 180 → 200 → ACK, then BYE from the gateway', async () => {
    const { events, callId } = call();
    const incoming = await peer.nextRequest('INVITE');
    const { request } = incoming;
    assert.equal(request.headers['call-id'], callId);
    assert.equal(request.headers.cseq.seq, 1);
    assert.equal(request.headers['max-forwards'], 70);
    assert.equal(request.headers.to.params.tag, undefined);
    assert.match(String(request.headers.from.params.tag), /^[0-9a-f]{16}$/);
    assert.equal(request.headers.from.name, '"juliet@capulet.lit"');
    assert.equal(request.headers.contact?.[0]?.uri, contact);
    assert.equal(request.headers.allow, 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE');
    assert.equal(request.headers.supported, 'trickle-ice');
    assert.equal(request.headers['x-test'], 'yes');
    assert.equal(request.headers['content-type'], 'application/sdp');
    assert.equal(request.content, offer);
    const toTag = token();
    answered(incoming, toTag);

    const ringing = await events.next();
    assert.equal(ringing.kind, 'provisional');
    assert.equal(ringing.response.status, 180);
    const accepted = await events.next();
    assert.ok(accepted.kind === 'accepted');
    assert.equal(accepted.response.content, answer);
    const dialog = accepted.dialog;
    assert.equal(dialog.callId, callId);
    assert.equal(dialog.remoteTag, toTag);
    assert.equal(dialog.localTag, request.headers.from.params.tag);
    assert.equal(dialog.remoteTarget, peer.uri('peer'));
    assert.equal(dialog.confirmed, true);
    assert.equal(ua.activeDialogs, 1);

    const ack = await peer.nextRequest('ACK');
    assert.equal(ack.request.uri, peer.uri('peer'));
    assert.equal(ack.request.headers.cseq.seq, 1);
    assert.equal(ack.request.headers.to.params.tag, toTag);
    assert.notEqual(ack.request.headers.via?.[0]?.params.branch, request.headers.via?.[0]?.params.branch);

    const byeResponse = dialog.request('BYE');
    const bye = await peer.nextRequest('BYE');
    assert.equal(bye.request.uri, peer.uri('peer'));
    assert.equal(bye.request.headers.cseq.seq, 2);
    assert.equal(bye.request.headers.to.params.tag, toTag);
    assert.equal(bye.request.headers.from.params.tag, dialog.localTag);
    bye.respond(peer.port.makeResponse(bye.request, 200));
    assert.equal((await byeResponse).status, 200);
    assert.equal(ua.activeDialogs, 0);
  });

  it('ACKs every retransmission of the 2xx', async () => {
    const { events } = call();
    const incoming = await peer.nextRequest('INVITE');
    const ok = answered(incoming, token());
    const accepted = await events.next((e) => e.kind === 'accepted');
    await peer.nextRequest('ACK');
    incoming.respond(ok); // a retransmission of the same 2xx
    const again = await peer.nextRequest('ACK');
    assert.equal(again.request.headers.cseq.method, 'ACK');
    assert.ok(accepted.kind === 'accepted');
    accepted.dialog.close();
  });

  it('passes the peer BYE to the dialog handler and forgets the dialog after the 200', async () => {
    const { events } = call();
    const incoming = await peer.nextRequest('INVITE');
    const toTag = token();
    answered(incoming, toTag);
    const accepted = await events.next((e) => e.kind === 'accepted');
    assert.ok(accepted.kind === 'accepted');
    await peer.nextRequest('ACK');
    const requests = new Inbox<IncomingSipRequest>();
    accepted.dialog.handle({
      request: (request) => {
        requests.push(request);
      },
      terminated: () => assert.fail('not terminated by itself'),
    });
    const responses = peer.send(peer.inDialogAsCallee('BYE', incoming.request, toTag, 1));
    const bye = await requests.next();
    assert.equal(bye.request.method, 'BYE');
    bye.respond(accepted.dialog.makeResponse(bye.request, 200));
    const response = await responses.next();
    assert.equal(response.status, 200);
    assert.equal(response.headers.to.params.tag, accepted.dialog.localTag);
    assert.equal(ua.activeDialogs, 0);
    // The dialog is gone: a second BYE gets 481 from the layer.
    assert.equal((await peer.send(peer.inDialogAsCallee('BYE', incoming.request, toTag, 2)).next()).status, 481);
  });

  it('reports a 486 rejection', async () => {
    const { events } = call();
    const incoming = await peer.nextRequest('INVITE');
    incoming.respond(peer.response(incoming.request, 486, token()));
    const rejected = await events.next();
    assert.equal(rejected.kind, 'rejected');
    assert.equal(rejected.response.status, 486);
    assert.equal(ua.activeDialogs, 0);
  });

  it('CANCEL before the answer: CANCEL after the 180 with Reason, 487 stays silent', async () => {
    const { events, cancel } = call();
    const incoming = await peer.nextRequest('INVITE');
    const toTag = token();
    incoming.respond(peer.response(incoming.request, 180, toTag));
    await events.next((e) => e.kind === 'provisional');
    cancel('SIP ;cause=603 ;text="decline"');
    const cancelRequest = await peer.nextRequest('CANCEL');
    assert.equal(cancelRequest.request.uri, incoming.request.uri);
    assert.equal(cancelRequest.request.headers.cseq.seq, incoming.request.headers.cseq.seq);
    assert.equal(
      cancelRequest.request.headers.via?.[0]?.params.branch,
      incoming.request.headers.via?.[0]?.params.branch,
    );
    assert.equal(cancelRequest.request.headers.reason, 'SIP ;cause=603 ;text="decline"');
    cancelRequest.respond(peer.port.makeResponse(cancelRequest.request, 200));
    incoming.respond(peer.response(incoming.request, 487, toTag));
    await delay(100);
    assert.deepEqual(events.pending, []);
  });

  it('defers a CANCEL asked for before any provisional response until one arrives', async () => {
    const { events, cancel } = call();
    const incoming = await peer.nextRequest('INVITE');
    cancel();
    await delay(150); // three T1 of the INVITE's own retransmission interval
    assert.equal(
      peer.requests.pending.some((r) => r.request.method === 'CANCEL'),
      false,
    );
    incoming.respond(peer.port.makeResponse(incoming.request, 100));
    const cancelRequest = await peer.nextRequest('CANCEL');
    assert.equal(cancelRequest.request.headers.reason, undefined);
    cancelRequest.respond(peer.port.makeResponse(cancelRequest.request, 200));
    incoming.respond(peer.response(incoming.request, 487, token()));
    await delay(50);
    assert.deepEqual(events.pending, []);
  });

  it('CANCEL/200 crossing: ACK and BYE the 2xx, no handler call', async () => {
    const { events, cancel } = call();
    const incoming = await peer.nextRequest('INVITE');
    const toTag = token();
    incoming.respond(peer.response(incoming.request, 183, toTag));
    await events.next((e) => e.kind === 'provisional');
    cancel('SIP ;cause=480 ;text="gone"');
    const cancelRequest = await peer.nextRequest('CANCEL');
    // The callee had already answered: 200 to the CANCEL, 200 to the INVITE.
    cancelRequest.respond(peer.port.makeResponse(cancelRequest.request, 200));
    incoming.respond(peer.response(incoming.request, 200, toTag, answer));
    const ack = await peer.nextRequest('ACK');
    assert.equal(ack.request.headers.to.params.tag, toTag);
    const bye = await peer.nextRequest('BYE');
    assert.equal(bye.request.headers.to.params.tag, toTag);
    assert.equal(bye.request.headers.reason, 'SIP ;cause=480 ;text="gone"');
    bye.respond(peer.port.makeResponse(bye.request, 200));
    await delay(50);
    assert.deepEqual(events.pending, []);
    assert.equal(ua.activeDialogs, 0);
  });

  it('ACKs and BYEs a 2xx from a second fork', async () => {
    const { events } = call();
    const incoming = await peer.nextRequest('INVITE');
    answered(incoming, 'fork-one');
    const accepted = await events.next((e) => e.kind === 'accepted');
    await peer.nextRequest('ACK');
    incoming.respond(peer.response(incoming.request, 200, 'fork-two', answer));
    const ack = await peer.nextRequest('ACK');
    assert.equal(ack.request.headers.to.params.tag, 'fork-two');
    const bye = await peer.nextRequest('BYE');
    assert.equal(bye.request.headers.to.params.tag, 'fork-two');
    bye.respond(peer.port.makeResponse(bye.request, 200));
    assert.ok(accepted.kind === 'accepted');
    assert.equal(accepted.dialog.remoteTag, 'fork-one');
    accepted.dialog.close();
  });

  it('runs a whole call over TCP', async () => {
    const { events } = call('tcp');
    const incoming = await peer.nextRequest('INVITE');
    assert.equal(incoming.remote.protocol, 'TCP');
    const ok = peer.response(incoming.request, 200, token(), answer);
    ok.headers.contact = [{ uri: peer.uri('peer', 'tcp'), params: {} }];
    incoming.respond(ok);
    const accepted = await events.next((e) => e.kind === 'accepted');
    assert.ok(accepted.kind === 'accepted');
    const ack = await peer.nextRequest('ACK');
    assert.equal(ack.remote.protocol, 'TCP');
    const byeResponse = accepted.dialog.request('BYE');
    const bye = await peer.nextRequest('BYE');
    assert.equal(bye.remote.protocol, 'TCP');
    bye.respond(peer.port.makeResponse(bye.request, 200));
    assert.equal((await byeResponse).status, 200);
  });

  it('sends the INVITE to the outbound proxy, Request-URI unchanged', async () => {
    const proxy = `sip:127.0.0.1:${portOf(peer.port)}`;
    const { events } = call('udp', proxy);
    const incoming = await peer.nextRequest('INVITE');
    assert.equal(incoming.request.uri, 'sip:bob@192.0.2.9:5099');
    assert.deepEqual(
      incoming.request.headers.route?.map((r) => r.uri),
      [`${proxy};lr`],
    );
    incoming.respond(peer.response(incoming.request, 404, token()));
    assert.equal((await events.next()).response.status, 404);
  });

  it('ends the dialog on a 481 to an in-dialog request', async () => {
    const { events } = call();
    const incoming = await peer.nextRequest('INVITE');
    answered(incoming, token());
    const accepted = await events.next((e) => e.kind === 'accepted');
    assert.ok(accepted.kind === 'accepted');
    const ended = new Inbox<string>();
    accepted.dialog.handle({
      request: () => assert.fail('no request expected'),
      terminated: (cause) => {
        ended.push(cause);
      },
    });
    const infoResponse = accepted.dialog.request('INFO', {
      body: 'a=end-of-candidates\r\n',
      contentType: 'application/trickle-ice-sdpfrag',
    });
    const info = await peer.nextRequest('INFO');
    assert.equal(info.request.headers['content-type'], 'application/trickle-ice-sdpfrag');
    info.respond(peer.port.makeResponse(info.request, 481));
    assert.equal((await infoResponse).status, 481);
    assert.equal(await ended.next(), 'request-failed');
    assert.equal(ua.activeDialogs, 0);
    await assert.rejects(accepted.dialog.request('BYE'), /terminated/);
  });
  it('re-INVITE both ways: ours is ACKed, theirs gets 491 while ours is pending, then 2xx until ACK', async () => {
    const { events } = call();
    const incoming = await peer.nextRequest('INVITE');
    const toTag = token();
    answered(incoming, toTag);
    const accepted = await events.next((e) => e.kind === 'accepted');
    assert.ok(accepted.kind === 'accepted');
    const dialog = accepted.dialog;
    await peer.nextRequest('ACK');
    const received = new Inbox<IncomingSipRequest>();
    dialog.handle({
      request: (request) => {
        received.push(request);
      },
      terminated: () => assert.fail('not terminated'),
    });

    const reinviteResponse = dialog.request('INVITE', { body: offer });
    const reinvite = await peer.nextRequest('INVITE');
    assert.equal(reinvite.request.headers.cseq.seq, 2);
    assert.equal(reinvite.request.headers.contact?.[0]?.uri, contact);
    // Glare [RFC 3261 §14.2]: the peer's own re-INVITE meanwhile gets 491.
    const glare = await peer.send(peer.inDialogAsCallee('INVITE', incoming.request, toTag, 1)).next();
    assert.equal(glare.status, 491);
    reinvite.respond(peer.response(reinvite.request, 200, toTag, answer));
    assert.equal((await reinviteResponse).status, 200);
    const ack = await peer.nextRequest('ACK');
    assert.equal(ack.request.headers.cseq.seq, 2);

    const theirs = peer.inDialogAsCallee('INVITE', incoming.request, toTag, 2);
    theirs.headers.contact = [{ uri: peer.uri('moved'), params: {} }];
    theirs.headers['content-type'] = 'application/sdp';
    theirs.content = offer;
    const responses = peer.send(theirs);
    const request = await received.next();
    request.respond(dialog.makeResponse(request.request, 200, { body: answer }));
    const ok = await responses.next((r) => r.status === 200);
    assert.equal(ok.headers.contact?.[0]?.uri, contact);
    assert.equal(ok.content, answer);
    assert.equal(dialog.remoteTarget, peer.uri('moved'));
    await responses.next((r) => r.status === 200); // retransmitted until the ACK
    peer.port.sendAck({
      method: 'ACK',
      uri: contact,
      headers: { ...peer.inDialogAsCallee('ACK', incoming.request, toTag, 2).headers },
    });
    // Acknowledged: the next re-INVITE is taken, not refused as pending.
    const next = peer.send(peer.inDialogAsCallee('INVITE', incoming.request, toTag, 3));
    const third = await received.next();
    third.respond(dialog.makeResponse(third.request, 488));
    assert.equal((await next.next((r) => r.status >= 200)).status, 488);
    dialog.close();
  });
});
