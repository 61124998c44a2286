import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { xml } from '@xmpp/component';
import { IqTracker } from '../../src/xmpp/iq-tracker.ts';
import { IqTimeoutError, StanzaError, XmppOfflineError } from '../../src/xmpp/port.ts';

describe('IqTracker', () => {
  it('resolves with the result from the addressee, matching local part and domain case-insensitively', async () => {
    const tracker = new IqTracker();
    const answer = tracker.expect('q1', 'Juliet@Capulet.lit/balcony', 1000);
    const result = xml('iq', { type: 'result', id: 'q1', from: 'juliet@capulet.lit/balcony' });
    assert.equal(tracker.settle(result), 'settled');
    assert.equal(await answer, result);
    assert.equal(tracker.size, 0);
  });

  it('ignores an answer with the right id from someone else', async () => {
    const tracker = new IqTracker();
    const answer = tracker.expect('q2', 'juliet@capulet.lit/balcony', 1000);
    assert.equal(tracker.settle(xml('iq', { type: 'result', id: 'q2', from: 'romeo@montague.lit/x' })), 'wrong-sender');
    assert.equal(
      tracker.settle(xml('iq', { type: 'result', id: 'q2', from: 'juliet@capulet.lit/Balcony' })),
      'wrong-sender',
    );
    assert.equal(
      tracker.settle(xml('iq', { type: 'result', id: 'other', from: 'juliet@capulet.lit/balcony' })),
      'unknown-id',
    );
    assert.equal(tracker.size, 1);
    tracker.settle(xml('iq', { type: 'result', id: 'q2', from: 'juliet@capulet.lit/balcony' }));
    await answer;
  });

  it('rejects with the parsed StanzaError', async () => {
    const tracker = new IqTracker();
    const answer = tracker.expect('q3', 'capulet.lit', 1000);
    tracker.settle(
      xml(
        'iq',
        { type: 'error', id: 'q3', from: 'capulet.lit' },
        xml('error', { type: 'cancel' }, xml('item-not-found', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' })),
      ),
    );
    await assert.rejects(answer, (err) => err instanceof StanzaError && err.condition === 'item-not-found');
  });

  it('times out with IqTimeoutError and forgets the id', async () => {
    const tracker = new IqTracker();
    await assert.rejects(
      tracker.expect('q4', 'a@b/c', 5),
      (err) => err instanceof IqTimeoutError && err.timeoutMs === 5,
    );
    assert.equal(tracker.size, 0);
  });

  it('rejects everything pending on rejectAll', async () => {
    const tracker = new IqTracker();
    const first = tracker.expect('a', 'a@b/c', 1000);
    const second = tracker.expect('b', 'a@b/c', 1000);
    tracker.rejectAll(new XmppOfflineError());
    await assert.rejects(first, XmppOfflineError);
    await assert.rejects(second, XmppOfflineError);
    assert.equal(tracker.size, 0);
  });

  it('refuses a duplicate id', async () => {
    const tracker = new IqTracker();
    const first = tracker.expect('dup', 'a@b/c', 1000);
    await assert.rejects(tracker.expect('dup', 'a@b/c', 1000), /already pending/);
    tracker.cancel('dup');
    assert.equal(tracker.size, 0);
    void first.catch(() => undefined);
  });
});
