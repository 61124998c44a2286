/**
 * The benchmark bench: Prosody (log level warn) with the gateway's component and two load
 * components, the gateway as its own process, the XMPP load client, and the trial runners every
 * benchmark script shares. Everything binds to loopback and is stopped by `close()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startProsody, type ProsodyServer } from '../../test/e2e/harness/prosody.ts';
import { freeDualPort } from '../../test/e2e/harness/ports.ts';
import { startGatewayProcess, GATEWAY_HOST, type GatewayProcess } from './gateway-process.ts';
import { cpuMeter, residentBytes, waitUdpBound } from './proc.ts';
import { killAllSippLoads, SIPP_HOST, startSippLoad, type SippLoadResult } from './sipp-load.ts';
import { summarise, type LatencySummary } from './stats.ts';
import { XmppLoadClient, type OutboundRun } from './xmpp-load.ts';

export const LOAD_DOMAIN = 'load.example.test';
export const ECHO_DOMAIN = 'echo.example.test';
const GATEWAY_DOMAIN = 'gw.example.test';
/** SIP → XMPP callee: a full JID of the load component, so no XEP-0353 round (spec §6.7). */
export const XMPP_CALLEE = `callee@${LOAD_DOMAIN}/load`;
/** XMPP → SIP callee: sip:bench@sip.bench via the outbound proxy (the SIPp UAS) [spec §7.4]. */
export const SIP_CALLEE_JID = `bench\\40sip.bench@${GATEWAY_DOMAIN}`;

export interface TrialResult {
  direction: 'sip-to-xmpp' | 'xmpp-to-sip' | 'echo-uas';
  rate: number;
  pass: boolean;
  offered: number;
  completed: number;
  /** Calls that failed, not counting `shed`. */
  failed: number;
  /**
   * Calls the gateway shed (admission control, src/session/admission.ts) as the load generator saw
   * them: 503 to the INVITE (SIPp), `resource-constraint` to the session-initiate (XMPP client).
   * Refused early on purpose, so neither answered nor failures.
   */
  shed: number;
  /** The gateway's own count of the calls it shed, by reason (jsg_calls_refused_total). */
  shedByGateway: Record<string, number>;
  retransmissions: number;
  /** Final statuses SIPp received on its INVITEs, or XMPP failure reasons. */
  outcomes: Record<string, number>;
  /** INVITE → 200 seen by SIPp (1 ms resolution). */
  sipSetupMs: LatencySummary;
  /** session-initiate → session-accept seen by the XMPP load client. */
  xmppSetupMs?: LatencySummary;
  /** The system under test's CPU use over the trial (% of one core) and RSS at its end. */
  cpuPercent: number;
  cpuMs: number;
  rssMiB: number;
  prosodyCpuPercent: number;
  loadClientCpuPercent: number;
  /** The machine's 1-minute load average at the trial's end: above the core count, other work competed. */
  loadAverage: number;
  elapsedMs: number;
}

export interface Bench {
  prosody: ProsodyServer;
  gateway: GatewayProcess;
  load: XmppLoadClient;
  echo: XmppLoadClient;
  prosodyPid: number;
  holdMs: number;
  sipToXmpp(rate: number, durationMs: number): Promise<TrialResult>;
  xmppToSip(rate: number, durationMs: number): Promise<TrialResult>;
  echoUas(rate: number, durationMs: number): Promise<TrialResult>;
  /** Waits until the gateway reports no active call (at most `maxMs`). */
  drain(maxMs?: number): Promise<number>;
  close(): Promise<void>;
}

