/**
 * Proof that the two media endpoints of the "real encrypted call" test work together on this
 * machine without the gateway: werift (werift-peer.ts, driven over Jingle) and baresip 1.0
 * (`medianat=ice`, `rtcp_mux yes`, `mediaenc=dtls_srtp`, auto-answer) complete ICE, DTLS-SRTP
 * and SRTP audio (spec §10).
 *
 * A reference translation stands where the gateway will be: a fake XMPP user whose Jingle IQs
 * are turned into SIP by jingle-sdp.ts and a raw UDP SIP user agent on 127.0.0.2 (baresip on
 * 127.0.0.1). So the test also shows that the harness's Jingle carries everything the two need.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, describe, it } from 'node:test';
import { xml, type Element } from '@xmpp/component';
import { killAllBaresip, startBaresip, type Baresip } from './baresip.ts';
import { jingleChild, jingleToSdp, NS_ICE_UDP, sdpToJingle } from './jingle-sdp.ts';
import { freePort } from './ports.ts';
import { answerCall, placeCall, type JingleSignalling, type WeriftCall } from './werift-peer.ts';

const UA_HOST = '127.0.0.2';
const BARESIP_HOST = '127.0.0.1';
const XMPP_USER = 'romeo@example.test/werift';
const PHONE_JID = 'phone@gw.example.test';

interface SipMessage {
  firstLine: string;
  headers: Map<string, string>;
  body: string;
  text: string;
}

function parseSip(text: string): SipMessage {
  const split = text.indexOf('\r\n\r\n');
  const [firstLine = '', ...headerLines] = text.slice(0, split).split('\r\n');
  const headers = new Map<string, string>();
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { firstLine, headers, body: text.slice(split + 4), text };
}

/** A bare-bones SIP UA over one UDP socket: enough for one call with baresip on loopback. */
class RawSipAgent {
  private readonly received: SipMessage[] = [];
  private readonly waiters = new Set<(message: SipMessage) => boolean>();
  private constructor(
    private readonly socket: Socket,
    readonly port: number,
  ) {
    socket.on('message', (data) => {
      const message = parseSip(data.toString('utf8'));
      for (const waiter of this.waiters) if (waiter(message)) return;
      this.received.push(message);
    });
  }

  static async open(): Promise<RawSipAgent> {
    const socket = createSocket('udp4');
    const port = await freePort(UA_HOST, 'udp');
    await new Promise<void>((resolve) => socket.bind(port, UA_HOST, resolve));
    return new RawSipAgent(socket, port);
  }

  send(lines: string[], body: string, port: number): void {
    const headers = [...lines, `Content-Length: ${String(Buffer.byteLength(body))}`];
    if (body !== '') headers.splice(headers.length - 1, 0, 'Content-Type: application/sdp');
    this.socket.send(`${headers.join('\r\n')}\r\n\r\n${body}`, port, BARESIP_HOST);
  }

  next(predicate: (message: SipMessage) => boolean, timeoutMs: number, what: string): Promise<SipMessage> {
    const index = this.received.findIndex(predicate);
    if (index >= 0) return Promise.resolve(this.received.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (message: SipMessage): boolean => {
        if (!predicate(message)) return false;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(message);
        return true;
      };
      this.waiters.add(waiter);
    });
  }

  close(): void {
    this.socket.close();
  }
}

/**
 * An XMPP user whose IQs go to an in-process "gateway" instead of a server: `onSet` gets each
 * Jingle set and may queue stanzas for `waitFor`.
 */
class FakeUser implements JingleSignalling {
  readonly fullJid = XMPP_USER;
  private readonly inbox: Element[] = [];
  private readonly waiters = new Set<(stanza: Element) => boolean>();
  constructor(private readonly onSet: (jingle: Element, user: FakeUser) => Promise<void>) {}

  deliver(stanza: Element): void {
    for (const waiter of this.waiters) if (waiter(stanza)) return;
    this.inbox.push(stanza);
  }

  send(): Promise<void> {
    return Promise.resolve();
  }

  async iq(stanza: Element): Promise<Element> {
    await this.onSet(jingleChild(stanza)!, this);
    return xml('iq', { type: 'result', id: stanza.attrs.id });
  }

  waitFor(predicate: (stanza: Element) => boolean, timeoutMs: number, description: string): Promise<Element> {
    const index = this.inbox.findIndex(predicate);
    if (index >= 0) return Promise.resolve(this.inbox.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no ${description} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (stanza: Element): boolean => {
        if (!predicate(stanza)) return false;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(stanza);
        return true;
      };
      this.waiters.add(waiter);
    });
  }
}

