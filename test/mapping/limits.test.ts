import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { potentialConfigurations } from '../../src/mapping/capneg/index.ts';
import { findJingle, parseXmlElement } from '../../src/mapping/jingle/xml.ts';
import { checkJingleLimits, mediaLimits } from '../../src/mapping/limits.ts';
import { splitSdp } from '../../src/mapping/sdp/lines.ts';
import { inviteHandler } from '../../src/session/router.ts';
import { FakeIncomingInvite, fakeContext, inviteRequest } from '../session/fakes.ts';
import { throwsCode } from '../helpers/jingle-fixtures.ts';

const goldenDir = new URL('../golden/', import.meta.url);
const vectorsDir = new URL('../../../shared/vectors/', import.meta.url);

const head = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n';
const fingerprint =
  'a=fingerprint:sha-256 02:1A:CC:54:27:AB:EB:9C:53:3F:3E:4B:65:2E:7D:46:3F:54:42:CD:54:F1:7A:03:A2:7D:F9:B0:7F:46:19:B2\r\n';
const candidate = (i: number) => `a=candidate:${String(i)} 1 udp 1 192.0.2.1 ${String(10000 + i)} typ host\r\n`;
const repeat = (n: number, make: (i: number) => string) => Array.from({ length: n }, (_, i) => make(i)).join('');
const audio = (extra = '', formats = '0') => `m=audio 4000 RTP/AVP ${formats}\r\n${extra}`;

describe('SDP limits (src/mapping/limits.ts)', () => {
  it('leaves every golden SDP and captured vector far below every limit', () => {
    const files = [
      ...readdirSync(goldenDir)
        .filter((f) => f.endsWith('.sdp'))
        .map((f) => new URL(f, goldenDir)),
      ...readdirSync(vectorsDir)
        .filter((f) => f.endsWith('.txt'))
        .map((f) => new URL(f, vectorsDir)),
    ];
    assert.ok(files.length > 40);
    for (const file of files) {
      // A capture may be a whole SIP message: its body starts at v=0.
      const raw = readFileSync(file, 'utf8');
      const text = raw.slice(raw.search(/^v=0/m));
      assert.doesNotThrow(() => splitSdp(text), file.pathname);
    }
  });

  it('accepts each count at its limit', () => {
    assert.doesNotThrow(() => splitSdp(head + repeat(16, () => audio())));
    assert.doesNotThrow(() => splitSdp(head + audio(repeat(32, candidate) + repeat(8, () => fingerprint))));
    assert.doesNotThrow(() => splitSdp(head + audio('', repeat(64, (i) => `${String(i)} `).trim())));
  });

  it('refuses 17 m-lines', () => {
    throwsCode(() => splitSdp(head + repeat(17, () => audio())), 'sdp-limit', 'more than 16 m-lines');
  });

  it('refuses 33 candidates in one m-line', () => {
    throwsCode(
      () => splitSdp(head + audio() + audio(repeat(33, candidate))),
      'sdp-limit',
      'more than 32 candidates in m-line 2',
    );
  });

  it('refuses 9 fingerprints in an m-line or at session level', () => {
    throwsCode(() => splitSdp(head + audio(repeat(9, () => fingerprint))), 'sdp-limit', 'more than 8 fingerprints');
    throwsCode(() => splitSdp(head + repeat(9, () => fingerprint) + audio()), 'sdp-limit', 'session-level');
  });

  it('refuses 65 formats on one m= line', () => {
    throwsCode(
      () => splitSdp(head + audio('', repeat(65, (i) => `${String(i)} `).trim())),
      'sdp-limit',
      'more than 64 formats',
    );
  });

  it('refuses an SDP larger than 64 KiB before splitting it', () => {
    const padded = head + audio(`a=x-pad:${'p'.repeat(mediaLimits.maxBytes)}\r\n`);
    throwsCode(() => splitSdp(padded), 'sdp-limit', 'more than 65536 characters');
  });

  it('refuses more than 32 RFC 5939 potential configurations in one m-line', () => {
    const tcaps = `a=tcap:1 ${repeat(33, () => 'RTP/AVP ').trim()}\r\n`;
    const at = (n: number) =>
      splitSdp(head + audio(`${tcaps}a=pcfg:1 t=${repeat(n, (i) => `${String(i + 1)}|`).slice(0, -1)}\r\n`));
    assert.equal(potentialConfigurations(at(32), 0).length, 32);
    throwsCode(() => potentialConfigurations(at(33), 0), 'sdp-limit', 'more than 32 potential configurations');
  });

  it('answers an INVITE with 17 m-lines 488 with a Warning, before any Jingle stanza', () => {
    const f = fakeContext();
    const invite = new FakeIncomingInvite(
      inviteRequest('sip:juliet%40capulet.lit%2Fbalcony@sip.gw.example', head + repeat(17, () => audio())),
    );
    inviteHandler(f.ctx)(invite);
    assert.equal(invite.final?.status, 488);
    assert.equal(invite.final.headers?.Warning, '399 sip.gw.example "SDP has more than 16 m-lines"');
    assert.deepEqual(f.xmpp.sent, []);
    assert.deepEqual(f.observed.errors, ['sdp-limit']);
  });
});

describe('Jingle limits (src/mapping/limits.ts)', () => {
  it('leaves every golden Jingle stanza below every limit', () => {
    const files = readdirSync(goldenDir).filter((f) => f.endsWith('.jingle.xml'));
    assert.ok(files.length > 40);
    for (const file of files) {
      const jingle = findJingle(parseXmlElement(readFileSync(new URL(file, goldenDir), 'utf8')));
      assert.doesNotThrow(() => {
        checkJingleLimits(jingle);
      }, file);
    }
  });

  it('counts fingerprints anywhere in a content (legacy <encryption/>, XTLS <security/>)', () => {
    const fps = repeat(9, () => '<fingerprint/>');
    const jingle = parseXmlElement(
      `<jingle xmlns='urn:xmpp:jingle:1'><content name='a'><description><encryption>${fps}</encryption></description></content></jingle>`,
    );
    throwsCode(
      () => {
        checkJingleLimits(jingle);
      },
      'jingle-limit',
      'more than 8 fingerprints in content a',
    );
  });

  it('stops measuring at the size limit', () => {
    const jingle = parseXmlElement(
      `<jingle xmlns='urn:xmpp:jingle:1'>${repeat(100, () => `<x a='${'v'.repeat(700)}'/>`)}</jingle>`,
      { maxBytes: 1024 * 1024 },
    );
    throwsCode(
      () => {
        checkJingleLimits(jingle);
      },
      'jingle-limit',
      'more than 65536 characters',
    );
  });
});
