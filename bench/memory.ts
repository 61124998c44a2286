/**
 * `npm run bench:memory`: memory per established call. SIPp places --calls N SIP → XMPP calls
 * (default 10,000) at --rate R (default 200/s) and holds them all; once the gateway reports N
 * active calls, its RSS (/proc) and V8 heap (/metrics nodejs_heap_size_used_bytes) are compared
 * with the idle gateway's, and again --settle S later (default 35 s: the SIP stack keeps each
 * completed INVITE transaction for 32 s, RFC 3261 Timer H/J, so the first figure includes them).
 * Writes bench/results/memory-latest.json.
 */
import { parseBenchArgs } from './lib/args.ts';
import { startBench, XMPP_CALLEE } from './lib/env.ts';
import { writeResults } from './lib/machine.ts';
import { residentBytes } from './lib/proc.ts';
import { freeDualPort } from '../test/e2e/harness/ports.ts';
import { SIPP_HOST, startSippLoad } from './lib/sipp-load.ts';
import { fixed, mib, table } from './lib/stats.ts';

const args = parseBenchArgs();
const calls = args.number('calls', 10_000);
const rate = args.number('rate', 200);
const settleMs = args.number('settle', 35) * 1000;
const rampMs = (calls / rate) * 1000;

async function main(): Promise<void> {
  const bench = await startBench({
    gatewayNodeFlags: ['--expose-gc', '--import', new URL('./lib/gc-on-signal.mjs', import.meta.url).pathname],
  });
  try {
    await bench.sipToXmpp(50, 3000); // warm-up: tsx compiles, V8 optimises
    await new Promise((r) => setTimeout(r, 2000));
    const snapshot = async () => ({
      rss: residentBytes(bench.gateway.pid),
      heap: await bench.gateway.metric('nodejs_heap_size_used_bytes'),
      active: await bench.gateway.metric('jsg_active_calls'),
    });
    const idle = await snapshot();
    console.log(`idle gateway: RSS ${fixed(mib(idle.rss), 1)} MiB, heap ${fixed(mib(idle.heap), 1)} MiB`);
    const holdMs = rampMs + settleMs + 30_000;
    const sipp = startSippLoad({
      scenario: 'uac-bench.xml',
      localPort: await freeDualPort(SIPP_HOST),
      remote: bench.gateway.sipAddress,
      service: encodeURIComponent(XMPP_CALLEE),
      rate,
      calls,
      limit: calls,
      holdMs,
      timeoutMs: holdMs + 60_000,
    });
    const deadline = Date.now() + rampMs + 60_000;
    let now = idle;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      now = await snapshot();
      if (now.active >= calls) break;
    }
    const established = await snapshot();
    console.log(
      `${String(established.active)} active calls after ramp (${String(bench.load.inbound.accepts)} accepted by the XMPP side)`,
    );
    await new Promise((r) => setTimeout(r, settleMs));
    const settled = await snapshot();
    // What the calls retain: V8 collects its old generation only when the heap has grown by a
    // factor, so without this the figures include garbage of the ramp (bench/lib/gc-on-signal.mjs).
    process.kill(bench.gateway.pid, 'SIGUSR2');
    await new Promise((r) => setTimeout(r, 2000));
    const collected = await snapshot();
    sipp.kill();
    const sippResult = await sipp.done;

    const perCall = (s: typeof idle) => ({
      rssKiB: (s.rss - idle.rss) / 1024 / Math.max(1, s.active),
      heapKiB: (s.heap - idle.heap) / 1024 / Math.max(1, s.active),
    });
    const rows = [
      ['moment', 'active calls', 'RSS MiB', 'heap MiB', 'RSS KiB/call', 'heap KiB/call'],
      ['idle', String(idle.active), fixed(mib(idle.rss), 1), fixed(mib(idle.heap), 1), '', ''],
      ...(
        [
          ['all established', established],
          [`+${String(settleMs / 1000)} s`, settled],
          ['after a full GC', collected],
        ] as const
      ).map(([label, s]) => [
        label,
        String(s.active),
        fixed(mib(s.rss), 1),
        fixed(mib(s.heap), 1),
        fixed(perCall(s).rssKiB, 2),
        fixed(perCall(s).heapKiB, 2),
      ]),
    ];
    console.log(`\n${table(rows)}`);
    console.log(`target: 10,000 established calls in ≤ 150 MB RSS (whole process)`);
    console.log(
      `SIPp: ${String(sippResult.successful + sippResult.failed)} ended, ${String(sippResult.failed)} failed when stopped; setup p50 ${fixed(summaryP50(sippResult.setupMs), 1)} ms`,
    );
    const path = writeResults('memory', {
      calls,
      rate,
      settleMs,
      idle,
      established,
      settled,
      collected,
      perCall: { established: perCall(established), settled: perCall(settled), collected: perCall(collected) },
      sipp: { created: sippResult.created, failed: sippResult.failed, retransmissions: sippResult.retransmissions },
    });
    console.log(`\nresults: ${path}`);
  } finally {
    await bench.close();
  }
}

function summaryP50(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

await main();
