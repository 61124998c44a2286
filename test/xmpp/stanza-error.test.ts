import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { xml } from '@xmpp/component';
import { StanzaError } from '../../src/xmpp/port.ts';
import { buildErrorElement, buildIqError, buildIqResult, parseStanzaError } from '../../src/xmpp/stanza-error.ts';

describe('stanza errors', () => {
  it('builds condition, text and Jingle condition in RFC 6120 §8.3.2 order', () => {
    const el = buildErrorElement(
      new StanzaError('item-not-found', 'cancel', { jingle: 'unknown-session', text: 'gone' }),
    );
    assert.equal(
      el.toString(),
      '<error type="cancel"><item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/>' +
        '<text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas" xml:lang="en">gone</text>' +
        '<unknown-session xmlns="urn:xmpp:jingle:errors:1"/></error>',
    );
  });

  it('omits the text when the message is just the condition', () => {
    const el = buildErrorElement(new StanzaError('service-unavailable', 'cancel'));
    assert.equal(
      el.toString(),
      '<error type="cancel"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error>',
    );
  });

  it('replies to the sender from the addressed JID with the same id', () => {
    const request = xml('iq', { type: 'set', id: 'a1', from: 'u@example.test/r', to: 'x@gw.example.test' });
    assert.equal(
      buildIqResult(request).toString(),
      '<iq type="result" id="a1" to="u@example.test/r" from="x@gw.example.test"/>',
    );
    assert.equal(
      buildIqError(request, new StanzaError('bad-request', 'modify', { jingle: 'out-of-order' })).toString(),
      '<iq type="error" id="a1" to="u@example.test/r" from="x@gw.example.test"><error type="modify">' +
        '<bad-request xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><out-of-order xmlns="urn:xmpp:jingle:errors:1"/></error></iq>',
    );
  });

  it('parses condition, type, text and Jingle condition', () => {
    const stanza = xml(
      'iq',
      { type: 'error', id: 'a1' },
      xml(
        'error',
        { type: 'wait' },
        xml('text', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }, 'busy here'),
        xml('resource-constraint', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }),
        xml('tie-break', { xmlns: 'urn:xmpp:jingle:errors:1' }),
      ),
    );
    const error = parseStanzaError(stanza);
    assert.equal(error.condition, 'resource-constraint');
    assert.equal(error.type, 'wait');
    assert.equal(error.message, 'busy here');
    assert.equal(error.jingle, 'tie-break');
    assert.equal(error.stanza, stanza);
  });

  it('reads a missing or unknown condition as undefined-condition, an unknown type as cancel', () => {
    const unknown = parseStanzaError(
      xml(
        'iq',
        { type: 'error' },
        xml('error', { type: 'odd' }, xml('weird', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' })),
      ),
    );
    assert.equal(unknown.condition, 'undefined-condition');
    assert.equal(unknown.type, 'cancel');
    assert.equal(unknown.jingle, undefined);
    const missing = parseStanzaError(xml('iq', { type: 'error' }));
    assert.equal(missing.condition, 'undefined-condition');
  });
});
