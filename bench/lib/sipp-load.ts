/**
 * SIPp as a load generator: an open-loop UAC (`-r` calls/s, `-l` concurrent limit, `-m` total) or
 * a UAS taking `-m` calls, run headless in a temporary directory where SIPp leaves its files:
 *   -trace_stat (-stf, -fd): the statistics CSV; the last row holds the cumulative counters;
 *   -trace_rtt (-rtt_freq 1): one row per call with its response time (INVITE → 200, `rtd`);
 *   -trace_counts: messages per scenario line, i.e. how many of each final status arrived.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SIPP_HOST = '127.0.0.1';
const scenarioDir = new URL('../sipp/', import.meta.url).pathname;

export interface SippLoadOptions {
  scenario: 'uac-bench.xml' | 'uas-bench.xml';
  localPort: number;
  /** UAC: `host:port` of the system under test. */
  remote?: string;
  /** UAC: the Request-URI user part. */
  service?: string;
  /** UAC: calls per second. */
  rate?: number;
  /** Calls to place (UAC) or to take (UAS) before exiting. */
  calls: number;
  /** UAC: concurrent-call limit. */
  limit?: number;
  /** UAC: how long an answered call lasts before BYE. */
  holdMs?: number;
  /** SIPp is ended after this long whatever happens. */
  timeoutMs: number;
}

export interface SippLoadResult {
  exitCode: number | null;
  successful: number;
  failed: number;
  retransmissions: number;
  created: number;
  /** Per-call INVITE → 200 times in ms (UAC only). */
  setupMs: number[];
  /** Final statuses received on the INVITE, by code (UAC only, from -trace_counts). */
  statuses: Record<string, number>;
  elapsedMs: number;
  stderr: string;
}

export interface SippLoad {
  pid: number;
  done: Promise<SippLoadResult>;
  /** SIGTERM: SIPp still writes its final statistics. */
  kill(): void;
}

const running = new Set<ReturnType<typeof spawn>>();

/** Ends every SIPp this module started that still runs (benchmark teardown). */
export function killAllSippLoads(): void {
  for (const child of running) child.kill('SIGKILL');
}

export function startSippLoad(options: SippLoadOptions): SippLoad {
  const dir = mkdtempSync(join(tmpdir(), 'jsg-bench-sipp-'));
  const uac = options.scenario.startsWith('uac');
  const args = [
    '-sf',
    join(scenarioDir, options.scenario),
    ...(options.remote !== undefined ? [options.remote] : []),
    '-i',
    SIPP_HOST,
    '-p',
    String(options.localPort),
    '-mi',
    SIPP_HOST,
    '-t',
    'u1',
    '-m',
    String(options.calls),
    '-nostdin',
    '-timeout',
    `${String(Math.ceil(options.timeoutMs / 1000))}s`,
    '-trace_stat',
    '-stf',
    join(dir, 'stat.csv'),
    '-fd',
    '1',
    '-trace_counts',
    '-trace_err',
    '-error_file',
    join(dir, 'err.log'),
    '-max_recv_loops',
    '10000',
    '-max_sched_loops',
    '10000',
    ...(uac
      ? [
          '-s',
          options.service ?? 'bench',
          '-r',
          String(options.rate ?? 10),
          '-l',
          String(options.limit ?? 100_000),
          '-d',
          String(options.holdMs ?? 500),
          '-trace_rtt',
          '-rtt_freq',
          '1',
          '-recv_timeout',
          '10000',
          '-key',
          'caller',
          'load@pbx.bench',
        ]
      : []),
  ];
  const started = performance.now();
  const child = spawn('/usr/bin/sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  child.stdout.resume();
  const killTimer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs + 5000);
  const done = new Promise<SippLoadResult>((resolve) => {
    child.once('exit', (code) => {
      running.delete(child);
      clearTimeout(killTimer);
      const result = readResults(dir, options.scenario);
      rmSync(dir, { recursive: true, force: true });
      resolve({ ...result, exitCode: code, elapsedMs: performance.now() - started, stderr });
    });
  });
  return {
    pid: child.pid!,
    done,
    kill: () => {
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    },
  };
}

function readCsv(path: string): string[][] {
  return readFileSync(path, 'latin1')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split(';'));
}

function readResults(dir: string, scenario: string): Omit<SippLoadResult, 'exitCode' | 'elapsedMs' | 'stderr'> {
  const result = { successful: 0, failed: 0, retransmissions: 0, created: 0, setupMs: [] as number[], statuses: {} };
  const files = readdirSync(dir);
  try {
    const rows = readCsv(join(dir, 'stat.csv'));
    const header = rows[0] ?? [];
    const last = rows.at(-1) ?? [];
    const column = (name: string) => Number(last[header.indexOf(name)] ?? 0);
    result.successful = column('SuccessfulCall(C)');
    result.failed = column('FailedCall(C)');
    result.retransmissions = column('Retransmissions(C)');
    result.created = column('TotalCallCreated');
  } catch {
    // SIPp died before writing statistics: everything stays 0.
  }
  const rtt = files.find((f) => f.endsWith('_rtt.csv'));
  if (rtt !== undefined) {
    // Date_ms;response_time_ms;rtd_no
    for (const row of readCsv(join(dir, rtt)).slice(1)) {
      const ms = Number(row[1]);
      if (!Number.isNaN(ms)) result.setupMs.push(ms);
    }
  }
  const counts = files.find((f) => f.endsWith('_counts.csv'));
  if (counts !== undefined && scenario.startsWith('uac')) {
    result.statuses = finalStatuses(readCsv(join(dir, counts)));
  }
  return result;
}

/**
 * -trace_counts: one header row naming columns `<index>_<message>_<Recv|Sent|…>` and cumulative
 * rows. Counts of received final responses to the INVITE (the first `200` is the INVITE's; the
 * BYE's 200 comes later in the scenario).
 */
function finalStatuses(rows: string[][]): Record<string, number> {
  const header = rows[0] ?? [];
  const last = rows.at(-1) ?? [];
  const statuses: Record<string, number> = {};
  let seen200 = false;
  header.forEach((name, i) => {
    const match = /^\d+_(\d{3})_Recv$/.exec(name);
    if (match?.[1] === undefined) return;
    const code = match[1];
    if (Number(code) < 200) return;
    if (code === '200') {
      if (seen200) return;
      seen200 = true;
    }
    statuses[code] = (statuses[code] ?? 0) + Number(last[i] ?? 0);
  });
  return statuses;
}
