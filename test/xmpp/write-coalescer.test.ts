import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { writeCoalescer } from '../../src/xmpp/write-coalescer.ts';

function fakeSocket() {
  const calls: string[] = [];
  const socket = {
    cork: () => calls.push('cork'),
    uncork: () => calls.push('uncork'),
  } as unknown as Socket;
  return { socket, calls };
}

describe('writeCoalescer', () => {
  it('corks once per turn of the event loop and uncorks in the same turn', async () => {
    const { socket, calls } = fakeSocket();
    const coalesce = writeCoalescer(() => socket);
    coalesce();
    coalesce();
    coalesce();
    assert.deepEqual(calls, ['cork']);
    await nextTurn();
    assert.deepEqual(calls, ['cork', 'uncork']);
    coalesce();
    await nextTurn();
    assert.deepEqual(calls, ['cork', 'uncork', 'cork', 'uncork']);
  });

  it('corks a new socket after a reconnect, and does nothing without one', async () => {
    const first = fakeSocket();
    const second = fakeSocket();
    let current: Socket | null = first.socket;
    const coalesce = writeCoalescer(() => current);
    coalesce();
    current = second.socket;
    coalesce();
    current = null;
    coalesce();
    await nextTurn();
    assert.deepEqual(first.calls, ['cork', 'uncork']);
    assert.deepEqual(second.calls, ['cork', 'uncork']);
  });
});