export async function startBench(
  options: { holdMs?: number; gatewayNodeFlags?: string[]; gatewayCwd?: string } = {},
): Promise<Bench> {
  const holdMs = options.holdMs ?? 500;
  const secret = 'bench-secret';
  const prosody = await startProsody({
    domain: 'example.test',
    componentDomain: GATEWAY_DOMAIN,
    componentSecret: secret,
    users: [],
    logLevel: 'warn',
    // The harness default turns Nagle off (docs/operations.md "Latency"); BENCH_PROSODY_CONFIG
    // replaces those global lines, e.g. with '' to measure Prosody's own default.
    ...(process.env.BENCH_PROSODY_CONFIG !== undefined ? { globalConfig: process.env.BENCH_PROSODY_CONFIG } : {}),
    extraComponents: [
      { domain: LOAD_DOMAIN, secret },
      { domain: ECHO_DOMAIN, secret },
    ],
  });
  const closers: (() => Promise<void>)[] = [() => prosody.stop()];
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    killAllSippLoads();
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  // Ctrl-C or a kill of the benchmark must not leave Prosody, the gateway or SIPp behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void close().finally(() => process.exit(130));
    });
  }
  try {
    const prosodyPid = Number(readFileSync(join(prosody.dir, 'prosody.pid'), 'utf8').trim());
    const uasPort = await freeDualPort(SIPP_HOST);
    const gateway = await startGatewayProcess({
      xmpp: {
        service: prosody.service,
        domain: GATEWAY_DOMAIN,
        secret,
        allowedDomains: ['example.test', LOAD_DOMAIN],
        defaultDomain: 'example.test',
      },
      outboundProxy: `sip:${SIPP_HOST}:${String(uasPort)}`,
      ...(options.gatewayNodeFlags !== undefined ? { nodeFlags: options.gatewayNodeFlags } : {}),
      ...(options.gatewayCwd !== undefined ? { cwd: options.gatewayCwd } : {}),
    });
    closers.push(() => gateway.stop());
    const load = await XmppLoadClient.connect({ service: prosody.service, domain: LOAD_DOMAIN, secret });
    closers.push(() => load.close());
    const echo = await XmppLoadClient.connect({ service: prosody.service, domain: ECHO_DOMAIN, secret });
    echo.echoOnly = true;
    closers.push(() => echo.close());
    const echoUas = await startEchoUas();
    closers.push(() => echoUas.stop());

    const measure = (pid: number) => {
      const gw = cpuMeter(pid);
      const pr = cpuMeter(prosodyPid);
      const self = process.cpuUsage();
      const t0 = performance.now();
      return () => {
        const g = gw.stop();
        const selfUs = process.cpuUsage(self);
        return {
          cpuPercent: g.percent,
          cpuMs: g.cpuMs,
          rssMiB: residentBytes(pid) / 2 ** 20,
          prosodyCpuPercent: pr.stop().percent,
          loadClientCpuPercent: ((selfUs.user + selfUs.system) / 1000 / (performance.now() - t0)) * 100,
          loadAverage: loadavg()[0] ?? 0,
        };
      };
    };

    const sippTrial = async (
      direction: 'sip-to-xmpp' | 'echo-uas',
      pid: number,
      remote: string,
      rate: number,
      durationMs: number,
    ): Promise<TrialResult> => {
      const calls = Math.max(1, Math.round((rate * durationMs) / 1000));
      const stop = measure(pid);
      const shedBefore = direction === 'sip-to-xmpp' ? await shedCounts(gateway) : {};
      const sipp = startSippLoad({
        scenario: 'uac-bench.xml',
        localPort: await freeDualPort(SIPP_HOST),
        remote,
        service: direction === 'echo-uas' ? 'echo' : encodeURIComponent(XMPP_CALLEE),
        rate,
        calls,
        holdMs,
        timeoutMs: durationMs + holdMs + 40_000,
      });
      const r = await sipp.done;
      const usage = stop();
      const shedByGateway = direction === 'sip-to-xmpp' ? since(shedBefore, await shedCounts(gateway)) : {};
      return fromSipp(direction, rate, calls, r, { ...usage, shedByGateway });
    };

    const bench: Bench = {
      prosody,
      gateway,
      load,
      echo,
      prosodyPid,
      holdMs,
      async sipToXmpp(rate, durationMs) {
        const result = await sippTrial('sip-to-xmpp', gateway.pid, gateway.sipAddress, rate, durationMs);
        await bench.drain();
        return result;
      },
      async echoUas(rate, durationMs) {
        return sippTrial('echo-uas', echoUas.pid, echoUas.address, rate, durationMs);
      },
      async xmppToSip(rate, durationMs) {
        const calls = Math.max(1, Math.round((rate * durationMs) / 1000));
        const uas = startSippLoad({
          scenario: 'uas-bench.xml',
          localPort: uasPort,
          calls,
          timeoutMs: durationMs + holdMs + 45_000,
        });
        // The first INVITEs must not reach a port SIPp has not bound yet (a fixed 300 ms was not
        // always enough on a busy machine: those calls then timed out).
        if (!(await waitUdpBound(uasPort, 10_000))) throw new Error(`SIPp UAS did not bind port ${String(uasPort)}`);
        const stop = measure(gateway.pid);
        const shedBefore = await shedCounts(gateway);
        const run = await load.runOutbound({ rate, durationMs, holdMs, callee: SIP_CALLEE_JID });
        const usage = stop();
        const shedByGateway = since(shedBefore, await shedCounts(gateway));
        const uasDone = await Promise.race([
          uas.done,
          new Promise<undefined>((r) =>
            setTimeout(() => {
              r(undefined);
            }, 3000),
          ),
        ]);
        if (uasDone === undefined) uas.kill();
        const sip = uasDone ?? (await uas.done);
        await bench.drain();
        const result = fromXmpp(rate, run, sip, { ...usage, shedByGateway });
        // Every trial's SIPp UAS listens on the same port and stops after `-m` calls: requests of
        // this trial's failed calls that the gateway still retransmits (64·T1 = 32 s) would count
        // as calls of the next trial's UAS, which would then stop short and fail calls of its own.
        if (!result.pass) await new Promise((r) => setTimeout(r, 33_000));
        return result;
      },
      async drain(maxMs = 40_000) {
        const deadline = Date.now() + maxMs;
        let active = await gateway.metric('jsg_active_calls');
        while (active > 0 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 250));
          active = await gateway.metric('jsg_active_calls');
        }
        // Let the SIP stack's completed transactions (Timer J, 32 s) and sockets settle a moment.
        await new Promise((r) => setTimeout(r, 500));
        return active;
      },
      close,
    };
    return bench;
  } catch (error) {
    await close();
    throw error;
  }
}

