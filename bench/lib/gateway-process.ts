/**
 * The gateway as its own process (`node dist/cli.js run`, compiled by bench/lib/build.ts), so its CPU time and RSS can
 * be read from /proc/<pid> apart from the load generators. Configured through a JSON file in a
 * temporary directory; log level `warn` so logging does not become the workload.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeDualPort, freePort } from '../../test/e2e/harness/ports.ts';
import { gatewayEntry } from './build.ts';

export const GATEWAY_HOST = '127.0.0.2';

/** BENCH_GATEWAY_NODE_FLAGS: node flags for the gateway (e.g. `--max-semi-space-size=4`), space-separated. */
const extraNodeFlags = (process.env.BENCH_GATEWAY_NODE_FLAGS ?? '').split(' ').filter(Boolean);

export interface GatewayProcessOptions {
  xmpp: { service: string; domain: string; secret: string; allowedDomains: string[]; defaultDomain: string };
  /** Next hop of outgoing INVITEs (the SIPp UAS). */
  outboundProxy: string;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
  /** Directory the process runs in (where `--cpu-prof` writes). Default: a temporary one. */
  cwd?: string;
  /** Config keys merged over the defaults. */
  extra?: Record<string, unknown>;
}

export interface GatewayProcess {
  pid: number;
  /** `127.0.0.2:<port>` for SIPp. */
  sipAddress: string;
  metricsUrl: string;
  /** The gateway's stderr and stdout so far (warnings and errors). */
  output(): string;
  /** One gauge or counter value of /metrics: the sum over its label sets, or over those containing `labels` (`reason="max-setups"`). */
  metric(name: string, labels?: string): Promise<number>;
  /** SIGTERM (drain), then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export async function startGatewayProcess(options: GatewayProcessOptions): Promise<GatewayProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'jsg-bench-gw-'));
  const sipPort = await freeDualPort(GATEWAY_HOST);
  const httpPort = await freePort('127.0.0.1', 'tcp');
  const config = {
    // The XMPP load client plays 500 users: past 250 calls/s each would start more than the default
    // 30 calls a minute (xmpp.limits), and per-user refusals would pass for load shedding.
    xmpp: { ...options.xmpp, limits: { callsPerMinute: 1_000_000, concurrentCalls: 1_000_000 } },
    sip: {
      domain: 'sip.gw.bench',
      listen: [`udp:${GATEWAY_HOST}:${String(sipPort)}`],
      outboundProxy: options.outboundProxy,
    },
    http: { listen: `127.0.0.1:${String(httpPort)}` },
    log: { level: process.env.BENCH_GATEWAY_LOG ?? 'warn' },
    shutdown: { drainTimeoutMs: 1000 },
    ...options.extra,
  };
  const configPath = join(dir, 'gateway.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const child: ChildProcess = spawn(
    process.execPath,
    // This tree's gateway, or another checkout's with BENCH_GATEWAY_DIR (e.g. a `git archive` of a
    // commit, to compare two versions on the same machine), compiled (bench/lib/build.ts).
    [...(options.nodeFlags ?? []), ...extraNodeFlags, gatewayEntry().script, 'run', '--config', configPath],
    { cwd: options.cwd ?? dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  const metricsUrl = `http://127.0.0.1:${String(httpPort)}/metrics`;

  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited: ${output}`);
    try {
      const res = await fetch(`http://127.0.0.1:${String(httpPort)}/readyz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`gateway not ready within 20 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    pid: child.pid!,
    sipAddress: `${GATEWAY_HOST}:${String(sipPort)}`,
    metricsUrl,
    output: () => output,
    async metric(name, labels) {
      const text = await (await fetch(metricsUrl)).text();
      let sum = 0;
      for (const line of text.split('\n')) {
        if (!line.startsWith(`${name} `) && !line.startsWith(`${name}{`)) continue;
        if (labels !== undefined && !line.slice(0, line.lastIndexOf(' ')).includes(labels)) continue;
        sum += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
      return sum;
    },
    async stop(graceMs = 3000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
