import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { xml } from '@xmpp/component';
import { buildJmiFinish, buildJmiPropose, buildJmiRetract, parseJmiMessage } from '../../src/xmpp/jmi.ts';

const NS = 'urn:xmpp:jingle-message:0';
const addressing = { from: 'alice\\40pbx.example@gw.example/sip', to: 'juliet@capulet.lit', id: 'sid1' };

describe('XEP-0353 codec', () => {
  it('builds a propose with one description per medium and a store hint', () => {
    assert.equal(
      buildJmiPropose({ ...addressing, media: ['audio', 'video'] }).toString(),
      '<message type="chat" from="alice\\40pbx.example@gw.example/sip" to="juliet@capulet.lit" id="sid1">' +
        '<propose xmlns="urn:xmpp:jingle-message:0" id="sid1">' +
        '<description xmlns="urn:xmpp:jingle:apps:rtp:1" media="audio"/>' +
        '<description xmlns="urn:xmpp:jingle:apps:rtp:1" media="video"/>' +
        '</propose><store xmlns="urn:xmpp:hints"/></message>',
    );
  });

  it('builds retract and finish with a namespaced reason', () => {
    assert.equal(
      buildJmiRetract({ ...addressing, reason: 'cancel' }).toString(),
      '<message type="chat" from="alice\\40pbx.example@gw.example/sip" to="juliet@capulet.lit" id="retract-sid1">' +
        '<retract xmlns="urn:xmpp:jingle-message:0" id="sid1"><reason xmlns="urn:xmpp:jingle:1"><cancel/></reason></retract>' +
        '<store xmlns="urn:xmpp:hints"/></message>',
    );
    assert.equal(
      buildJmiFinish({ ...addressing, to: 'juliet@capulet.lit/balcony', reason: 'success', text: 'BYE' }).toString(),
      '<message type="chat" from="alice\\40pbx.example@gw.example/sip" to="juliet@capulet.lit/balcony" id="finish-sid1">' +
        '<finish xmlns="urn:xmpp:jingle-message:0" id="sid1"><reason xmlns="urn:xmpp:jingle:1"><success/><text>BYE</text></reason></finish>' +
        '<store xmlns="urn:xmpp:hints"/></message>',
    );
  });

  it('round-trips its own messages', () => {
    assert.deepEqual(parseJmiMessage(buildJmiPropose({ ...addressing, media: ['audio'] })), {
      kind: 'propose',
      id: 'sid1',
      media: ['audio'],
    });
    assert.deepEqual(parseJmiMessage(buildJmiRetract({ ...addressing, reason: 'timeout' })), {
      kind: 'retract',
      id: 'sid1',
      reason: 'timeout',
    });
  });

  it('parses ringing, proceed and accept', () => {
    for (const kind of ['ringing', 'proceed', 'accept'] as const) {
      assert.deepEqual(
        parseJmiMessage(xml('message', { from: 'juliet@capulet.lit/balcony' }, xml(kind, { xmlns: NS, id: 'sid1' }))),
        {
          kind,
          id: 'sid1',
        },
      );
    }
  });

  it('parses a reject with its reason and text, and one without reason', () => {
    const busy = xml(
      'message',
      {},
      xml(
        'reject',
        { xmlns: NS, id: 'sid1' },
        xml('reason', { xmlns: 'urn:xmpp:jingle:1' }, xml('busy'), xml('text', {}, 'in a call')),
      ),
    );
    assert.deepEqual(parseJmiMessage(busy), { kind: 'reject', id: 'sid1', reason: 'busy', text: 'in a call' });
    assert.deepEqual(parseJmiMessage(xml('message', {}, xml('reject', { xmlns: NS, id: 'sid1' }))), {
      kind: 'reject',
      id: 'sid1',
    });
  });

  it('ignores messages without a JMI payload or id, other namespaces and error messages', () => {
    assert.equal(parseJmiMessage(xml('message', {}, xml('body', {}, 'hi'))), undefined);
    assert.equal(parseJmiMessage(xml('message', {}, xml('proceed', { xmlns: NS }))), undefined);
    assert.equal(
      parseJmiMessage(xml('message', {}, xml('proceed', { xmlns: 'urn:xmpp:jingle-message:1', id: 'x' }))),
      undefined,
    );
    assert.equal(parseJmiMessage(xml('message', { type: 'error' }, xml('proceed', { xmlns: NS, id: 'x' }))), undefined);
  });
});