type Usage = Pick<
  TrialResult,
  'cpuPercent' | 'cpuMs' | 'rssMiB' | 'prosodyCpuPercent' | 'loadClientCpuPercent' | 'loadAverage' | 'shedByGateway'
>;

/** The reasons of jsg_calls_refused_total that admission control counts (src/session/admission.ts). */
const SHED_REASONS = ['max-calls', 'max-setups', 'event-loop-delay'] as const;

async function shedCounts(gateway: GatewayProcess): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const reason of SHED_REASONS) {
    counts[reason] = await gateway.metric('jsg_calls_refused_total', `reason="${reason}"`);
  }
  return counts;
}

function since(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([k, n]) => [k, n - (before[k] ?? 0)]));
}

/** SIP status of a shed INVITE [RFC 3261 §21.5.4]; IQ error of a shed session-initiate [RFC 6120 §8.3.3.18]. */
const SHED_STATUS = '503';
const SHED_XMPP_FAILURE = 'initiate-error:resource-constraint';

function fromSipp(
  direction: 'sip-to-xmpp' | 'echo-uas',
  rate: number,
  calls: number,
  r: SippLoadResult,
  usage: Usage,
): TrialResult {
  const refused = Object.entries(r.statuses).filter(([code]) => code !== '200');
  const answered = r.statuses['200'] ?? r.successful;
  // uac-bench.xml fails every refused call on purpose, so SIPp's FailedCall includes the shed ones.
  const shed = r.statuses[SHED_STATUS] ?? 0;
  return {
    direction,
    rate,
    pass:
      r.exitCode === 0 &&
      r.failed === 0 &&
      r.retransmissions === 0 &&
      r.successful === calls &&
      refused.every(([, n]) => n === 0),
    offered: r.created,
    completed: Math.min(answered, r.successful),
    failed: Math.max(0, r.failed - shed),
    shed,
    retransmissions: r.retransmissions,
    outcomes: r.statuses,
    sipSetupMs: summarise(r.setupMs),
    ...usage,
    elapsedMs: r.elapsedMs,
  };
}

function fromXmpp(rate: number, run: OutboundRun, sip: SippLoadResult, usage: Usage): TrialResult {
  const shed = run.failures[SHED_XMPP_FAILURE] ?? 0;
  return {
    direction: 'xmpp-to-sip',
    rate,
    pass: run.failed === 0 && run.completed === run.offered && sip.failed === 0 && sip.retransmissions === 0,
    offered: run.offered,
    completed: run.completed,
    failed: run.failed - shed + sip.failed,
    shed,
    retransmissions: sip.retransmissions,
    outcomes: run.failures,
    sipSetupMs: summarise([]),
    xmppSetupMs: summarise(run.acceptMs),
    ...usage,
    elapsedMs: run.elapsedMs,
  };
}

interface EchoUas {
  pid: number;
  address: string;
  stop(): Promise<void>;
}

async function startEchoUas(): Promise<EchoUas> {
  const port = await freeDualPort(GATEWAY_HOST);
  const script = new URL('../echo-uas.ts', import.meta.url).pathname;
  // `node --import tsx`, not the tsx CLI: the child is node itself, so /proc/<pid> measures it.
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script, GATEWAY_HOST, String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => {
      resolve();
    });
    child.once('exit', (code) => {
      reject(new Error(`echo UAS exited (${String(code)})`));
    });
  });
  return {
    pid: child.pid!,
    address: `${GATEWAY_HOST}:${String(port)}`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
