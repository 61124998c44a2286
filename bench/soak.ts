/**
 * `npm run soak`: the long robustness run (issue 4). Both directions at a fixed moderate rate,
 * window after window, through Prosody, the gateway (its own process) and SIPp. Each window must
 * complete every call (0 failed) and leave no call behind; the gateway's RSS after the first
 * window must not keep growing (a leak shows as growth in every window).
 *
 * Flags: --minutes M (default 30), --rate R calls/s per direction (default 20), --window S
 * (default 60). Exit 0 when every window passed, 1 otherwise. Not part of `npm test`.
 */
import { parseBenchArgs } from './lib/args.ts';
import { startBench, type TrialResult } from './lib/env.ts';
import { fixed, table } from './lib/stats.ts';

const args = parseBenchArgs();
const minutes = args.number('minutes', 30);
const rate = args.number('rate', 20);
const windowMs = args.number('window', 60) * 1000;
const windows = Math.max(1, Math.round((minutes * 60_000) / (2 * windowMs)));

const bench = await startBench();
const rows: string[][] = [];
const rss: number[] = [];
let failures = 0;
try {
  for (let i = 0; i < windows; i++) {
    for (const run of [
      (r: number, ms: number) => bench.sipToXmpp(r, ms),
      (r: number, ms: number) => bench.xmppToSip(r, ms),
    ]) {
      const trial: TrialResult = await run(rate, windowMs);
      const left = await bench.drain(10_000);
      const ok = trial.failed === 0 && trial.completed === trial.offered && left === 0;
      if (!ok) failures++;
      rss.push(trial.rssMiB);
      rows.push([
        String(i + 1),
        trial.direction,
        `${String(trial.completed)}/${String(trial.offered)}`,
        String(trial.failed),
        String(trial.retransmissions),
        String(left),
        fixed(trial.rssMiB, 0),
        fixed(trial.cpuPercent, 0),
        ok ? 'ok' : 'FAIL',
      ]);
      console.log(rows.at(-1)!.join('\t'));
    }
  }
} finally {
  await bench.close();
}

console.log(
  table([['window', 'direction', 'done/offered', 'failed', 'retrans', 'left', 'RSS MiB', 'CPU %', ''], ...rows]),
);
// A leak grows in every window; steady state wobbles. Compare the last window with the second
// (the first includes warm-up and JIT).
const growth = rss.length >= 4 ? rss.at(-1)! - rss[2]! : 0;
console.log(
  `RSS after warm-up ${fixed(rss[2] ?? rss.at(-1), 0)} MiB, at the end ${fixed(rss.at(-1), 0)} MiB (${fixed(growth, 0)} MiB)`,
);
const leak = rss.length >= 6 && rss.slice(2).every((v, i, a) => i === 0 || v > a[i - 1]!);
if (leak) console.log('RSS grew in every window after warm-up: possible leak');
process.exit(failures === 0 && !leak ? 0 : 1);
