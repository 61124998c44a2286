/**
 * `npm run bench:overload`: offers twice the sustainable rate in each direction and reports the
 * goodput (calls answered and ended / calls offered), what the refused calls got (SIP statuses
 * seen by SIPp; Jingle errors and terminate reasons seen by the XMPP load client), and whether
 * the gateway still takes the sustainable rate cleanly right after (no collapse).
 *
 * The sustainable rate per direction: --rate R (both directions), else the last `npm run bench`
 * result (bench/results/bench-latest.json). Trials last --duration S (default 60 s, --quick 10 s).
 * Writes bench/results/overload-latest.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseBenchArgs } from './lib/args.ts';
import { startBench, type TrialResult } from './lib/env.ts';
import { resultsDir, writeResults } from './lib/machine.ts';
import { fixed, table } from './lib/stats.ts';

const args = parseBenchArgs();
const durationMs = args.durationMs;

function sustainableRates(): { 'sip-to-xmpp': number; 'xmpp-to-sip': number } {
  const flag = args.number('rate', 0);
  if (flag > 0) return { 'sip-to-xmpp': flag, 'xmpp-to-sip': flag };
  const path = `${resultsDir}bench-latest.json`;
  if (!existsSync(path)) throw new Error('no --rate and no bench/results/bench-latest.json: run npm run bench first');
  const last = JSON.parse(readFileSync(path, 'utf8')) as { summary: { direction: string; best: number }[] };
  const best = (d: string) => last.summary.find((s) => s.direction === d)?.best ?? 0;
  const rates = { 'sip-to-xmpp': best('sip-to-xmpp'), 'xmpp-to-sip': best('xmpp-to-sip') };
  if (rates['sip-to-xmpp'] <= 0 || rates['xmpp-to-sip'] <= 0) {
    throw new Error(`${path} has no positive sustainable rate; pass --rate`);
  }
  return rates;
}

async function main(): Promise<void> {
  const rates = sustainableRates();
  const bench = await startBench();
  try {
    await bench.sipToXmpp(50, 3000);
    await bench.xmppToSip(50, 3000);
    const results: { direction: string; sustainable: number; overload: TrialResult; after: TrialResult }[] = [];
    for (const direction of ['sip-to-xmpp', 'xmpp-to-sip'] as const) {
      const run = (rate: number, ms: number) =>
        direction === 'sip-to-xmpp' ? bench.sipToXmpp(rate, ms) : bench.xmppToSip(rate, ms);
      const sustainable = rates[direction];
      console.log(
        `${direction}: offering ${String(2 * sustainable)} calls/s (2 × ${String(sustainable)}) for ${String(durationMs / 1000)} s`,
      );
      const overload = await run(2 * sustainable, durationMs);
      // No collapse: the sustainable rate right after the overload, for a short trial.
      const after = await run(sustainable, Math.min(durationMs, 10_000));
      results.push({ direction, sustainable, overload, after });
    }
    const rows = [
      [
        'direction',
        'offered/s',
        'offered',
        'good',
        'goodput',
        'p50 ms',
        'p99 ms',
        'gw cpu%',
        'refusals',
        'after: 1× rate',
      ],
    ];
    for (const r of results) {
      const lat = r.direction === 'xmpp-to-sip' ? r.overload.xmppSetupMs : r.overload.sipSetupMs;
      const refusals = Object.entries(r.overload.outcomes)
        .filter(([k, n]) => k !== '200' && n > 0)
        .map(([k, n]) => `${k}:${String(n)}`)
        .join(' ');
      rows.push([
        r.direction,
        String(r.overload.rate),
        String(r.overload.offered),
        String(r.overload.completed),
        `${fixed((100 * r.overload.completed) / Math.max(1, r.overload.offered), 1)} %`,
        fixed(lat?.p50, 1),
        fixed(lat?.p99, 1),
        fixed(r.overload.cpuPercent, 0),
        refusals === ''
          ? r.overload.retransmissions > 0
            ? `retrans:${String(r.overload.retransmissions)}`
            : '–'
          : refusals,
        r.after.pass
          ? 'clean'
          : `${String(r.after.completed)}/${String(r.after.offered)} good, ${String(r.after.retransmissions)} retrans`,
      ]);
    }
    console.log(`\n${table(rows)}`);
    console.log('target: goodput ≥ 90 % at 2× the sustainable rate, and the 1× rate clean again right after');
    const path = writeResults('overload', { durationMs, rates, results });
    console.log(`\nresults: ${path}`);
  } finally {
    await bench.close();
  }
}

await main();
