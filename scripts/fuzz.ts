/**
 * `npm run fuzz -- [--seconds N] [--seed S] [--target sip|sdp|jingle] [--max-bytes B]`: the long
 * run of the mutation fuzzer in test/fuzz (npm test runs a short fixed budget of it). Prints
 * executions per second, each finding as it is found (minimised), the outcome mix and the
 * slowest inputs; writes every finding's input to fuzz-findings/ (gitignored). Exits 1 when
 * something was found.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { minimiseFinding, runFuzz, type Finding, type FuzzTarget } from '../test/fuzz/runner.ts';
import { targetFactories, type TargetName } from '../test/fuzz/targets.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    seed: { type: 'string', default: '1' },
    target: { type: 'string', multiple: true },
    'max-bytes': { type: 'string' },
    'slow-ms': { type: 'string', default: '50' },
  },
});

const names = (values.target ?? Object.keys(targetFactories)) as TargetName[];
for (const name of names) {
  if (!(name in targetFactories)) {
    console.error(`fuzz: unknown target ${name} (sip, sdp, jingle)`);
    process.exit(2);
  }
}
const seconds = Number(values.seconds);
const seed = Number(values.seed);
const slowMs = Number(values['slow-ms']);
const maxBytes = values['max-bytes'] === undefined ? undefined : Number(values['max-bytes']);
const outDir = join(new URL('..', import.meta.url).pathname, 'fuzz-findings');

function preview(text: string, length = 160): string {
  const json = JSON.stringify(text);
  return json.length > length ? `${json.slice(0, length)}…" (${text.length} chars)` : json;
}

function save(target: FuzzTarget, finding: Finding, index: number): string {
  mkdirSync(outDir, { recursive: true });
  const base = join(outDir, `${target.name}-seed${seed}-${String(index).padStart(3, '0')}-${finding.kind}`);
  writeFileSync(`${base}.input`, finding.input, target.charset === 'latin1' ? 'latin1' : 'utf8');
  writeFileSync(
    `${base}.txt`,
    `${finding.signature}\n${finding.message}\n${finding.ms.toFixed(2)} ms\n\n${finding.stack ?? ''}\n`,
  );
  return base;
}

let found = 0;
for (const name of names) {
  const target = maxBytes === undefined ? targetFactories[name]() : targetFactories[name](maxBytes);
  console.log(
    `\n== ${name}: ${target.seeds.length} seeds, ${seconds} s, seed ${seed}, inputs ≤ ${target.maxLength} chars`,
  );
  let index = 0;
  const report = runFuzz(target, {
    seed,
    seconds,
    slowMs,
    onFinding(finding) {
      index += 1;
      const minimal = minimiseFinding(target, finding);
      const base = save(target, { ...finding, input: minimal }, index);
      console.log(`  finding ${index} (${finding.kind}) ${finding.signature}`);
      console.log(`    ${finding.message.slice(0, 200)}`);
      console.log(`    input ${preview(minimal)} → ${base}.input`);
    },
  });
  found += report.findings.length;
  const rate = report.executions / report.seconds;
  console.log(
    `  ${report.executions} executions in ${report.seconds.toFixed(1)} s = ${rate.toFixed(0)}/s, corpus ${report.corpusSize}`,
  );
  console.log(`  findings: ${report.findings.length}`);
  const outcomes = [...report.outcomes.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
  console.log(`  outcomes (top ${outcomes.length} of ${report.outcomes.size}):`);
  for (const [label, count] of outcomes) console.log(`    ${String(count).padStart(8)}  ${label.slice(0, 110)}`);
  for (const [title, list] of [
    ['slowest calls (clock)', report.slowest],
    ['slowest calls (CPU)', report.slowestCpu],
  ] as const) {
    console.log(`  ${title}:`);
    for (const slow of list) {
      const times = `${slow.ms.toFixed(2).padStart(8)} ms (CPU ${slow.cpuMs.toFixed(2).padStart(6)} ms)`;
      console.log(`    ${times}  ${preview(slow.input, 100)}`);
    }
  }
}
process.exit(found > 0 ? 1 : 0);
