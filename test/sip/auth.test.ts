// Digest authentication in the dialog layer [RFC 3261 §22]: the gateway answers a 401/407 to its
// INVITE, BYE and re-INVITE once; a second challenge is final; `inboundAuth` challenges INVITEs.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { IncomingInvite, OutgoingInviteHandlers, SipDialog, SipUserAgent } from '../../src/sip/dialog-types.ts';
import { digestAuthorization, InboundDigest, parseAuthParams, parseChallenges } from '../../src/sip/digest.ts';
import type { SipRequest, SipResponse } from '../../src/sip/message.ts';
import type { SipPort } from '../../src/sip/port.ts';
import { createSipUserAgent } from '../../src/sip/user-agent.ts';
import { answer, gatewayHost, Inbox, offer, Peer, portOf, startPort, token } from './helpers.ts';

type Event =
  | { kind: 'provisional'; response: SipResponse }
  | { kind: 'rejected'; response: SipResponse; authenticated: boolean | undefined }
  | { kind: 'accepted'; dialog: SipDialog; response: SipResponse };

const credentials = { username: 'gw', password: 'trunk-pass', realm: 'trunk.example' };

/** The Authorization the peer expects for `request` answering `challenge` (recomputed from the sent cnonce). */
function expectedAuthorization(request: SipRequest, header: string, password: string): boolean {
  const raw = request.headers[header];
  const [entry] = Array.isArray(raw) ? (raw as Record<string, string>[]) : [];
  if (entry === undefined) return false;
  const text = Object.entries(entry)
    .filter(([name]) => name !== 'scheme')
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
  const { params } = parseAuthParams(`Digest ${text}`);
  const [challenge] = parseChallenges(`Digest realm="${params.realm}", nonce="${params.nonce}", qop="auth"`);
  const recomputed = digestAuthorization(
    challenge!,
    { username: params.username ?? '', password },
    request.method,
    params.uri ?? '',
    params.cnonce ?? '',
  );
  return recomputed.response === `"${params.response}"` && params.uri === request.uri && params.nc === '00000001';
}

function challenge(peer: Peer, request: SipRequest, status: 401 | 407, toTag: string): SipResponse {
  const response = peer.response(request, status, toTag);
  response.headers[status === 401 ? 'www-authenticate' : 'proxy-authenticate'] = [
    { scheme: 'Digest', realm: '"trunk.example"', nonce: `"${token()}"`, qop: '"auth"', algorithm: 'MD5' },
  ];
  return response;
}

