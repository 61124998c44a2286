/**
 * Self-test of the SIPp harness and the test/sipp scenarios: each UAC scenario against the UAS
 * scenario it meets in a real call (SIPp UAS on 127.0.0.1, SIPp UAC on 127.0.0.2), plus copies
 * rewritten here (the `rewrite` option) so the gateway-facing checks have something to pass or
 * fail on.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from './ports.ts';
import { describeSippResult, killAllSipp, startSipp, type SippResult, type SippTransport } from './sipp.ts';

const FP256B_ANSWER =
  'sha-256 BD:E8:2C:D3:BD:B6:98:50:45:7D:5B:36:89:53:31:15:52:25:88:82:06:95:88:A3:3D:A5:43:8D:5C:21:21:66';
const FP256_OFFER =
  'SHA-256 02:1A:CC:54:27:AB:EB:9C:53:3F:3E:4B:65:2E:7D:46:3F:54:42:CD:54:F1:7A:03:A2:7D:F9:B0:7F:46:19:B2';
const FP1 = '4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB';

after(async () => {
  await killAllSipp();
});

interface PairOptions {
  uas: string;
  uac: string;
  rewriteUas?: (text: string) => string;
  rewriteUac?: (text: string) => string;
  uasVars?: Record<string, string>;
  uacVars?: Record<string, string>;
  transport?: SippTransport;
}

/** Runs a UAS scenario on 127.0.0.1 and a UAC scenario from 127.0.0.2 calling it. */
async function pair(options: PairOptions): Promise<{ uas: SippResult; uac: SippResult }> {
  const transport = options.transport ?? 'u1';
  const protocol = transport === 't1' ? 'tcp' : 'udp';
  const uasPort = await freePort('127.0.0.1', protocol);
  const uas = await startSipp({
    scenario: options.uas,
    local: { host: '127.0.0.1', port: uasPort },
    transport,
    vars: options.uasVars,
    rewrite: options.rewriteUas,
    timeoutMs: 8000,
  });
  await uas.ready;
  const uac = await startSipp({
    scenario: options.uac,
    remote: `127.0.0.1:${uasPort}`,
    local: { host: '127.0.0.2', port: await freePort('127.0.0.2', protocol) },
    transport,
    service: 'juliet%40capulet.lit%2Fbalcony',
    vars: options.uacVars,
    rewrite: options.rewriteUac,
    pauseMs: 200,
    timeoutMs: 8000,
  });
  // When one side fails, the other would wait for its global timeout: end it now.
  const [uasResult, uacResult] = await Promise.all([
    uas.done.then(async (result) => {
      if (result.exitCode !== 0) await uac.kill();
      return result;
    }),
    uac.done.then(async (result) => {
      if (result.exitCode !== 0) await uas.kill();
      return result;
    }),
  ]);
  return { uas: uasResult, uac: uacResult };
}

function assertSucceeded(result: SippResult): void {
  assert.equal(result.exitCode, 0, describeSippResult(result));
}

