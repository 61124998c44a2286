import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { xml } from '@xmpp/component';
import { answerIqRequest, refusalForDroppedStanza } from '../../src/xmpp/iq-router.ts';
import { StanzaError, type IqHandler } from '../../src/xmpp/port.ts';

const request = () =>
  xml('iq', { type: 'set', id: 'r1', from: 'u@example.test/r', to: 'x@gw.example' }, xml('q', { xmlns: 'urn:t' }));

describe('answerIqRequest', () => {
  it('tries handlers in order and answers with the first that takes the IQ', async () => {
    const calls: string[] = [];
    const handlers: IqHandler[] = [
      () => {
        calls.push('first');
        return Promise.resolve(false);
      },
      () => {
        calls.push('second');
        return Promise.resolve(xml('answer', { xmlns: 'urn:t' }));
      },
      () => {
        calls.push('third');
        return Promise.resolve(undefined);
      },
    ];
    const reply = await answerIqRequest(request(), handlers, () => undefined);
    assert.deepEqual(calls, ['first', 'second']);
    assert.equal(
      reply.toString(),
      '<iq type="result" id="r1" to="u@example.test/r" from="x@gw.example"><answer xmlns="urn:t"/></iq>',
    );
  });

  it('answers a thrown StanzaError with that error', async () => {
    const reply = await answerIqRequest(
      request(),
      [() => Promise.reject(new StanzaError('not-acceptable', 'modify', { jingle: 'tie-break' }))],
      () => undefined,
    );
    assert.equal(
      reply.getChild('error')?.toString(),
      '<error type="modify"><not-acceptable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><tie-break xmlns="urn:xmpp:jingle:errors:1"/></error>',
    );
  });

  it('answers internal-server-error for a handler bug and reports it', async () => {
    const bugs: unknown[] = [];
    const bug = new Error('boom');
    const reply = await answerIqRequest(request(), [() => Promise.reject(bug)], (err) => bugs.push(err));
    assert.deepEqual(bugs, [bug]);
    assert.ok(reply.getChild('error')?.getChild('internal-server-error', 'urn:ietf:params:xml:ns:xmpp-stanzas'));
  });

  it('answers service-unavailable when nobody takes it, bad-request without exactly one payload', async () => {
    const nobody = await answerIqRequest(request(), [() => Promise.resolve(false)], () => undefined);
    assert.ok(nobody.getChild('error')?.getChild('service-unavailable', 'urn:ietf:params:xml:ns:xmpp-stanzas'));
    const empty = await answerIqRequest(xml('iq', { type: 'get', id: 'e' }), [], () => undefined);
    assert.ok(empty.getChild('error')?.getChild('bad-request', 'urn:ietf:params:xml:ns:xmpp-stanzas'));
  });
});

describe('refusalForDroppedStanza', () => {
  const limits = { maxStanzaBytes: 1000, maxDepth: 10 };

  it('answers a dropped IQ request with policy-violation, entities in the JIDs decoded', () => {
    const refusal = refusalForDroppedStanza(
      { reason: 'size', startTag: "<iq type='set' id='big' from='o&apos;hara@example.test/r' to='x@gw.example'>" },
      limits,
    );
    assert.equal(
      refusal?.toString(),
      '<iq type="error" id="big" to="o&apos;hara@example.test/r" from="x@gw.example"><error type="modify">' +
        '<policy-violation xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/>' +
        '<text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas" xml:lang="en">stanza larger than 1000 bytes</text></error></iq>',
    );
  });

  it('stays silent for messages, IQ results, and unknown start tags', () => {
    for (const startTag of ["<message from='a@b' id='m'>", "<iq type='result' id='r' from='a@b'>", undefined]) {
      assert.equal(refusalForDroppedStanza({ reason: 'depth', startTag }, limits), undefined);
    }
  });
});
