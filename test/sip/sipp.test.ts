// Wire compatibility with a SIP implementation that is not npm `sip`: SIPp 3.6 as callee (its
// built-in `uas` scenario) and as caller (a scenario written to a temporary directory).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { IncomingInvite, SipUserAgent } from '../../src/sip/dialog-types.ts';
import type { IncomingSipRequest, SipPort } from '../../src/sip/port.ts';
import { findFreePort } from '../../src/sip/stack.ts';
import { createSipUserAgent } from '../../src/sip/user-agent.ts';
import { answer, delay, gatewayHost, Inbox, offer, peerHost, portOf, startPort, token } from './helpers.ts';

const sippPath = '/usr/bin/sipp';

const uacScenario = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="SIPp calls the gateway">
  <send retrans="500">
    <![CDATA[
      INVITE sip:juliet%40capulet.lit@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "SIPp" <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:juliet%40capulet.lit@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:sipp@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rrs="true">
    <action>
      <ereg regexp="m=audio 4002 RTP/AVP 0" search_in="body" check_it="true" assign_to="1"/>
      <ereg regexp="INVITE, ACK, CANCEL, BYE" search_in="hdr" header="Allow:" check_it="true" assign_to="2"/>
    </action>
  </recv>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "SIPp" <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:juliet%40capulet.lit@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <pause milliseconds="100"/>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "SIPp" <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:juliet%40capulet.lit@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200" crlf="true"/>
  <Reference variables="1,2"/>
</scenario>
`;

/** SIPp's built-in `uas` with the ACK made mandatory, checks on the INVITE, and no 4 s timewait. */
const uasScenario = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="SIPp answers the gateway">
  <recv request="INVITE" crlf="true">
    <action>
      <ereg regexp="^INVITE sip:service@127[.]0[.]0[.]1:[0-9]+ SIP/2[.]0" search_in="msg" check_it="true" assign_to="0"/>
      <ereg regexp="70" search_in="hdr" header="Max-Forwards:" check_it="true" assign_to="1"/>
      <ereg regexp="m=audio 4000 RTP/AVP 0" search_in="body" check_it="true" assign_to="2"/>
    </action>
  </recv>
  <send>
    <![CDATA[
      SIP/2.0 180 Ringing
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0
    ]]>
  </send>
  <send retrans="500">
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000
    ]]>
  </send>
  <recv request="ACK" crlf="true"/>
  <recv request="BYE"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>
  </send>
  <Reference variables="0,1,2"/>
</scenario>
`;

/** A UDP port on `host` with the next three free too (SIPp's audio and video RTP/RTCP). */
async function freeMediaPort(host: string): Promise<number> {
  for (;;) {
    const base = await findFreePort(host, ['udp']);
    const sockets: dgram.Socket[] = [];
    let free = true;
    for (let offset = 0; offset < 4 && free; offset++) {
      const socket = dgram.createSocket('udp4');
      free = await new Promise<boolean>((resolve) => {
        socket.once('error', () => {
          resolve(false);
        });
        socket.bind(base + offset, host, () => {
          resolve(true);
        });
      });
      sockets.push(socket);
    }
    await Promise.all(
      sockets.map((socket) =>
        new Promise<void>((resolve) =>
          socket.close(() => {
            resolve();
          }),
        ).catch(() => undefined),
      ),
    );
    if (free) return base;
  }
}

/** Resolves once something is bound to UDP `host:port` (SIPp has started). */
async function waitForUdpListener(host: string, port: number): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const socket = dgram.createSocket('udp4');
    const taken = await new Promise<boolean>((resolve) => {
      socket.once('error', () => {
        resolve(true);
      });
      socket.bind(port, host, () => {
        resolve(false);
      });
    });
    if (taken) return;
    await new Promise<void>((resolve) =>
      socket.close(() => {
        resolve();
      }),
    );
    await delay(20);
  }
  throw new Error(`nothing listens on ${host}:${port}`);
}

