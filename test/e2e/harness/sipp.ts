/**
 * SIPp 3.6.1 (Debian `sip-tester`) as a SIP peer for e2e tests: runs one scenario of test/sipp/
 * headless and returns what it sent and received.
 *
 * Headless: SIPp draws its curses screen only on a TTY. With stdin ignored (`-nostdin`) and
 * stdout a pipe it prints one final statistics screen and exits. `-timeout …ms -timeout_error`
 * makes a stuck scenario exit with a failure on its own; a hard kill a second later backs it up.
 *
 * What a run returns: the exit code (0 = every call succeeded; 1 = at least one failed, e.g. an
 * `<ereg check_it>` did not match; 99 = no call processed; 255 = fatal, e.g. a bad scenario;
 * 254 = could not bind), the `-trace_msg` log of every message, the `-trace_err` log of
 * unexpected messages and failed checks, and the `<log>` actions (`-trace_logs`). Scenarios log
 * values they captured with `<ereg assign_to>` as `CAPTURE name=value` lines; those come back
 * parsed in `captured`.
 *
 * Keys: a scenario's `[name]` keywords come from `-key name value`; SIPp refuses to start when
 * one is missing. Scenarios write their defaults in their header comment as `key: name=value`
 * lines, filled in here for keys the caller does not pass. What a key cannot change (a response's
 * status code, which SIPp reads at load time) goes through `rewrite`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForPortBound } from './ports.ts';

export const SIPP_BINARY = '/usr/bin/sipp';
export const SIPP_SCENARIO_DIR = fileURLToPath(new URL('../../sipp/', import.meta.url));

export type SippTransport = 'u1' | 't1';

export interface SippOptions {
  /** File name in test/sipp (`uas-answer.xml`) or an absolute path. */
  scenario: string;
  /** `host:port` to send to; omit for a UAS that waits for the first request. */
  remote?: string;
  /** SIPp's own SIP socket (`-i`, `-p`); also the media address (`-mi`). */
  local: { host: string; port: number };
  /** `-t`: one UDP socket (default) or one TCP connection. */
  transport?: SippTransport;
  /** `-key name value` for the scenario's `[name]` keywords, over its `key:` defaults. */
  vars?: Record<string, string>;
  /** `-s`: the Request-URI user part of UAC scenarios (`[service]`). */
  service?: string;
  /** `-m`: calls to process before exiting (default 1). */
  calls?: number;
  /** `-d`: the length of `<pause/>` without attributes, in ms (default 300). */
  pauseMs?: number;
  /** `-mp`: the media port written into SDP as `[media_port]` (default: a free UDP port). */
  mediaPort?: number;
  /** The run fails (and SIPp is killed) after this long. */
  timeoutMs: number;
  /** Further SIPp arguments, appended last. */
  extraArgs?: string[];
  /**
   * Edits the scenario text before SIPp loads it (the copy lives in a temporary directory), for
   * what a key cannot change: SIPp reads a response's status code at load time.
   */
  rewrite?: (scenarioText: string) => string;
}

export interface SippResult {
  /** SIPp's exit code; null when a signal ended it. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** `-trace_msg`: every message sent and received, with SIPp's separators. */
  messages: string;
  /** `-trace_err`: unexpected messages and failed checks. */
  errors: string;
  /** `-trace_logs`: the scenario's `<log>` actions. */
  logs: string;
  /** `CAPTURE name=value` log lines, by name (the last value wins). */
  captured: Record<string, string>;
  stdout: string;
  stderr: string;
  /** The command line, for failure messages. */
  args: string[];
}

export interface SippHandle {
  readonly pid: number | undefined;
  /** The SIP port is bound (read from /proc/net, IPv4): a UAS can now receive its INVITE. */
  readonly ready: Promise<void>;
  /** SIPp exited (or was killed by the timeout). Never rejects. */
  readonly done: Promise<SippResult>;
  /** Ends SIPp (SIGTERM, then SIGKILL after 1 s) and returns its result. Idempotent. */
  kill(): Promise<SippResult>;
}

const running = new Set<ChildProcess>();

/** Runs a scenario to the end. */
export async function runSipp(options: SippOptions): Promise<SippResult> {
  const handle = await startSipp(options);
  return handle.done;
}

/**
 * Starts a scenario and returns at once; await `ready` before making the gateway call a UAS.
 * `ready` rejects if SIPp exits first (e.g. a missing key or a port in use), with its stderr.
 */
