/**
 * Self-test of the baresip harness against SIPp: baresip answers SIPp's DTLS offer (as the SIP
 * callee of the e2e tests), and calls a SIPp UAS (as a SIP caller), headless on loopback.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { baresipAccount, baresipConfig, killAllBaresip, startBaresip } from './baresip.ts';
import { freePort } from './ports.ts';
import { describeSippResult, killAllSipp, runSipp, startSipp } from './sipp.ts';

after(async () => {
  await killAllSipp();
  await killAllBaresip();
});

describe('baresip harness', () => {
  it('writes a headless configuration and an auto-answer account without registration', () => {
    const options = { sipAddress: { host: '127.0.0.1', port: 5300 }, medianat: 'ice', rtcpMux: true } as const;
    const config = baresipConfig(options).split('\n');
    for (const line of [
      'net_interface 127.0.0.1',
      'sip_listen 127.0.0.1:5300',
      'audio_source ausine,440',
      'audio_player aubridge,nil',
      'rtcp_mux yes',
      'module stdio.so',
      'module ice.so',
      'module dtls_srtp.so',
    ]) {
      assert.ok(config.includes(line), `missing "${line}" in\n${config.join('\n')}`);
    }
    assert.equal(
      baresipAccount(options),
      '<sip:baresip@127.0.0.1>;regint=0;answermode=auto;mediaenc=dtls_srtp;medianat=ice',
    );
  });

  it('answers SIPp uac-call with a=setup:active and its SHA-256 fingerprint (spec §10)', async () => {
    const phone = await startBaresip({
      sipAddress: { host: '127.0.0.1', port: await freePort('127.0.0.1', 'udp') },
      mediaenc: 'dtls_srtp',
    });
    try {
      const result = await runSipp({
        scenario: 'uac-call.xml',
        remote: phone.uri.slice('sip:baresip@'.length),
        local: { host: '127.0.0.2', port: await freePort('127.0.0.2', 'udp') },
        service: 'baresip',
        pauseMs: 200,
        timeoutMs: 8000,
      });
      assert.equal(result.exitCode, 0, `${describeSippResult(result)}\nbaresip:\n${phone.output()}`);
      assert.equal(result.captured.answer_setup, 'active');
      assert.match(result.captured.answer_fingerprint ?? '', /^SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      assert.equal(result.captured.proto, 'UDP/TLS/RTP/SAVP');
      await phone.waitForLine(/Call established: sip:alice@pbx\.example\.org/, 2000);
    } finally {
      await phone.stop();
    }
  });

  it('calls a SIPp UAS with its actpass DTLS offer and hangs up on command', async () => {
    const sippPort = await freePort('127.0.0.2', 'udp');
    const sipp = await startSipp({
      scenario: 'uas-answer.xml',
      local: { host: '127.0.0.2', port: sippPort },
      timeoutMs: 8000,
    });
    await sipp.ready;
    const phone = await startBaresip({
      sipAddress: { host: '127.0.0.1', port: await freePort('127.0.0.1', 'udp') },
    });
    try {
      const offset = phone.output().length;
      phone.dial(`sip:gateway@127.0.0.2:${String(sippPort)}`);
      await phone.waitForLine(/Call established/, 5000, offset);
      phone.hangup();
      const result = await sipp.done;
      assert.equal(result.exitCode, 0, `${describeSippResult(result)}\nbaresip:\n${phone.output()}`);
      assert.equal(result.captured.offer_setup, 'actpass');
      assert.equal(result.captured.proto, 'UDP/TLS/RTP/SAVPF');
      assert.match(result.captured.offer_fingerprint ?? '', /^SHA-256 /);
      assert.equal(result.captured.mid, '');
    } finally {
      await phone.stop();
      await sipp.kill();
    }
  });
});