// No skip when SIPp is missing: .ci/run installs it, and a skipped wire test would prove nothing.
describe('SIP user agent against SIPp', () => {
  let port: SipPort;
  let ua: SipUserAgent;
  let dir: string;
  const children: ChildProcess[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jsg-sip-sipp-'));
    port = await startPort(gatewayHost, ['udp']);
    ua = createSipUserAgent({ port });
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await ua.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs SIPp with `args`; resolves with its exit code and output. */
  function sipp(args: string[]): { exited: Promise<{ code: number | null; output: string }> } {
    const child = spawn(sippPath, [...args, '-nostdin', '-m', '1', '-timeout', '10s', '-timeout_error'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout.on('data', (data: Buffer) => (output += data.toString()));
    child.stderr.on('data', (data: Buffer) => (output += data.toString()));
    return {
      exited: new Promise((resolve) =>
        child.once('exit', (code) => {
          resolve({ code, output: output.slice(-3000) });
        }),
      ),
    };
  }

  it('calls a SIPp UAS: 180, 200, ACK, then BYE from the gateway; SIPp counts one successful call', async () => {
    const scenario = join(dir, 'uas-gateway.xml');
    await writeFile(scenario, uasScenario);
    const sippPort = await findFreePort(peerHost, ['udp']);
    const mediaPort = await freeMediaPort(peerHost);
    const run = sipp([
      '-sf',
      scenario,
      '-i',
      peerHost,
      '-p',
      String(sippPort),
      '-mi',
      peerHost,
      '-mp',
      String(mediaPort),
    ]);
    await waitForUdpListener(peerHost, sippPort);
    const events = new Inbox<string>();
    const dialogs = new Inbox<{ dialog: import('../../src/sip/dialog-types.ts').SipDialog; sdp: string | undefined }>();
    ua.invite(
      {
        requestUri: `sip:service@${peerHost}:${sippPort}`,
        from: { name: 'romeo@montague.lit', uri: `sip:romeo%40montague.lit@${gatewayHost}` },
        to: { uri: `sip:service@${peerHost}:${sippPort}` },
        callId: `${token()}@gw`,
        contact: `sip:romeo%40montague.lit@${gatewayHost}:${portOf(port)}`,
        sdp: offer,
      },
      {
        provisional: (response) => {
          events.push(String(response.status));
        },
        accepted: (dialog, response) => {
          dialogs.push({ dialog, sdp: response.content });
        },
        rejected: (response) => {
          events.push(`rejected ${response.status}`);
        },
      },
    );
    assert.equal(await events.next(), '180');
    const { dialog, sdp } = await dialogs.next();
    assert.match(sdp ?? '', new RegExp(`m=audio ${mediaPort} RTP/AVP 0`));
    assert.equal(dialog.remoteTarget, `sip:${peerHost}:${sippPort};transport=UDP`);
    const bye = await dialog.request('BYE');
    assert.equal(bye.status, 200);
    const { code, output } = await run.exited;
    assert.equal(code, 0, output);
  });

  it('is called by a SIPp UAC: 100/180/200 with the answer, ACK, BYE from SIPp answered 200', async () => {
    const scenario = join(dir, 'uac-gateway.xml');
    await writeFile(scenario, uacScenario);
    const invites = new Inbox<IncomingInvite>();
    ua.onInvite((invite) => {
      invites.push(invite);
    });
    const sippPort = await findFreePort(peerHost, ['udp']);
    const mediaPort = await freeMediaPort(peerHost);
    const run = sipp([
      `${gatewayHost}:${portOf(port)}`,
      '-sf',
      scenario,
      '-i',
      peerHost,
      '-p',
      String(sippPort),
      '-mi',
      peerHost,
      '-mp',
      String(mediaPort),
    ]);
    const invite = await invites.next((i) => i.request.method === 'INVITE', 6000);
    assert.equal(invite.request.uri, `sip:juliet%40capulet.lit@${gatewayHost}:${portOf(port)}`);
    assert.equal(invite.request.headers.from.name, '"SIPp"');
    assert.match(invite.request.content ?? '', new RegExp(`m=audio ${mediaPort} RTP/AVP 0`));
    invite.provisional(180);
    const dialog = invite.accept(answer);
    const requests = new Inbox<IncomingSipRequest>();
    dialog.handle({
      request: (incoming) => {
        requests.push(incoming);
      },
      terminated: () => assert.fail('SIPp ACKs the 2xx'),
    });
    const bye = await requests.next();
    assert.equal(bye.request.method, 'BYE');
    assert.equal(dialog.confirmed, true);
    bye.respond(dialog.makeResponse(bye.request, 200));
    const { code, output } = await run.exited;
    assert.equal(code, 0, output);
    assert.equal(ua.activeDialogs, 0);
  });
});
