/**
 * `npm run bench`: call-setup rate, latency and CPU of the gateway per direction, beside the
 * ceilings of its two neighbours measured in the same run:
 *   1. the raw SIP stack: the same SIPp load against bench/echo-uas.ts (npm `sip`, no call logic);
 *   2. the XMPP server: Prosody routing Jingle-sized IQ round trips between two components.
 *
 * Flags: --quick (10 s trials), --long (10 min), --duration S, --start RATE (first trial, default
 * 250 calls/s: the latency target's rate), --max-rate RATE, --trials N (per search), --hold MS
 * (answered call length, default 500), --cpu-rate RATE and --cpu-rate-high RATE (the two
 * CPU-per-call runs, default 50/s and 250/s).
 * Writes bench/results/bench-latest.json. No assertion: the targets are compared in the table.
 */
import { parseBenchArgs } from './lib/args.ts';
import { startBench, ECHO_DOMAIN, type Bench, type TrialResult } from './lib/env.ts';
import { writeResults } from './lib/machine.ts';
import { searchHighestRate } from './lib/search.ts';
import { fixed, summarise, table } from './lib/stats.ts';

const args = parseBenchArgs();
const durationMs = args.durationMs;
const start = args.number('start', 250);
const maxRate = args.number('max-rate', 4000);
const maxTrials = args.number('trials', args.quick ? 5 : 7);
const cpuRate = args.number('cpu-rate', 50);
/**
 * CPU per call falls as the rate rises (one event-loop wake-up and its system calls serve more
 * messages; writes coalesce), for npm `sip` alone as for the gateway: a second run at a rate
 * nearer the working range shows by how much.
 */
const cpuRateHigh = args.number('cpu-rate-high', 250);
const cpuDurationMs = args.quick ? 10_000 : 20_000;
/** XMPP round trips through Prosody per gateway call: initiate, accept, terminate (+ ringing X→S). */
const IQS_PER_CALL = { 'sip-to-xmpp': 3, 'xmpp-to-sip': 4 } as const;

function trialRow(t: TrialResult): string[] {
  const lat = t.direction === 'xmpp-to-sip' ? t.xmppSetupMs : t.sipSetupMs;
  return [
    t.direction,
    String(t.rate),
    t.pass ? 'pass' : 'FAIL',
    `${String(t.completed)}/${String(t.offered)}`,
    t.shed > 0 ? `${String(t.failed)} +${String(t.shed)} shed` : String(t.failed),
    String(t.retransmissions),
    fixed(lat?.p50, 1),
    fixed(lat?.p95, 1),
    fixed(lat?.p99, 1),
    fixed(t.cpuPercent, 0),
    fixed(t.rssMiB, 0),
    fixed(t.prosodyCpuPercent, 0),
    fixed(t.loadClientCpuPercent, 0),
    fixed(t.loadAverage, 1),
  ];
}
const trialHeader = [
  'trial',
  'calls/s',
  '',
  'done/offered',
  'failed',
  'retrans',
  'p50 ms',
  'p95 ms',
  'p99 ms',
  'SUT cpu%',
  'SUT RSS MiB',
  'prosody cpu%',
  'load cpu%',
  'loadavg',
];

async function logged(bench: Bench, kind: 'sipToXmpp' | 'xmppToSip' | 'echoUas', rate: number, ms: number) {
  const t = await bench[kind](rate, ms);
  console.log(table([trialHeader, trialRow(t)]).split('\n')[1]);
  if (!t.pass && Object.keys(t.outcomes).length > 0) console.log(`    outcomes: ${JSON.stringify(t.outcomes)}`);
  return t;
}

