/**
 * SIP over TLS [RFC 3261 §26.2, RFC 5630] with baresip 1.0 as the TLS peer: the gateway listens
 * on a `tls:` socket with `sip.tls.certFile`/`keyFile` and reaches baresip through a `sips:`
 * outbound proxy, trusting baresip's self-signed certificate through `sip.tls.caFile`. The
 * certificates are made by openssl in a temporary directory. Media is werift ⇄ baresip
 * (DTLS-SRTP), so a passing call also proves the SDP crossed the TLS hop intact.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { killAllBaresip, startBaresip, type Baresip } from './harness/baresip.ts';
import { GATEWAY_SIP_HOST, startTestGateway, type TestGateway } from './harness/gateway.ts';
import { freePort, isPortBound } from './harness/ports.ts';
import { startProsody, type ProsodyServer } from './harness/prosody.ts';
import { answerCall, placeCall, type WeriftCall } from './harness/werift-peer.ts';
import { connectUser, type XmppUser } from './harness/xmpp-user.ts';
import { jingleOf, newSid } from './helpers.ts';

const BARESIP_HOST = '127.0.0.1';

/** A self-signed certificate for `ip` (CN and subjectAltName), valid one day. */
function selfSigned(dir: string, name: string, ip: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.cert.pem`);
  const key = join(dir, `${name}.key.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${ip}`,
      '-addext',
      `subjectAltName=IP:${ip}`,
      '-days',
      '1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

/** A free port whose successor is free too (baresip 1.0 puts TLS on `sip_listen` port + 1). */
async function freePortPair(host: string): Promise<number> {
  for (;;) {
    const port = await freePort(host, 'tcp');
    if (port < 65535 && !(await isPortBound(host, port + 1, 'tcp')) && !(await isPortBound(host, port, 'udp')))
      return port;
  }
}

describe('SIP over TLS: gateway ⇄ baresip', () => {
  let dir: string;
  let prosody: ProsodyServer;
  let gw: TestGateway;
  let phone: Baresip;
  let alice: XmppUser;
  let call: WeriftCall | undefined;
  let phonePort: number;
  let gatewayTlsPort: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jsg-tls-'));
    const phoneCert = selfSigned(dir, 'baresip', BARESIP_HOST);
    const gatewayCert = selfSigned(dir, 'gateway', GATEWAY_SIP_HOST);
    const bundle = join(dir, 'baresip.pem');
    writeFileSync(bundle, readFileSync(phoneCert.cert, 'utf8') + readFileSync(phoneCert.key, 'utf8'));
    prosody = await startProsody();
    phonePort = await freePortPair(BARESIP_HOST);
    phone = await startBaresip({
      sipAddress: { host: BARESIP_HOST, port: phonePort },
      mediaenc: 'dtls_srtp',
      medianat: 'ice',
      rtcpMux: true,
      autoAnswer: true,
      user: 'phone',
      tls: { certificateFile: bundle },
    });
    gatewayTlsPort = await freePort(GATEWAY_SIP_HOST, 'tcp');
    gw = await startTestGateway({
      prosody,
      // RFC 3261 §26.2.2: a sips: next hop is reached over TLS.
      outboundProxy: `sips:${BARESIP_HOST}:${String(phonePort + 1)}`,
      sip: {
        listen: [`udp:${GATEWAY_SIP_HOST}:0`, `tls:${GATEWAY_SIP_HOST}:${String(gatewayTlsPort)}`],
        tls: { certFile: gatewayCert.cert, keyFile: gatewayCert.key, caFile: phoneCert.cert },
      },
    });
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
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('XMPP caller → gateway → TLS → baresip: answered, media flows, BYE over TLS', async () => {
    const to = `phone\\40${BARESIP_HOST}\\3a${String(phonePort + 1)}@${prosody.componentDomain}`;
    call = await placeCall(alice, { to, sid: newSid('tls'), timeoutMs: 15_000 }).catch((err: unknown) => {
      throw new Error(`${String(err)}\nbaresip:\n${phone.output()}`);
    });
    assert.equal(jingleOf(call.sessionAccept)?.attrs.responder, `${to}/sip`);
    await call.dtlsConnected;
    // baresip saw the INVITE on its TLS socket.
    assert.match(phone.output(), /TLS/);
    await call.hangup();
    await phone.waitForLine(/terminated|closed|BYE/i, 10_000);
    call = undefined;
  });

  it('baresip → TLS → gateway → XMPP callee: answered through the tls: listener', async () => {
    const answering = answerCall(alice, { timeoutMs: 15_000 });
    const offset = phone.output().length;
    phone.dial(`sip:${encodeURIComponent(alice.fullJid)}@${GATEWAY_SIP_HOST}:${String(gatewayTlsPort)};transport=tls`);
    call = await answering.catch((err: unknown) => {
      throw new Error(`${String(err)}\nbaresip:\n${phone.output().slice(offset)}`);
    });
    await call.dtlsConnected;
    await call.hangup();
    call = undefined;
  });
});
