/**
 * `tsx bench/profile.ts [--rate R] [--duration S]`: runs the gateway under `node --cpu-prof` at a
 * fixed load (default 100 calls/s each way, 10 s per direction) and prints the frames with the
 * most self time, grouped by function and file. The .cpuprofile file is kept (open it in Chrome
 * DevTools or speedscope) under bench/results/profile/, which git ignores (*.cpuprofile).
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { parseBenchArgs } from './lib/args.ts';
import { startBench } from './lib/env.ts';
import { resultsDir } from './lib/machine.ts';
import { fixed, table } from './lib/stats.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = parseBenchArgs();
const rate = args.number('rate', 100);
const durationMs = args.number('duration', 10) * 1000;
const dir = `${resultsDir}profile/`;
mkdirSync(dir, { recursive: true });

const bench = await startBench({ gatewayNodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
let results: string[];
try {
  const before = new Set(readdirSync(dir));
  const s2x = await bench.sipToXmpp(rate, durationMs);
  const x2s = await bench.xmppToSip(rate, durationMs);
  console.log(
    `sip-to-xmpp ${String(s2x.completed)}/${String(s2x.offered)}, xmpp-to-sip ${String(x2s.completed)}/${String(x2s.offered)} calls`,
  );
  await bench.gateway.stop(15_000); // the profile is written when the process exits
  results = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
} finally {
  await bench.close();
}

for (const file of results) {
  const profile = JSON.parse(readFileSync(`${dir}${file}`, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const grouped = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) continue;
    const where = frame.url.replace(/^file:\/\/.*?\/(node_modules|src)\//, '$1/').replace(/^node:/, 'node:');
    const key = `${frame.functionName || '(anonymous)'}  ${where}${where === '' ? '' : `:${String(frame.lineNumber + 1)}`}`;
    grouped.set(key, (grouped.get(key) ?? 0) + us);
  }
  const top = [...grouped.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
  console.log(`\n${dir}${file}: ${fixed(total / 1000, 0)} ms sampled`);
  console.log(
    table([
      ['self %', 'self ms', 'frame'],
      ...top.map(([k, us]) => [fixed((100 * us) / total, 1), fixed(us / 1000, 0), k]),
    ]),
  );
}