describe('SIP digest authentication, gateway as client', () => {
  let ua: SipUserAgent;
  let peer: Peer;
  let contact: string;

  before(async () => {
    const port = await startPort(gatewayHost, ['udp']);
    contact = `sip:gw@${gatewayHost}:${portOf(port)}`;
    ua = createSipUserAgent({ port, timers: { t1Ms: 50, t2Ms: 200 }, credentials });
    peer = await Peer.start(['udp']);
  });
  after(async () => {
    await ua.close();
    await peer.close();
  });
  afterEach(() => {
    peer.requests.clear();
  });

  function call(): { events: Inbox<Event>; callId: string } {
    const events = new Inbox<Event>();
    const handlers: OutgoingInviteHandlers = {
      provisional: (response) => {
        events.push({ kind: 'provisional', response });
      },
      accepted: (dialog, response) => {
        events.push({ kind: 'accepted', dialog, response });
      },
      rejected: (response, info) => {
        events.push({ kind: 'rejected', response, authenticated: info?.authenticated });
      },
    };
    const callId = `${token()}@gw`;
    ua.invite(
      {
        requestUri: peer.uri('bob'),
        from: { uri: `sip:juliet@${gatewayHost}` },
        to: { uri: peer.uri('bob') },
        callId,
        contact,
        sdp: offer,
      },
      handlers,
    );
    return { events, callId };
  }

  async function answeredAfter(status: 401 | 407): Promise<{ dialog: SipDialog; invite: SipRequest }> {
    const { events, callId } = call();
    const first = await peer.nextRequest('INVITE');
    first.respond(challenge(peer, first.request, status, token()));
    const second = await peer.nextRequest('INVITE');
    const header = status === 401 ? 'authorization' : 'proxy-authorization';
    assert.equal(second.request.headers['call-id'], callId);
    assert.equal(second.request.headers.cseq.seq, first.request.headers.cseq.seq + 1);
    assert.equal(second.request.headers.from.params.tag, first.request.headers.from.params.tag);
    assert.notEqual(second.request.headers.via?.[0]?.params.branch, first.request.headers.via?.[0]?.params.branch);
    assert.equal(expectedAuthorization(second.request, header, credentials.password), true);
    assert.equal(second.request.content, offer);
    second.respond(peer.response(second.request, 200, token(), answer));
    const accepted = await events.next((e) => e.kind !== 'provisional');
    assert.ok(accepted.kind === 'accepted');
    await peer.nextRequest('ACK');
    return { dialog: accepted.dialog, invite: second.request };
  }

  it('answers a 401 to INVITE with Authorization and a new CSeq, then the call is accepted', async () => {
    const { dialog } = await answeredAfter(401);
    dialog.close();
  });

  it('answers a 407 to INVITE with Proxy-Authorization', async () => {
    const { dialog } = await answeredAfter(407);
    dialog.close();
  });

  it('a second challenge is final: rejected with authenticated=true', async () => {
    const { events } = call();
    const first = await peer.nextRequest('INVITE');
    first.respond(challenge(peer, first.request, 401, token()));
    const second = await peer.nextRequest('INVITE');
    second.respond(challenge(peer, second.request, 401, token()));
    const rejected = await events.next((e) => e.kind === 'rejected');
    assert.ok(rejected.kind === 'rejected');
    assert.equal(rejected.response.status, 401);
    assert.equal(rejected.authenticated, true);
    assert.equal(peer.requests.pending.filter((r) => r.request.method === 'INVITE').length, 0);
  });

  it('a 403 is not retried and is not an authentication failure', async () => {
    const { events } = call();
    const first = await peer.nextRequest('INVITE');
    first.respond(peer.response(first.request, 403, token()));
    const rejected = await events.next((e) => e.kind === 'rejected');
    assert.ok(rejected.kind === 'rejected');
    assert.equal(rejected.response.status, 403);
    assert.equal(rejected.authenticated, false);
  });

  it('answers a 401 to BYE and to a re-INVITE once, with the next CSeq', async () => {
    const { dialog, invite } = await answeredAfter(401);
    const reinviteDone = dialog.request('INVITE', { body: offer });
    const reinvite = await peer.nextRequest('INVITE');
    assert.equal(reinvite.request.headers.cseq.seq, invite.headers.cseq.seq + 1);
    reinvite.respond(challenge(peer, reinvite.request, 401, dialog.remoteTag));
    const reinvite2 = await peer.nextRequest('INVITE');
    assert.equal(reinvite2.request.headers.cseq.seq, invite.headers.cseq.seq + 2);
    assert.equal(expectedAuthorization(reinvite2.request, 'authorization', credentials.password), true);
    const ok = peer.response(reinvite2.request, 200, dialog.remoteTag, answer);
    reinvite2.respond(ok);
    assert.equal((await reinviteDone).status, 200);
    await peer.nextRequest('ACK');

    const byeDone = dialog.request('BYE');
    const bye = await peer.nextRequest('BYE');
    bye.respond(challenge(peer, bye.request, 407, dialog.remoteTag));
    const bye2 = await peer.nextRequest('BYE');
    assert.equal(bye2.request.headers.cseq.seq, invite.headers.cseq.seq + 4);
    assert.equal(expectedAuthorization(bye2.request, 'proxy-authorization', credentials.password), true);
    bye2.respond(peer.response(bye2.request, 200, dialog.remoteTag));
    assert.equal((await byeDone).status, 200);
    assert.equal(ua.activeDialogs, 0);
  });
});

describe('SIP digest authentication, gateway as server (inboundAuth)', () => {
  let port: SipPort;
  let ua: SipUserAgent;
  let peer: Peer;
  const invites = new Inbox<IncomingInvite>();

  before(async () => {
    port = await startPort(gatewayHost, ['udp']);
    const inboundAuth = new InboundDigest({ realm: 'gw.example', users: new Map([['alice', 'pw-alice']]) });
    ua = createSipUserAgent({ port, timers: { t1Ms: 50, t2Ms: 200 }, inboundAuth });
    ua.onInvite((invite) => {
      invites.push(invite);
    });
    peer = await Peer.start(['udp']);
  });
  after(async () => {
    await ua.close();
    await peer.close();
  });

  async function challenged(): Promise<{ request: SipRequest; response: SipResponse }> {
    const uri = `sip:bob@${gatewayHost}:${portOf(port)}`;
    const responses = peer.send(peer.request('INVITE', uri, { content: offer }));
    const response = await responses.next();
    assert.equal(response.status, 401);
    return { request: responses.sent, response };
  }

  function retry(request: SipRequest, response: SipResponse, password: string): Inbox<SipResponse> {
    const [c] = parseChallenges(response.headers['www-authenticate']);
    assert.ok(c !== undefined);
    assert.equal(c.realm, 'gw.example');
    assert.deepEqual(c.qop, ['auth']);
    const authorization = digestAuthorization(c, { username: 'alice', password }, 'INVITE', request.uri, token());
    const headers = { ...request.headers, cseq: { seq: 2, method: 'INVITE' }, authorization: [authorization] };
    delete headers.via;
    return peer.send({ ...request, headers });
  }

  it('answers 401 with a challenge, then lets the retried INVITE through', async () => {
    const { request, response } = await challenged();
    assert.equal(invites.pending.length, 0);
    const responses = retry(request, response, 'pw-alice');
    assert.equal((await responses.next()).status, 100);
    const invite = await invites.next();
    assert.equal(invite.callId, request.headers['call-id']);
    invite.reject(486);
    assert.equal((await responses.next()).status, 486);
  });

  it('answers a wrong password with a new 401', async () => {
    const { request, response } = await challenged();
    const responses = retry(request, response, 'wrong');
    assert.equal((await responses.next()).status, 401);
    assert.equal(invites.pending.length, 0);
  });
});