async function startPhone(): Promise<Baresip> {
  return startBaresip({
    sipAddress: { host: BARESIP_HOST, port: await freePort(BARESIP_HOST, 'udp') },
    mediaenc: 'dtls_srtp',
    medianat: 'ice',
    rtcpMux: true,
    user: 'phone',
  });
}

async function assertMediaFlows(call: WeriftCall, phone: Baresip): Promise<void> {
  const describeAll = (): string => `${call.describe()}\nbaresip:\n${phone.output().slice(-4000)}`;
  await call.iceConnected.catch((error: unknown) => assert.fail(`${String(error)}\n${describeAll()}`));
  await call.dtlsConnected.catch((error: unknown) => assert.fail(`${String(error)}\n${describeAll()}`));
  const audio = await call.srtpAudioReceived.catch((error: unknown) =>
    assert.fail(`${String(error)}\n${describeAll()}`),
  );
  // werift offered opus (96) first and PCMU (0): baresip sends the first codec it shares.
  assert.equal(audio.payloadType, 96);
  assert.equal(audio.packets, 5);
  // Both ends checked the other's certificate against the signalled fingerprint [RFC 8122 §5].
  await phone.waitForLine(/dtls_srtp: verified sha-256 fingerprint OK/, 3000);
  await phone.waitForLine(/DTLS-SRTP complete \(audio\/RTP\) Profile=/, 3000);
}

const started: { phone?: Baresip; agent?: RawSipAgent; call?: WeriftCall }[] = [];

after(async () => {
  for (const item of started) {
    await item.call?.close();
    item.agent?.close();
    await item.phone?.stop();
  }
  await killAllBaresip();
});