async function main(): Promise<void> {
  console.log(
    `Trials of ${String(durationMs / 1000)} s; pass = every call answered and ended, 0 failed, 0 retransmissions\n`,
  );
  const bench = await startBench({ holdMs: args.number('hold', 500) });
  try {
    // Warm-up: tsx compiles the gateway's modules on first use and V8 optimises hot paths.
    await bench.sipToXmpp(50, 3000);
    await bench.xmppToSip(50, 3000);
    await bench.echoUas(50, 2000);
    console.log(table([trialHeader]));

    const search = (kind: 'sipToXmpp' | 'xmppToSip' | 'echoUas') =>
      searchHighestRate((rate) => logged(bench, kind, rate, durationMs), { start, maxRate, maxTrials });
    const echoSearch = await search('echoUas');
    const sipToXmpp = await search('sipToXmpp');
    // The ended calls of the last trials live on in their transactions for 64·T1 = 32 s (RFC 3261
    // Timers H/J/D/M, ~13 KiB each): at 875 calls/s that is ~360 MB of live heap whose major GCs
    // would be charged to the other direction's first trials.
    await new Promise((r) => setTimeout(r, 35_000));
    const xmppToSip = await search('xmppToSip');

    // The XMPP server's ceiling: closed loop, 256 IQs in flight, for one trial duration.
    const iq = await bench.load.runIqRoundTrips({ peer: `echo@${ECHO_DOMAIN}/load`, durationMs, window: 256 });
    const iqLatency = summarise(iq.rttMs);
    console.log(
      `\nProsody ceiling: ${fixed(iq.perSecond, 0)} Jingle-sized IQ round trips/s (p50 ${fixed(iqLatency.p50, 1)} ms)`,
    );

    // CPU per complete call at a fixed moderate rate.
    const cpuS2X = await logged(bench, 'sipToXmpp', cpuRate, cpuDurationMs);
    const cpuX2S = await logged(bench, 'xmppToSip', cpuRate, cpuDurationMs);
    const cpuEcho = await logged(bench, 'echoUas', cpuRate, cpuDurationMs);
    const cpuHighS2X = await logged(bench, 'sipToXmpp', cpuRateHigh, cpuDurationMs);
    const cpuHighX2S = await logged(bench, 'xmppToSip', cpuRateHigh, cpuDurationMs);
    const cpuHighEcho = await logged(bench, 'echoUas', cpuRateHigh, cpuDurationMs);
    const perCall = (t: TrialResult) => t.cpuMs / Math.max(1, t.completed);

    const rows = [
      [
        'direction',
        'highest 0-loss rate',
        'SIP ceiling',
        'ratio',
        'XMPP ceiling (calls/s)',
        'ratio',
        'p50 ms',
        'p99 ms',
        `p50/p99 ms at ${String(start)}/s`,
        `CPU ms/call at ${String(cpuRate)}/s`,
        `at ${String(cpuRateHigh)}/s`,
      ],
    ];
    // The latency target is set at the search's first rate (250/s by default): that trial's figures,
    // whether or not it passed, beside the echo UAS's at the same rate.
    const latencyAtStart = (trials: TrialResult[]) => {
      const t = trials.find((trial) => trial.rate === start);
      return t === undefined ? undefined : t.direction === 'xmpp-to-sip' ? t.xmppSetupMs : t.sipSetupMs;
    };
    const summary = (['sip-to-xmpp', 'xmpp-to-sip'] as const).map((direction) => {
      const s = direction === 'sip-to-xmpp' ? sipToXmpp : xmppToSip;
      const xmppCeiling = iq.perSecond / IQS_PER_CALL[direction];
      const lat = direction === 'sip-to-xmpp' ? s.bestTrial?.sipSetupMs : s.bestTrial?.xmppSetupMs;
      const cpu = perCall(direction === 'sip-to-xmpp' ? cpuS2X : cpuX2S);
      const cpuHigh = perCall(direction === 'sip-to-xmpp' ? cpuHighS2X : cpuHighX2S);
      rows.push([
        direction,
        String(s.best),
        String(echoSearch.best),
        fixed(s.best / Math.max(1, echoSearch.best), 2),
        fixed(xmppCeiling, 0),
        fixed(s.best / xmppCeiling, 2),
        fixed(lat?.p50, 1),
        fixed(lat?.p99, 1),
        `${fixed(latencyAtStart(s.trials)?.p50, 1)} / ${fixed(latencyAtStart(s.trials)?.p99, 1)}`,
        fixed(cpu, 2),
        fixed(cpuHigh, 2),
      ]);
      return {
        direction,
        best: s.best,
        sipCeiling: echoSearch.best,
        xmppCeilingCallsPerSecond: xmppCeiling,
        cpuMsPerCall: cpu,
        cpuMsPerCallHighRate: { rate: cpuRateHigh, ms: cpuHigh },
        latencyAtStartRate: { rate: start, setupMs: latencyAtStart(s.trials) },
        bestTrial: s.bestTrial,
        trials: s.trials,
      };
    });
    console.log(`\n${table(rows)}`);
    console.log(
      `echo UAS: CPU ${fixed(perCall(cpuEcho), 3)} ms/call at ${String(cpuRate)}/s, ${fixed(perCall(cpuHighEcho), 3)} at ${String(cpuRateHigh)}/s; p50/p99 ${fixed(latencyAtStart(echoSearch.trials)?.p50, 1)} / ${fixed(latencyAtStart(echoSearch.trials)?.p99, 1)} ms at ${String(start)}/s`,
    );

    const path = writeResults('bench', {
      durationMs,
      holdMs: bench.holdMs,
      summary,
      ceilings: {
        sipEchoUas: {
          best: echoSearch.best,
          trials: echoSearch.trials,
          cpuMsPerCall: perCall(cpuEcho),
          cpuMsPerCallHighRate: { rate: cpuRateHigh, ms: perCall(cpuHighEcho) },
        },
        prosody: {
          iqRoundTripsPerSecond: iq.perSecond,
          roundTrips: iq.roundTrips,
          rttMs: iqLatency,
          iqsPerCall: IQS_PER_CALL,
        },
      },
      cpuPerCall: { rate: cpuRate, durationMs: cpuDurationMs, sipToXmpp: cpuS2X, xmppToSip: cpuX2S, echoUas: cpuEcho },
      cpuPerCallHighRate: {
        rate: cpuRateHigh,
        durationMs: cpuDurationMs,
        sipToXmpp: cpuHighS2X,
        xmppToSip: cpuHighX2S,
        echoUas: cpuHighEcho,
      },
    });
    console.log(`\nresults: ${path}`);
  } finally {
    await bench.close();
  }
}

await main();
