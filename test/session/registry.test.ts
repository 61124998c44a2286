import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Call } from '../../src/session/call.ts';
import { CallRegistry } from '../../src/session/registry.ts';

let next = 0;
function call(direction: 'xmpp-to-sip' | 'sip-to-xmpp', peerJid: string): Call {
  next += 1;
  return { direction, peerJid, callId: `call-${String(next)}@h`, sid: `sid${String(next)}` } as unknown as Call;
}

describe('CallRegistry', () => {
  it('counts the XMPP → SIP calls in progress per caller, case-insensitively and without the resource', () => {
    const registry = new CallRegistry();
    const a = call('xmpp-to-sip', 'Alice@Example.test/phone');
    const b = call('xmpp-to-sip', 'alice@example.test/laptop');
    const inbound = call('sip-to-xmpp', 'alice@example.test');
    for (const c of [a, b, inbound]) registry.add(c);
    assert.equal(registry.callsPlacedBy('alice@example.test'), 2);
    assert.equal(registry.callsPlacedBy('bob@example.test'), 0);
    registry.remove(a);
    registry.remove(a); // a second remove changes nothing
    assert.equal(registry.callsPlacedBy('alice@example.test'), 1);
    registry.remove(b);
    assert.equal(registry.callsPlacedBy('alice@example.test'), 0);
    assert.equal(registry.size, 1);
  });

  it('forgets every Jingle key of a removed call, and only that call', () => {
    const registry = new CallRegistry();
    const first = call('sip-to-xmpp', 'bob@example.test');
    const second = call('sip-to-xmpp', 'carol@example.test');
    registry.add(first);
    registry.add(second);
    registry.bindJingle(first, 'bob@example.test/a', first.sid);
    registry.bindJingle(first, 'bob@example.test/b', first.sid);
    registry.bindJingle(second, 'carol@example.test/a', second.sid);
    assert.equal(registry.findByJingle('BOB@example.test/b', first.sid), first);
    registry.remove(first);
    assert.equal(registry.findByJingle('bob@example.test/a', first.sid), undefined);
    assert.equal(registry.findByJingle('bob@example.test/b', first.sid), undefined);
    assert.equal(registry.findByJingle('carol@example.test/a', second.sid), second);
    assert.equal(registry.findByCallId(first.callId), undefined);
    assert.equal(registry.findByCallId(second.callId), second);
  });
});
