import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ServerInviteTable } from '../../src/sip/server-invites.ts';
import type { UasInvite } from '../../src/sip/uas-invite.ts';

const invite = (callId: string, name: string) => ({ callId, name }) as unknown as UasInvite;

describe('ServerInviteTable', () => {
  it('finds transactions by Call-ID and branch, and groups them by Call-ID', () => {
    const table = new ServerInviteTable();
    const a1 = invite('a@h', 'a1');
    const a2 = invite('a@h', 'a2');
    const b = invite('b@h', 'b');
    table.set(ServerInviteTable.key('a@h', 'z9hG4bK1'), a1);
    table.set(ServerInviteTable.key('a@h', 'z9hG4bK2'), a2);
    table.set(ServerInviteTable.key('b@h', 'z9hG4bK1'), b);
    assert.equal(table.size, 3);
    assert.equal(table.get(ServerInviteTable.key('a@h', 'z9hG4bK2')), a2);
    assert.equal(table.has(ServerInviteTable.key('b@h', 'z9hG4bK2')), false);
    assert.deepEqual(table.withCallId('a@h'), [a1, a2]);
    assert.deepEqual(table.withCallId('b@h'), [b]);
    assert.deepEqual(table.withCallId('c@h'), []);
  });

  it('forgets the Call-ID group with its last transaction, so the table does not grow', () => {
    const table = new ServerInviteTable();
    const keys = Array.from({ length: 1000 }, (_, i) => ServerInviteTable.key(`call-${String(i)}`, 'z9hG4bKx'));
    keys.forEach((key, i) => {
      table.set(key, invite(`call-${String(i)}`, key));
    });
    table.set(ServerInviteTable.key('call-0', 'z9hG4bKy'), invite('call-0', 'second'));
    for (const key of keys) table.delete(key);
    assert.equal(table.size, 1);
    assert.deepEqual(
      table.withCallId('call-0').map((i) => (i as unknown as { name: string }).name),
      ['second'],
    );
    assert.deepEqual(table.withCallId('call-1'), []);
    table.delete(ServerInviteTable.key('call-0', 'z9hG4bKy'));
    table.delete('no such key');
    assert.equal(table.size, 0);
    assert.deepEqual(table.withCallId('call-0'), []);
  });

  it('replaces the entry of a key that is set twice without keeping the first in its group', () => {
    const table = new ServerInviteTable();
    const key = ServerInviteTable.key('a@h', 'z9hG4bK1');
    const first = invite('a@h', 'first');
    const second = invite('a@h', 'second');
    table.set(key, first);
    table.set(key, second);
    assert.deepEqual(table.withCallId('a@h'), [second]);
    table.clear();
    assert.equal(table.size, 0);
    assert.deepEqual(table.withCallId('a@h'), []);
  });
});
