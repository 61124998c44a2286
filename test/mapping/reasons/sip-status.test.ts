import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatSipWarning,
  sipQuotedString,
  sipReasonPhrase,
  sipStatus,
} from '../../../src/mapping/reasons/sip-status.ts';

describe('SIP reason phrases (RFC 3261 §21)', () => {
  it('gives the standard phrases', () => {
    assert.equal(sipReasonPhrase(486), 'Busy Here');
    assert.equal(sipReasonPhrase(603), 'Decline');
    assert.equal(sipReasonPhrase(480), 'Temporarily Unavailable');
    assert.equal(sipReasonPhrase(408), 'Request Timeout');
    assert.equal(sipReasonPhrase(488), 'Not Acceptable Here');
    assert.equal(sipReasonPhrase(500), 'Server Internal Error');
    assert.equal(sipReasonPhrase(469), 'Bad Info Package');
  });
  it('falls back to the class phrase for an unknown code', () => {
    assert.equal(sipReasonPhrase(499), 'Bad Request');
    assert.equal(sipReasonPhrase(599), 'Server Internal Error');
  });
  it('pairs code and phrase', () => {
    assert.deepEqual(sipStatus(404), { code: 404, phrase: 'Not Found' });
  });
});

describe('Warning header value (RFC 3261 §20.43)', () => {
  it('formats <code> <host> "<text>"', () => {
    assert.equal(
      formatSipWarning({ code: 399, text: 'offerless INVITE not supported' }, 'sip.gw.example'),
      '399 sip.gw.example "offerless INVITE not supported"',
    );
  });
  it('escapes " and \\', () => {
    assert.equal(
      formatSipWarning({ code: 399, text: 'bad "x" \\ y' }, 'sip.gw.example'),
      '399 sip.gw.example "bad \\"x\\" \\\\ y"',
    );
  });
  it('never lets text start a new header line', () => {
    assert.equal(sipQuotedString('a\r\nVia: evil'), '"a  Via: evil"');
  });
});
