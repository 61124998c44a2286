// RFC 3326 §2 Reason header: writing it on BYE/CANCEL and reading it from the SIP side (§6.4).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSipReasonHeader, parseSipReasonHeader } from '../../../src/mapping/reasons/reason-header.ts';

describe('formatSipReasonHeader', () => {
  it('writes cause and quoted text', () => {
    assert.equal(formatSipReasonHeader(486, 'busy'), 'SIP ;cause=486 ;text="busy"');
  });
  it('writes cause alone without text', () => {
    assert.equal(formatSipReasonHeader(488), 'SIP ;cause=488');
  });
  it('escapes " and \\ in the text', () => {
    assert.equal(formatSipReasonHeader(500, 'a "b" \\c'), 'SIP ;cause=500 ;text="a \\"b\\" \\\\c"');
  });
});

describe('parseSipReasonHeader', () => {
  it('reads the RFC 3326 form', () => {
    assert.deepEqual(parseSipReasonHeader('SIP ;cause=486 ;text="Busy Here"'), { cause: 486, text: 'Busy Here' });
  });
  it('tolerates spacing variants', () => {
    assert.deepEqual(parseSipReasonHeader('SIP;cause=486;text="Busy Here"'), { cause: 486, text: 'Busy Here' });
    assert.deepEqual(parseSipReasonHeader('  SIP ; cause = 486 ; text = "Busy Here" '), {
      cause: 486,
      text: 'Busy Here',
    });
  });
  it('is case-insensitive in protocol and parameter names', () => {
    assert.deepEqual(parseSipReasonHeader('sip ;Cause=603 ;TEXT="Decline"'), { cause: 603, text: 'Decline' });
  });
  it('accepts an unquoted text token', () => {
    assert.deepEqual(parseSipReasonHeader('SIP ;cause=480 ;text=Unavailable'), { cause: 480, text: 'Unavailable' });
  });
  it('omits text when there is none', () => {
    assert.deepEqual(parseSipReasonHeader('SIP ;cause=408'), { cause: 408 });
  });
  it('resolves quoted-pairs and keeps ; and , inside quotes', () => {
    assert.deepEqual(parseSipReasonHeader('SIP ;cause=500 ;text="a \\"b\\"; c, d"'), {
      cause: 500,
      text: 'a "b"; c, d',
    });
  });
  it('takes the SIP reason among comma-separated reasons, ignoring Q.850', () => {
    assert.deepEqual(parseSipReasonHeader('Q.850 ;cause=17 ;text="User busy", SIP ;cause=486 ;text="Busy Here"'), {
      cause: 486,
      text: 'Busy Here',
    });
  });
  it('returns undefined for Q.850 only, a missing cause, or a non-numeric cause', () => {
    assert.equal(parseSipReasonHeader('Q.850 ;cause=16'), undefined);
    assert.equal(parseSipReasonHeader('SIP ;text="no cause"'), undefined);
    assert.equal(parseSipReasonHeader('SIP ;cause=abc'), undefined);
    assert.equal(parseSipReasonHeader(''), undefined);
  });
});
