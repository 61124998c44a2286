/**
 * A real encrypted call through the gateway (issue 3, spec §10): werift as the XMPP side's media
 * engine, baresip 1.0 (`medianat=ice`, `rtcp_mux yes`, `mediaenc=dtls_srtp`) as the SIP phone,
 * Prosody and the gateway in between. The test passes only when ICE connects, the DTLS handshake
 * completes (each side verifies the fingerprint it got through the gateway) and SRTP audio from
 * the other side decrypts at werift — the proof that fingerprints, roles, candidates and mids
 * cross the gateway intact. Both directions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { killAllBaresip, startBaresip, type Baresip } from './harness/baresip.ts';
import { startTestGateway, type TestGateway } from './harness/gateway.ts';
import { freePort } from './harness/ports.ts';
import { startProsody, type ProsodyServer } from './harness/prosody.ts';
import { answerCall, placeCall, type WeriftCall } from './harness/werift-peer.ts';
import { connectUser, type XmppUser } from './harness/xmpp-user.ts';
import { jingleOf, newSid } from './helpers.ts';

const BARESIP_HOST = '127.0.0.1';

describe('encrypted call werift ⇄ gateway ⇄ baresip (ICE, DTLS-SRTP, SRTP audio)', () => {
  let prosody: ProsodyServer;
  let gw: TestGateway;
  let phone: Baresip;
  let alice: XmppUser;
  let call: WeriftCall | undefined;
  let phonePort: number;

  before(async () => {
    prosody = await startProsody();
    const port = await freePort(BARESIP_HOST, 'udp');
    phonePort = port;
    phone = await startBaresip({
      sipAddress: { host: BARESIP_HOST, port },
      mediaenc: 'dtls_srtp',
      medianat: 'ice',
      rtcpMux: true,
      autoAnswer: true,
      user: 'phone',
    });
    gw = await startTestGateway({ prosody, outboundProxy: `sip:${BARESIP_HOST}:${String(port)}` });
    alice = await connectUser({
      service: prosody.c2sService,
      domain: prosody.domain,
      username: 'alice',
      password: 'alice-pass',
      resource: 'werift',
    });
  });

  after(async () => {
    await call?.close();
    await alice?.close();
    await gw?.close();
    await phone?.stop();
    await killAllBaresip();
    await prosody?.stop();
  });

  it('XMPP caller (werift) → SIP callee (baresip): baresip’s fingerprint and active role reach werift intact', async () => {
    // XEP-0106: `@` → \40, `:` → \3a; the JID stands for sip:phone@127.0.0.1:PORT (spec §7.4).
    const to = `phone\\40${BARESIP_HOST}\\3a${String(phonePort)}@${prosody.componentDomain}`;
    call = await placeCall(alice, { to, sid: newSid('enc'), timeoutMs: 15_000 }).catch((err: unknown) => {
      throw new Error(`${String(err)}\nbaresip:\n${phone.output()}`);
    });
    const accept = jingleOf(call.sessionAccept)!;
    assert.equal(accept.attrs.responder, `${to}/sip`);
    const fingerprint = call.sessionAccept.toString().match(/<fingerprint [^>]*setup="(\w+)"[^>]*>/);
    assert.equal(fingerprint?.[1], 'active', call.describe());
    await call.iceConnected;
    await call.dtlsConnected;
    const audio = await call.srtpAudioReceived;
    assert.ok(audio.packets >= 5, call.describe());
    await call.hangup();
    await phone.waitForLine(/terminated|closed|BYE/i, 10_000);
    call = undefined;
  });

  it('SIP caller (baresip) → XMPP callee (werift): baresip’s offer (actpass) is answered active by werift', async () => {
    const answering = answerCall(alice, { timeoutMs: 15_000 });
    phone.dial(`sip:${encodeURIComponent(alice.fullJid)}@${gw.sipAddress}`);
    call = await answering;
    await call.iceConnected;
    await call.dtlsConnected;
    const audio = await call.srtpAudioReceived;
    assert.ok(audio.packets >= 5, call.describe());
    await call.hangup();
    call = undefined;
  });
});