describe('SIPp scenarios against each other', { concurrency: true }, () => {
  it('uac-call ↔ uas-answer: DTLS offer, 180, answer with setup active, BYE', async () => {
    const { uas, uac } = await pair({ uas: 'uas-answer.xml', uac: 'uac-call.xml' });
    assertSucceeded(uas);
    assertSucceeded(uac);
    assert.equal(uas.captured.ruri?.startsWith('sip:juliet%40capulet.lit%2Fbalcony@127.0.0.1:'), true);
    assert.equal(uas.captured.from?.startsWith('<sip:alice@pbx.example.org>;tag='), true);
    assert.equal(uas.captured.proto, 'UDP/TLS/RTP/SAVP');
    assert.equal(uas.captured.offer_setup, 'actpass');
    assert.equal(uas.captured.offer_fingerprint, FP256_OFFER);
    assert.equal(uas.captured.answer_setup, 'active');
    assert.equal(uas.captured.bye_reason, '');
    assert.equal(uac.captured.answer_setup, 'active');
    assert.equal(uac.captured.answer_fingerprint, FP256B_ANSWER);
    assert.equal(uac.captured.proto, 'UDP/TLS/RTP/SAVP');
    assert.match(uac.messages, /SIP\/2\.0 180 Ringing/);
  });

  it('uac-call ↔ uas-answer over TCP', async () => {
    const { uas, uac } = await pair({ uas: 'uas-answer.xml', uac: 'uac-call.xml', transport: 't1' });
    assertSucceeded(uas);
    assertSucceeded(uac);
    assert.match(uac.messages, /^INVITE sip:juliet%40capulet\.lit%2Fbalcony@127\.0\.0\.1:\d+ SIP\/2\.0\r?$/m);
    assert.match(uac.messages, /^Via: SIP\/2\.0\/TCP 127\.0\.0\.2:/m);
  });

  it('uas-answer answers an offer of setup active with passive (RFC 4145 §4.1)', async () => {
    const { uas, uac: caller } = await pair({
      uas: 'uas-answer.xml',
      uac: 'uac-call.xml',
      rewriteUac: (text) => text.replace('      a=setup:actpass\n', '      a=setup:active\n'),
    });
    assertSucceeded(uas);
    assertSucceeded(caller);
    assert.equal(uas.captured.offer_setup, 'active');
    assert.equal(caller.captured.answer_setup, 'passive');
  });

  it('uac-call ↔ uas-early-media: 183 with SDP, then 200', async () => {
    const { uas, uac } = await pair({ uas: 'uas-early-media.xml', uac: 'uac-call.xml' });
    assertSucceeded(uas);
    assertSucceeded(uac);
    assert.match(uac.messages, /SIP\/2\.0 183 Session Progress[\s\S]*a=fingerprint:sha-256 BD:E8/);
  });

  it('uac-callee-hangup ↔ uas-answer-hangup: the callee sends BYE', async () => {
    const { uas, uac } = await pair({ uas: 'uas-answer-hangup.xml', uac: 'uac-callee-hangup.xml' });
    assertSucceeded(uas);
    assertSucceeded(uac);
    assert.equal(uac.captured.bye_reason, '');
    assert.match(uac.messages, /^BYE sip:sipp@127\.0\.0\.2:\d+;transport=UDP SIP\/2\.0\r?$/m);
  });

  it('uac-cancel ↔ uas-no-answer: CANCEL, 200, 487, ACK', async () => {
    const { uas, uac } = await pair({ uas: 'uas-no-answer.xml', uac: 'uac-cancel.xml' });
    assertSucceeded(uas);
    assertSucceeded(uac);
    assert.match(uac.messages, /SIP\/2\.0 487 Request Terminated/);
    assert.equal(uas.captured.cancel_reason, '');
  });

  for (const [uasScenario, status, phrase] of [
    ['uas-busy.xml', '486', 'Busy Here'],
    ['uas-decline.xml', '603', 'Decline'],
    ['uas-not-found.xml', '404', 'Not Found'],
  ] as const) {
    it(`uac-rejected ↔ ${uasScenario}: ${status} ${phrase}`, async () => {
      const { uas, uac } = await pair({ uas: uasScenario, uac: 'uac-rejected.xml' });
      assertSucceeded(uas);
      assertSucceeded(uac);
      assert.equal(uac.captured.status, status);
      assert.equal(uac.captured.phrase, phrase);
    });
  }

  it('uac-rejected ↔ uas-reject: 480 as written, 408 after a rewrite', async () => {
    const asWritten = await pair({ uas: 'uas-reject.xml', uac: 'uac-rejected.xml' });
    assertSucceeded(asWritten.uac);
    assert.equal(asWritten.uac.captured.status, '480');
    assert.equal(asWritten.uac.captured.phrase, 'Temporarily Unavailable');
    const timeout = await pair({
      uas: 'uas-reject.xml',
      uac: 'uac-rejected.xml',
      rewriteUas: (text) => text.replace(/^( +)SIP.2.0 480 .*$/m, '$1SIP/2.0 408 Request Timeout'),
    });
    assertSucceeded(timeout.uac);
    assert.equal(timeout.uac.captured.status, '408');
    assert.equal(timeout.uac.captured.status_line, 'SIP/2.0 408 Request Timeout');
  });

  it('uac-call (with ICE added) ↔ uas-answer-ice', async () => {
    const { uas, uac: caller } = await pair({
      uas: 'uas-answer-ice.xml',
      uac: 'uac-call.xml',
      rewriteUac: (text) =>
        text.replace(
          'a=sendrecv\n',
          'a=sendrecv\n      a=ice-ufrag:8hhy\n      a=ice-pwd:asd88fgpdd777uzjYhagZg\n' +
            '      a=candidate:1 1 UDP 2130706431 [media_ip] 40002 typ host\n',
        ),
    });
    assertSucceeded(uas);
    assertSucceeded(caller);
    assert.equal(uas.captured.ice_ufrag, '8hhy');
    assert.equal(uas.captured.candidate, '1 1 UDP 2130706431 127.0.0.2 40002 typ host');
    assert.match(
      caller.messages,
      /m=audio 40000 UDP\/TLS\/RTP\/SAVP 0\r\n[\s\S]*a=ice-ufrag:SIPp\r\na=ice-pwd:sippIcePasswordForTests0\r\n/,
    );
  });

  it('uac-founding-xtls (fingerprint moved to media level) ↔ uas-capneg-acfg: acfg, then the second offer', async () => {
    // The S1 offer has its setup and fingerprint at session level with "fingerprint: SHA-1";
    // uas-capneg-acfg expects the gateway's normalised media-level form (spec 2.6).
    const { uas, uac: caller } = await pair({
      uas: 'uas-capneg-acfg.xml',
      uac: 'uac-founding-xtls.xml',
      rewriteUac: (text) =>
        text
          .replaceAll(`      a=setup:actpass\n      a=fingerprint: SHA-1 ${FP1}\n`, '')
          .replaceAll(
            '      a=sendrecv\n',
            `      a=sendrecv\n      a=setup:actpass\n      a=fingerprint:sha-1 ${FP1}\n      a=tls-id:abcdefghijklmnopqrstuvwxyz\n`,
          ),
    });
    assertSucceeded(uas);
    assertSucceeded(caller);
    assert.equal(uas.captured.plain_proto, 'RTP/AVP');
    assert.equal(uas.captured.secure_proto, 'UDP/TLS/RTP/SAVP');
    assert.equal(uas.captured.offer_fingerprint, `sha-1 ${FP1}`);
    assert.equal(uas.captured.reoffer_fingerprint, `sha-1 ${FP1}`);
    assert.equal(uas.captured.reoffer_proto, 'UDP/TLS/RTP/SAVP');
    assert.equal(uas.captured.tls_id, 'abcdefghijklmnopqrstuvwxyz');
    assert.equal(caller.captured.answer_setup, 'passive');
    assert.equal(caller.captured.reoffer_answer_setup, 'passive');
    assert.equal(caller.captured.answer_fingerprint, FP256B_ANSWER);
    assert.equal(caller.captured.answer_tls_id, 'SIPpAnswerTlsId0000000001');
  });

  for (const [uacScenario, status, phrase, header] of [
    ['uac-no-body.xml', '488', 'Not Acceptable Here', 'Warning: 399 sip.gw.example "offerless INVITE not supported"'],
    ['uac-text-plain.xml', '415', 'Unsupported Media Type', 'Accept: application/sdp'],
    ['uac-tel.xml', '416', 'Unsupported URI Scheme', 'Accept: application/sdp'],
  ] as const) {
    it(`${uacScenario} ↔ a rejecting UAS: ${status}`, async () => {
      const { uac } = await pair({
        uas: 'uas-reject.xml',
        uac: uacScenario,
        rewriteUas: (text) =>
          text
            .replace(/^( +)SIP.2.0 480 .*$/m, `$1SIP/2.0 ${status} ${phrase}`)
            .replace(/( {6}Contact: <sip:sipp@.*\n)( {6}Content-Length: 0\n)/, `$1      ${header}\n$2`),
      });
      assertSucceeded(uac);
    });
  }
});