describe('werift ↔ baresip on this machine (no gateway)', () => {
  it('werift calls baresip: ICE connects, DTLS-SRTP completes, SRTP audio decrypts at werift', async () => {
    const phone = await startPhone();
    const agent = await RawSipAgent.open();
    const run: (typeof started)[number] = { phone, agent };
    started.push(run);
    const callId = `werift-${String(Date.now())}`;
    const dialog = { toHeader: '', contact: '' };
    const from = `From: <sip:romeo@${UA_HOST}>;tag=wr1`;
    const via = (branch: string) => `Via: SIP/2.0/UDP ${UA_HOST}:${String(agent.port)};branch=z9hG4bK${branch};rport`;
    const port = Number(phone.uri.split(':').pop());

    const user = new FakeUser((jingle, self) => {
      if (jingle.attrs.action === 'session-terminate') {
        agent.send(
          [
            `BYE ${dialog.contact} SIP/2.0`,
            via('bye'),
            from,
            dialog.toHeader,
            `Call-ID: ${callId}`,
            'CSeq: 2 BYE',
            'Max-Forwards: 70',
          ],
          '',
          port,
        );
        return Promise.resolve();
      }
      // The reference translation of a session-initiate: Jingle → SDP, INVITE; 200 → accept.
      const offer = jingleToSdp(jingle, { author: 'initiator' });
      agent.send(
        [
          `INVITE ${phone.uri} SIP/2.0`,
          via('inv'),
          from,
          `To: <${phone.uri}>`,
          `Call-ID: ${callId}`,
          'CSeq: 1 INVITE',
          `Contact: <sip:romeo@${UA_HOST}:${String(agent.port)}>`,
          'Max-Forwards: 70',
        ],
        offer,
        port,
      );
      void agent
        .next((m) => m.firstLine.startsWith('SIP/2.0 200'), 8000, '200 OK')
        .then((ok) => {
          dialog.toHeader = `To: ${ok.headers.get('to') ?? ''}`;
          dialog.contact = /<([^>]+)>/.exec(ok.headers.get('contact') ?? '')?.[1] ?? phone.uri;
          agent.send(
            [
              `ACK ${dialog.contact} SIP/2.0`,
              via('ack'),
              from,
              dialog.toHeader,
              `Call-ID: ${callId}`,
              'CSeq: 1 ACK',
              'Max-Forwards: 70',
            ],
            '',
            port,
          );
          const accept = sdpToJingle(ok.body, {
            action: 'session-accept',
            sid: jingle.attrs.sid ?? '',
            initiator: XMPP_USER,
            responder: `${PHONE_JID}/sip`,
            author: 'responder',
            contentNames: jingle.getChildren('content').map((content) => content.attrs.name ?? ''),
          });
          self.deliver(xml('iq', { type: 'set', from: PHONE_JID, id: 'acc1' }, accept));
        });
      return Promise.resolve();
    });

    const call = await placeCall(user, { to: PHONE_JID, sid: 'werift1', timeoutMs: 10_000 });
    run.call = call;
    // What baresip answered, as the XMPP caller sees it (spec §10: session-level ICE credentials,
    // fingerprint and setup applied to the content; its name and ICE-UDP kept).
    const content = jingleChild(call.sessionAccept)!.getChild('content')!;
    assert.equal(content.attrs.name, '0');
    const transport = content.getChild('transport', NS_ICE_UDP);
    assert.ok(transport?.attrs.ufrag, call.sessionAccept.toString());
    assert.equal(transport.getChild('fingerprint', 'urn:xmpp:jingle:apps:dtls:0')?.attrs.setup, 'active');
    await assertMediaFlows(call, phone);
    await call.hangup();
    await phone.waitForLine(/terminated/, 3000);
  });

  it('baresip calls werift: ICE connects, DTLS-SRTP completes, SRTP audio decrypts at werift', async () => {
    const phone = await startPhone();
    const agent = await RawSipAgent.open();
    const run: (typeof started)[number] = { phone, agent };
    started.push(run);
    const port = Number(phone.uri.split(':').pop());
    const dialog = { from: '', to: '', callId: '', contact: '' };
    const received: { invite?: SipMessage } = {};
    const respond = (status: string, body = ''): void => {
      const request = received.invite!;
      agent.send(
        [
          `SIP/2.0 ${status}`,
          `Via: ${request.headers.get('via') ?? ''}`,
          `From: ${request.headers.get('from') ?? ''}`,
          `To: ${request.headers.get('to') ?? ''};tag=uas1`,
          `Call-ID: ${request.headers.get('call-id') ?? ''}`,
          `CSeq: ${request.headers.get('cseq') ?? ''}`,
          `Contact: <sip:werift@${UA_HOST}:${String(agent.port)}>`,
        ],
        body,
        port,
      );
    };

    const user = new FakeUser((jingle) => {
      const action = jingle.attrs.action;
      if (action === 'session-info') respond('180 Ringing');
      if (action === 'session-accept') respond('200 OK', jingleToSdp(jingle, { author: 'responder' }));
      if (action === 'session-terminate') {
        agent.send(
          [
            `BYE ${dialog.contact} SIP/2.0`,
            `Via: SIP/2.0/UDP ${UA_HOST}:${String(agent.port)};branch=z9hG4bKuasbye;rport`,
            `From: ${dialog.to};tag=uas1`,
            `To: ${dialog.from}`,
            `Call-ID: ${dialog.callId}`,
            'CSeq: 1 BYE',
            'Max-Forwards: 70',
          ],
          '',
          port,
        );
      }
      return Promise.resolve();
    });

    phone.dial(`sip:werift@${UA_HOST}:${String(agent.port)}`);
    const invite = await agent.next((m) => m.firstLine.startsWith('INVITE '), 5000, 'INVITE from baresip');
    received.invite = invite;
    dialog.from = invite.headers.get('from') ?? '';
    dialog.to = invite.headers.get('to') ?? '';
    dialog.callId = invite.headers.get('call-id') ?? '';
    dialog.contact = /<([^>]+)>/.exec(invite.headers.get('contact') ?? '')?.[1] ?? phone.uri;
    respond('100 Trying');
    // The reference translation of the INVITE: SDP → session-initiate to the XMPP user.
    const initiate = sdpToJingle(invite.body, {
      action: 'session-initiate',
      sid: 'baresip1',
      initiator: `${PHONE_JID}/sip`,
      author: 'initiator',
    });
    user.deliver(xml('iq', { type: 'set', from: `${PHONE_JID}/sip`, id: 'si1' }, initiate));

    const call = await answerCall(user, { timeoutMs: 10_000 });
    run.call = call;
    await agent.next((m) => m.firstLine.startsWith('ACK '), 5000, 'ACK from baresip');
    // baresip offers actpass (spec §10); werift answers active, baresip becomes the DTLS server.
    assert.match(invite.body, /^a=setup:actpass\r$/m);
    assert.match(call.localSdp, /^a=setup:active\r?$/m);
    await assertMediaFlows(call, phone);
    await call.hangup();
    const byeAnswer = await agent.next((m) => m.headers.get('cseq') === '1 BYE', 3000, 'answer to the BYE');
    assert.equal(byeAnswer.firstLine, 'SIP/2.0 200 OK', byeAnswer.text);
  });
});
