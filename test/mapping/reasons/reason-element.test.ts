// X166 §7.4 <reason/> with the <sip-status/> extension [EXT, spec §0.3, §6.4].
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { xml, type Element } from '@xmpp/component';
import { buildReasonElement, parseReasonElement } from '../../../src/mapping/reasons/reason-element.ts';

/** Parses one XML element (with its subtree) the way the component's stream parser does. */
function parseXml(text: string): Element {
  const parser = new xml.Parser();
  let parsed: Element | undefined;
  parser.on('element', (el) => {
    parsed = el;
  });
  parser.write(`<wrap>${text}</wrap>`);
  if (parsed === undefined) throw new Error(`no element in ${text}`);
  return parsed;
}

const reasonIn = (jingle: Element): Element => {
  const reason = jingle.getChild('reason');
  if (reason === undefined) throw new Error('no <reason/>');
  return reason;
};

describe('buildReasonElement', () => {
  it('writes the spec §6.4 example exactly', () => {
    const el = buildReasonElement({
      reason: 'general-error',
      text: 'SIP 404 Not Found',
      sipStatus: { code: 404, phrase: 'Not Found' },
    });
    assert.equal(
      el.toString(),
      '<reason><general-error/><text>SIP 404 Not Found</text>' +
        '<sip-status xmlns="urn:jingle-sip-gateway:sip-status:0" code="404">Not Found</sip-status></reason>',
    );
  });
  it('writes a bare condition', () => {
    assert.equal(buildReasonElement({ reason: 'success' }).toString(), '<reason><success/></reason>');
  });
  it('puts the condition and <text/> in the enclosing jingle namespace', () => {
    const jingle = xml('jingle', { xmlns: 'urn:xmpp:jingle:1' }, buildReasonElement({ reason: 'busy', text: 'x' }));
    const reason = reasonIn(jingle);
    assert.equal(reason.getChild('busy', 'urn:xmpp:jingle:1')?.getNS(), 'urn:xmpp:jingle:1');
    assert.equal(reason.getChild('text', 'urn:xmpp:jingle:1')?.text(), 'x');
  });
  it('writes the alternative session id', () => {
    assert.equal(
      buildReasonElement({ reason: 'alternative-session', alternativeSid: 'b84tkkwlmb48kgfb' }).toString(),
      '<reason><alternative-session><sid>b84tkkwlmb48kgfb</sid></alternative-session></reason>',
    );
  });
  it('escapes text content', () => {
    assert.equal(
      buildReasonElement({ reason: 'security-error', text: 'a<b & "c"' }).toString(),
      '<reason><security-error/><text>a&lt;b &amp; "c"</text></reason>',
    );
  });
});

describe('parseReasonElement', () => {
  it('reads condition, text and sip-status from a received session-terminate', () => {
    const jingle = parseXml(
      "<jingle xmlns='urn:xmpp:jingle:1' action='session-terminate' sid='a73sjjvkla37jfea'><reason>" +
        '<busy/><text>SIP 486 Busy Here</text>' +
        "<sip-status xmlns='urn:jingle-sip-gateway:sip-status:0' code='486'>Busy Here</sip-status></reason></jingle>",
    );
    assert.deepEqual(parseReasonElement(reasonIn(jingle)), {
      reason: 'busy',
      text: 'SIP 486 Busy Here',
      sipStatus: { code: 486, phrase: 'Busy Here' },
    });
  });
  it('reads <alternative-session><sid/></alternative-session>', () => {
    const jingle = parseXml(
      "<jingle xmlns='urn:xmpp:jingle:1'><reason><alternative-session><sid>b84tkkwlmb48kgfb</sid>" +
        '</alternative-session></reason></jingle>',
    );
    assert.deepEqual(parseReasonElement(reasonIn(jingle)), {
      reason: 'alternative-session',
      alternativeSid: 'b84tkkwlmb48kgfb',
    });
  });
  it('reads an unknown condition as general-error', () => {
    const jingle = parseXml("<jingle xmlns='urn:xmpp:jingle:1'><reason><out-of-cheese/></reason></jingle>");
    assert.deepEqual(parseReasonElement(reasonIn(jingle)), { reason: 'general-error' });
  });
  it('reads a reason without a condition as general-error', () => {
    const jingle = parseXml("<jingle xmlns='urn:xmpp:jingle:1'><reason><text>why</text></reason></jingle>");
    assert.deepEqual(parseReasonElement(reasonIn(jingle)), { reason: 'general-error', text: 'why' });
  });
  it('ignores children in foreign namespaces', () => {
    const jingle = parseXml(
      "<jingle xmlns='urn:xmpp:jingle:1'><reason><decline/><x xmlns='urn:example:other'/></reason></jingle>",
    );
    assert.deepEqual(parseReasonElement(reasonIn(jingle)), { reason: 'decline' });
  });
  it('reads an RTP <invalid-crypto/> without a condition as security-error', () => {
    const jingle = parseXml(
      "<jingle xmlns='urn:xmpp:jingle:1'><reason>" +
        "<invalid-crypto xmlns='urn:xmpp:jingle:apps:rtp:errors:1'/></reason></jingle>",
    );
    assert.deepEqual(parseReasonElement(reasonIn(jingle)), { reason: 'security-error' });
  });
  it('reads an RTP <crypto-required/> without a condition as security-error', () => {
    const jingle = parseXml(
      "<jingle xmlns='urn:xmpp:jingle:1'><reason>" +
        "<crypto-required xmlns='urn:xmpp:jingle:apps:rtp:errors:1'/></reason></jingle>",
    );
    assert.deepEqual(parseReasonElement(reasonIn(jingle)), { reason: 'security-error' });
  });
  it('ignores a sip-status with a malformed code', () => {
    const jingle = parseXml(
      "<jingle xmlns='urn:xmpp:jingle:1'><reason><gone/>" +
        "<sip-status xmlns='urn:jingle-sip-gateway:sip-status:0' code='4x4'>Gone</sip-status></reason></jingle>",
    );
    assert.deepEqual(parseReasonElement(reasonIn(jingle)), { reason: 'gone' });
  });
  it('round-trips what buildReasonElement writes, detached or inside <jingle/>', () => {
    const info = { reason: 'timeout', text: 'SIP 408', sipStatus: { code: 408, phrase: 'Request Timeout' } } as const;
    assert.deepEqual(parseReasonElement(buildReasonElement(info)), info);
    const jingle = parseXml(xml('jingle', { xmlns: 'urn:xmpp:jingle:1' }, buildReasonElement(info)).toString());
    assert.deepEqual(parseReasonElement(reasonIn(jingle)), info);
  });
});
