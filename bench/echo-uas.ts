/**
 * The raw SIP stack's ceiling: a minimal UAS written directly on npm `sip` (the stack the gateway
 * uses), with no call logic. INVITE → 200 with a canned DTLS-SRTP answer; ACK absorbed; BYE → 200;
 * anything else → 200. SIPp runs the same uac-bench.xml load against it as against the gateway.
 *
 * Usage: tsx bench/echo-uas.ts HOST PORT (prints "ready" once bound; SIGTERM ends it).
 */
import * as sip from 'sip';

const [host = '127.0.0.2', portText = '5090'] = process.argv.slice(2);
const port = Number(portText);

// The answer's fingerprint is the e2e tests' (test/e2e/helpers.ts ANSWER_FINGERPRINT).
const answer = [
  'v=0',
  `o=echo 1 1 IN IP4 ${host}`,
  's=-',
  `c=IN IP4 ${host}`,
  't=0 0',
  'm=audio 40100 UDP/TLS/RTP/SAVP 0',
  'a=rtpmap:0 PCMU/8000',
  'a=sendrecv',
  'a=setup:active',
  'a=fingerprint:sha-256 BD:E8:2C:D3:BD:B6:98:50:45:7D:5B:36:89:53:31:15:52:25:88:82:06:95:88:A3:3D:A5:43:8D:5C:21:21:66',
  '',
].join('\r\n');

let tagCounter = 0;
const stack = sip.create({ address: host, port, udp: true, tcp: false }, (request) => {
  if (request.method === 'ACK') return;
  const response = sip.makeResponse(request, 200, 'OK');
  if (request.method === 'INVITE') {
    const to = response.headers.to as { params?: Record<string, string | null | undefined> };
    to.params = { ...to.params, tag: `e${String(++tagCounter)}` };
    response.headers.contact = [{ uri: `sip:echo@${host}:${String(port)}` }];
    response.headers['content-type'] = 'application/sdp';
    response.content = answer;
  }
  stack.send(response);
});

process.on('SIGTERM', () => {
  stack.destroy();
  process.exit(0);
});
console.log('ready');
