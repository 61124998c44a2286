/** The offline `translate` command: outputs, exit codes and messages (issue: mapping core, item 8). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

const root = new URL('../../', import.meta.url).pathname;
const bin = `${root}bin/jingle-sip-gateway`;
const run = (args: string[], input?: string, env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    input,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
  });

describe('jingle-sip-gateway translate', () => {
  it('translates the founding XTLS example to the capneg offer with CRLF lines', () => {
    const r = run(['translate', '--from', 'jingle', '--deterministic', 'examples/founding-xtls.xml']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^m=audio 13540 RTP\/AVP 0\r$/m);
    assert.match(r.stdout, /^a=fingerprint:sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB\r$/m);
    assert.match(r.stdout, /^a=tcap:1 UDP\/TLS\/RTP\/SAVP RTP\/AVP\r\na=pcfg:1 t=1\r$/m);
  });
  it('honours GW_* environment knobs and --set, flags winning', () => {
    const env = run(['translate', '--from', 'jingle', 'examples/founding-xtls.xml'], undefined, {
      GW_SDP_XTLS_OFFER: 'direct',
      GW_XTLS_OFFER_SETUP: 'actpass',
    });
    assert.equal(env.status, 0, env.stderr);
    assert.match(env.stdout, /^m=audio 13540 UDP\/TLS\/RTP\/SAVP 0\r$/m);
    assert.match(env.stdout, /^a=setup:actpass\r$/m);
    const flag = run(
      ['translate', '--from', 'jingle', '--set', 'sdp.xtlsOffer=capneg', 'examples/founding-xtls.xml'],
      undefined,
      {
        GW_SDP_XTLS_OFFER: 'direct',
      },
    );
    assert.match(flag.stdout, /^a=pcfg:1 t=1\r$/m);
  });
  it('rejects the founding placeholder fingerprint with code, condition and status, exit 1', () => {
    const xml = run(['translate', '--from', 'jingle', 'examples/founding-xtls-placeholder.xml']);
    assert.equal(xml.status, 1);
    assert.match(xml.stderr, /^error: fingerprint-syntax: /m);
    assert.match(xml.stderr, /xmpp: IQ error bad-request \(cancel\)/);
    assert.match(xml.stderr, /sip: {2}488 Not Acceptable Here, Warning: 399/);
  });
  it('reads SDP from standard input and a whole SIP message, sid from the Call-ID', () => {
    const r = run(['translate', '--from', 'sdp', '--deterministic', '../shared/vectors/baresip-invite-dtls.txt']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /sid="58d1821119065afc"/);
    assert.match(r.stdout, /initiator="alice\\40127\.0\.0\.1@gw\.example\/sip"/);
    assert.match(r.stdout, /<fingerprint xmlns="urn:xmpp:jingle:apps:dtls:0" hash="sha-256" setup="actpass">A5:7B/);
    const stdin = run(
      ['translate', '--from', 'sdp'],
      'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8\r\n',
    );
    assert.equal(stdin.status, 0, stdin.stderr);
    assert.match(stdin.stdout, /<payload-type id="8" name="PCMA" clockrate="8000"\/>/);
  });
  it('answers need --answer-to; with it, a session-accept becomes the SDP answer with a=acfg', () => {
    assert.equal(run(['translate', '--from', 'jingle', 'test/golden/s1-jul-accept.jingle.xml']).status, 2);
    const r = run([
      'translate',
      '--from',
      'jingle',
      '--answer-to',
      'test/golden/s1-to-jul.sdp',
      'test/golden/s1-jul-accept.jingle.xml',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^a=acfg:1 t=1\r$/m);
    const sdp = run([
      'translate',
      '--from',
      'sdp',
      '--second-offer',
      '--answer-to',
      'test/golden/j2-founding-xtls.jingle.xml',
      'test/golden/j2-answer-acfg.sdp',
    ]);
    assert.equal(sdp.status, 0, sdp.stderr);
    assert.match(sdp.stdout, /<fingerprint algo="sha-256">BD:E8/);
    assert.match(sdp.stdout, /^m=audio 13540 UDP\/TLS\/RTP\/SAVP 0\r$/m);
  });
  it('usage and configuration errors exit 2 with every problem listed', () => {
    assert.equal(run(['translate']).status, 2);
    assert.equal(run(['frobnicate']).status, 2);
    const bad = run(
      ['translate', '--from', 'jingle', '--set', 'sdp.xtlsOffer=sideways', 'examples/founding-xtls.xml'],
      undefined,
      {
        GW_XTLS_OFFER_SETUPP: 'active',
      },
    );
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /sdp\.xtlsOffer/);
    assert.match(bad.stderr, /GW_XTLS_OFFER_SETUPP/);
  });
});
