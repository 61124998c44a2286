/**
 * `npm run bench:overload`: offers twice the sustainable rate in each direction and reports the
 * goodput (calls answered and ended, as a share of those offered and, per second, of the
 * sustainable rate), the calls the gateway shed (503 seen by SIPp, `resource-constraint` seen by
 * the XMPP load client; and the gateway's own count by reason) apart from the calls that failed
 * (other statuses, Jingle errors, timeouts), and whether the gateway still takes the sustainable
 * rate cleanly right after (no collapse).
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
        'good/offered',
        'good/s',
        'good/s ÷ 1×',
        'shed',
        'failed',
        'retrans',
        'p50 ms',
        'p99 ms',
        'gw cpu%',
        'gateway shed by reason',
        'other outcomes',
        'after: 1× rate',
      ],
    ];
    for (const r of results) {
      const o = r.overload;
      const lat = r.direction === 'xmpp-to-sip' ? o.xmppSetupMs : o.sipSetupMs;
      const goodPerSecond = o.completed / (durationMs / 1000);
      const byReason = Object.entries(o.shedByGateway)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k}:${String(n)}`)
        .join(' ');
      // What is neither answered nor shed: other SIP statuses, Jingle errors, timeouts.
      const others = Object.entries(o.outcomes)
        .filter(([k, n]) => k !== '200' && k !== '503' && k !== 'initiate-error:resource-constraint' && n > 0)
        .map(([k, n]) => `${k}:${String(n)}`)
        .join(' ');
      rows.push([
        r.direction,
        String(o.rate),
        String(o.offered),
        String(o.completed),
        `${fixed((100 * o.completed) / Math.max(1, o.offered), 1)} %`,
        fixed(goodPerSecond, 0),
        // Useful calls per second under 2× load as a share of the 1× (sustainable) rate: with load
        // shed, good/offered cannot exceed about 50 % at 2×, while this stays near 100 % if nothing collapses.
        `${fixed((100 * goodPerSecond) / r.sustainable, 1)} %`,
        String(o.shed),
        String(o.failed),
        String(o.retransmissions),
        fixed(lat?.p50, 1),
        fixed(lat?.p99, 1),
        fixed(o.cpuPercent, 0),
        byReason === '' ? '–' : byReason,
        others === '' ? '–' : others,
        r.after.pass
          ? 'clean'
          : `${String(r.after.completed)}/${String(r.after.offered)} good, ${String(r.after.shed)} shed, ${String(r.after.retransmissions)} retrans`,
      ]);
    }
    console.log(`\n${table(rows)}`);
    console.log(
      'good/s ÷ 1× = answered calls/s under 2× load ÷ the sustainable rate; shed = refused early by admission ' +
        'control (SIP 503, IQ resource-constraint), not counted as failed',
    );
    console.log('target: goodput ≥ 90 % at 2× the sustainable rate, and the 1× rate clean again right after');
    const path = writeResults('overload', { durationMs, rates, results });
    console.log(`\nresults: ${path}`);
  } finally {
    await bench.close();
  }
}

await main();
