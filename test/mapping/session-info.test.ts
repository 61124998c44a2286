// Spec §6.2: session-info payloads [X166 §6.8; X167 §8].
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { xml, type Element } from '@xmpp/component';
import { NS_RTP_INFO, NS_RTP_INFO_LEGACY, classifySessionInfo, endsHold } from '../../src/mapping/session-info.ts';

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

const sessionInfo = (payload: string): Element =>
  parseXml(
    `<jingle xmlns='urn:xmpp:jingle:1' action='session-info' initiator='romeo@montague.lit/orchard' ` +
      `sid='a73sjjvkla37jfea'>${payload}</jingle>`,
  );

describe('classifySessionInfo', () => {
  it('uses the X167 §16.3 output namespace', () => {
    assert.equal(NS_RTP_INFO, 'urn:xmpp:jingle:apps:rtp:info:1');
    assert.equal(NS_RTP_INFO_LEGACY, 'urn:xmpp:jingle:apps:rtp:1:info');
  });
  for (const kind of ['ringing', 'hold', 'unhold', 'active', 'mute', 'unmute'] as const) {
    it(`<${kind}/> → ${kind}`, () => {
      assert.equal(classifySessionInfo(sessionInfo(`<${kind} xmlns='${NS_RTP_INFO}'/>`)), kind);
    });
    it(`<${kind}/> in the legacy namespace → ${kind}`, () => {
      assert.equal(classifySessionInfo(sessionInfo(`<${kind} xmlns='${NS_RTP_INFO_LEGACY}'/>`)), kind);
    });
  }
  it("<mute creator='initiator' name='voice'/> → mute (assertion 97)", () => {
    assert.equal(
      classifySessionInfo(sessionInfo(`<mute xmlns='${NS_RTP_INFO}' creator='initiator' name='voice'/>`)),
      'mute',
    );
  });
  it('empty session-info → ping (assertion 102)', () => {
    assert.equal(classifySessionInfo(sessionInfo('')), 'ping');
  });
  it('unknown payload → unsupported (assertion 102)', () => {
    assert.equal(classifySessionInfo(sessionInfo("<foo xmlns='urn:example:foo'/>")), 'unsupported');
  });
  it('unknown name in the RTP info namespace → unsupported', () => {
    assert.equal(classifySessionInfo(sessionInfo(`<dance xmlns='${NS_RTP_INFO}'/>`)), 'unsupported');
  });
  it('a known name outside the RTP info namespaces → unsupported', () => {
    assert.equal(classifySessionInfo(sessionInfo('<ringing/>')), 'unsupported');
  });
  it('works on an element built with xml()', () => {
    const built = xml('jingle', { xmlns: 'urn:xmpp:jingle:1' }, xml('hold', { xmlns: NS_RTP_INFO }));
    assert.equal(classifySessionInfo(built), 'hold');
  });
});

describe('endsHold', () => {
  it('is true for unhold and active only', () => {
    assert.equal(endsHold('unhold'), true);
    assert.equal(endsHold('active'), true);
    assert.equal(endsHold('hold'), false);
    assert.equal(endsHold('mute'), false);
  });
});