describe('SIPp checks catch a broken mapping', { concurrency: true }, () => {
  it('uas-answer fails on an offer without a=fingerprint', async () => {
    const { uas } = await pair({
      uas: 'uas-answer.xml',
      uac: 'uac-call.xml',
      rewriteUac: (text) => text.replace(/^ {6}a=fingerprint:.*\n/m, ''),
    });
    assert.equal(uas.exitCode, 1, describeSippResult(uas));
    assert.match(uas.errors, /a=fingerprint/);
  });

  it('uac-call fails on an answer with a=setup:actpass', async () => {
    const { uac } = await pair({
      uas: 'uas-answer.xml',
      uac: 'uac-call.xml',
      rewriteUas: (text) => text.replace('a=setup:[$answer_setup]', 'a=setup:actpass'),
    });
    assert.equal(uac.exitCode, 1, describeSippResult(uac));
    assert.match(uac.errors, /actpass/);
  });

  it('uas-answer fails on an offer whose c= is 0.0.0.0 (spec §10)', async () => {
    const { uas } = await pair({
      uas: 'uas-answer.xml',
      uac: 'uac-call.xml',
      rewriteUac: (text) => text.replace('c=IN IP[media_ip_type] [media_ip]', 'c=IN IP4 0.0.0.0'),
    });
    assert.equal(uas.exitCode, 1, describeSippResult(uas));
  });
});
