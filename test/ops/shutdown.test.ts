/**
 * installShutdown in a real child process (close-with-grace ends the process it runs in): the
 * order of drain and close steps, the exit status, and the second-signal and error paths.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { createLogger } from '../../src/ops/logger.ts';
import { installShutdown } from '../../src/ops/shutdown.ts';

const root = new URL('../../', import.meta.url).pathname;
const fixture = new URL('./fixtures/shutdown-child.ts', import.meta.url).pathname;
const children = new Set<ChildProcess>();
after(() => {
  for (const child of children) child.kill('SIGKILL');
});

interface Child {
  /** Resolves with the first log line whose msg is `msg`. */
  waitFor(msg: string): Promise<Record<string, unknown>>;
  signal(name: NodeJS.Signals): void;
  /** Every log message and the exit status, once the child has exited. */
  exit: Promise<{ code: number | null; lines: Record<string, unknown>[] }>;
}

function startChild(...args: string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  const lines: Record<string, unknown>[] = [];
  const waiters: { msg: string; resolve: (line: Record<string, unknown>) => void }[] = [];
  createInterface({ input: child.stdout }).on('line', (text) => {
    const line = JSON.parse(text) as Record<string, unknown>;
    lines.push(line);
    for (const waiter of waiters.filter((w) => w.msg === line.msg)) waiter.resolve(line);
  });
  const exit = new Promise<{ code: number | null; lines: Record<string, unknown>[] }>((resolve) => {
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code, lines });
    });
  });
  return {
    waitFor: (msg) =>
      new Promise((resolve) => {
        const seen = lines.find((line) => line.msg === msg);
        if (seen !== undefined) resolve(seen);
        else waiters.push({ msg, resolve });
      }),
    signal: (name) => child.kill(name),
    exit,
  };
}

const messages = (lines: Record<string, unknown>[]) => lines.map((line) => line.msg);

describe('installShutdown', () => {
  it('on SIGTERM drains with the configured limit, closes the gateway, then the ops server, exit 0', async () => {
    const child = startChild('drain');
    await child.waitFor('child ready');
    child.signal('SIGTERM');
    const { code, lines } = await child.exit;
    assert.equal(code, 0);
    assert.deepEqual(messages(lines), [
      'child ready',
      'draining: refusing new calls',
      'fake drain',
      'drained',
      'fake gateway close',
      'ops closed',
      'stopped',
    ]);
    assert.equal(lines[1]?.signal, 'SIGTERM');
    assert.equal(lines[2]?.timeoutMs, 1234);
    assert.equal(lines[6]?.exitCode, 0);
  });

  it('drains on SIGINT the same way', async () => {
    const child = startChild('drain');
    await child.waitFor('child ready');
    child.signal('SIGINT');
    const { code, lines } = await child.exit;
    assert.equal(code, 0);
    assert.equal(lines.find((line) => line.msg === 'draining: refusing new calls')?.signal, 'SIGINT');
    assert.ok(messages(lines).includes('fake gateway close'));
  });

  it('still closes everything when the drain fails', async () => {
    const child = startChild('drain-fails');
    await child.waitFor('child ready');
    child.signal('SIGTERM');
    const { code, lines } = await child.exit;
    assert.equal(code, 0);
    assert.deepEqual(messages(lines).slice(2), [
      'fake drain',
      'drain failed: closing',
      'fake gateway close',
      'ops closed',
      'stopped',
    ]);
  });

  it('exits 1 at once on a second signal while the drain waits', async () => {
    const child = startChild('hang');
    await child.waitFor('child ready');
    child.signal('SIGTERM');
    await child.waitFor('fake drain');
    child.signal('SIGTERM');
    const { code, lines } = await child.exit;
    assert.equal(code, 1);
    const names = messages(lines);
    assert.ok(names.includes('second signal: exiting without waiting for calls'));
    assert.equal(names.includes('fake gateway close'), false);
  });

  it('exits 1 when the drain overruns its limit plus the close grace', async () => {
    const child = startChild('hang', 'limit');
    await child.waitFor('child ready');
    child.signal('SIGTERM');
    const { code, lines } = await child.exit;
    assert.equal(code, 1);
    assert.ok(messages(lines).includes('shutdown took too long: exiting'));
  });

  it('on an uncaught exception closes without draining and exits 1', async () => {
    const child = startChild('throw');
    const { code, lines } = await child.exit;
    assert.equal(code, 1);
    assert.deepEqual(messages(lines), [
      'child ready',
      'uncaught error: closing without draining',
      'fake gateway close',
      'ops closed',
      'stopped',
    ]);
    assert.equal((lines[1]?.err as { message?: string } | undefined)?.message, 'boom');
    assert.equal(lines[4]?.exitCode, 1);
  });

  it('returns an uninstall function that removes every handler it added', () => {
    const events = ['SIGTERM', 'SIGINT', 'uncaughtException', 'unhandledRejection', 'beforeExit'] as const;
    const before = events.map((event) => process.listenerCount(event));
    const uninstall = installShutdown({
      gateway: { drain: () => Promise.resolve(), close: () => Promise.resolve() },
      opsServer: { close: () => Promise.resolve() },
      drainTimeoutMs: 1000,
      logger: createLogger({ level: 'silent' }),
    });
    assert.deepEqual(
      events.map((event) => process.listenerCount(event)),
      before.map((count) => count + 1),
    );
    // Signals other than SIGTERM/SIGINT keep Node's default action.
    assert.equal(process.listenerCount('SIGHUP'), 0);
    uninstall();
    assert.deepEqual(
      events.map((event) => process.listenerCount(event)),
      before,
    );
  });
});