export async function startSipp(options: SippOptions): Promise<SippHandle> {
  const sourcePath = isAbsolute(options.scenario) ? options.scenario : join(SIPP_SCENARIO_DIR, options.scenario);
  const sourceText = await readFile(sourcePath, 'latin1');
  const workDir = await mkdtemp(join(tmpdir(), 'sipp-'));
  let scenarioPath = sourcePath;
  let scenarioText = sourceText;
  if (options.rewrite !== undefined) {
    scenarioText = options.rewrite(sourceText);
    if (scenarioText === sourceText) throw new Error(`rewrite left ${options.scenario} unchanged`);
    scenarioPath = join(workDir, basename(sourcePath));
    await writeFile(scenarioPath, scenarioText, 'latin1');
  }
  const keys = { ...scenarioKeyDefaults(scenarioText), ...options.vars };
  const files = {
    messages: join(workDir, 'messages.log'),
    errors: join(workDir, 'errors.log'),
    logs: join(workDir, 'logs.log'),
  };
  const mediaPort = options.mediaPort ?? (await freePort(options.local.host, 'udp'));
  const args = [
    '-sf',
    scenarioPath,
    ...(options.remote === undefined ? [] : [options.remote]),
    '-i',
    options.local.host,
    '-p',
    String(options.local.port),
    '-mi',
    options.local.host,
    '-mp',
    String(mediaPort),
    '-t',
    options.transport ?? 'u1',
    '-m',
    String(options.calls ?? 1),
    '-d',
    String(options.pauseMs ?? 300),
    ...(options.service === undefined ? [] : ['-s', options.service]),
    ...Object.entries(keys).flatMap(([name, value]) => ['-key', name, value]),
    '-nostdin',
    // Answers INFO, NOTIFY, OPTIONS and UPDATE the scenario does not expect with 200.
    '-aa',
    '-timeout',
    `${Math.max(1, options.timeoutMs)}ms`,
    '-timeout_error',
    '-trace_msg',
    '-message_file',
    files.messages,
    '-trace_err',
    '-error_file',
    files.errors,
    '-trace_logs',
    '-log_file',
    files.logs,
    ...(options.extraArgs ?? []),
  ];

  const child = spawn(SIPP_BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });

  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (error) => {
      spawnError = error;
      exited = { code: null, signal: null };
      resolve(exited);
    });
    child.once('close', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
  });
  // SIPp's own -timeout normally ends it first; this is the backstop.
  const hardTimer = setTimeout(() => {
    void terminate(child);
  }, options.timeoutMs + 1500);

  const done = exit.then(async ({ code, signal }) => {
    clearTimeout(hardTimer);
    running.delete(child);
    const [messages, errors, logs] = await Promise.all([
      readOptional(files.messages),
      readOptional(files.errors),
      readOptional(files.logs),
    ]);
    await rm(workDir, { recursive: true, force: true });
    const result: SippResult = {
      exitCode: code,
      signal,
      messages,
      errors,
      logs,
      captured: parseCaptures(logs),
      stdout,
      stderr: spawnError === undefined ? stderr : `${stderr}${spawnError.message}`,
      args,
    };
    return result;
  });

  // A UAC over TCP binds no listening socket, it connects: being alive is enough there.
  const listens = !(options.transport === 't1' && options.remote !== undefined);
  const ready = listens
    ? waitForPortBound(options.local.host, options.local.port, options.transport === 't1' ? 'tcp' : 'udp', 5000, () =>
        exited === undefined ? undefined : new Error(`sipp exited before binding its port: ${stderr}`),
      )
    : Promise.resolve();
  // Callers that never await `ready` (runSipp) must not see an unhandled rejection.
  ready.catch(() => undefined);

  return {
    pid: child.pid,
    ready,
    done,
    kill: async () => {
      await terminate(child);
      return done;
    },
  };
}

/** Kills every SIPp this module started that is still running (for `after()` hooks). */
export async function killAllSipp(): Promise<void> {
  await Promise.all([...running].map((child) => terminate(child)));
}

/** A readable summary for assertion messages: exit code, errors log, stderr, last messages. */
export function describeSippResult(result: SippResult): string {
  return [
    `sipp ${result.args.join(' ')}`,
    `exit code ${String(result.exitCode)}${result.signal === null ? '' : ` (signal ${result.signal})`}`,
    result.errors.trim() === '' ? '' : `errors:\n${result.errors.trim()}`,
    result.stderr.trim() === '' ? '' : `stderr:\n${result.stderr.trim()}`,
    `messages (last 4000 characters):\n${result.messages.slice(-4000)}`,
  ]
    .filter((part) => part !== '')
    .join('\n');
}

/** `key: name=value` lines of a scenario's header comment. */
export function scenarioKeyDefaults(scenarioText: string): Record<string, string> {
  const defaults: Record<string, string> = {};
  for (const match of scenarioText.matchAll(/^\s*key: ([A-Za-z_][A-Za-z0-9_-]*)=(.*)$/gm)) {
    defaults[match[1]!] = match[2]!.trim();
  }
  return defaults;
}

/** `CAPTURE name=value` lines of a `-trace_logs` file. */
export function parseCaptures(logs: string): Record<string, string> {
  const captured: Record<string, string> = {};
  for (const match of logs.matchAll(/^CAPTURE ([A-Za-z0-9_]+)=(.*)$/gm)) {
    captured[match[1]!] = match[2]!.replace(/\r$/, '');
  }
  return captured;
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise<void>((resolve) => {
    child.once('close', () => {
      resolve();
    });
  });
  child.kill('SIGTERM');
  const killTimer = setTimeout(() => {
    child.kill('SIGKILL');
  }, 1000);
  await closed;
  clearTimeout(killTimer);
}

async function readOptional(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}
