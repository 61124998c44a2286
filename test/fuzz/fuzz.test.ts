/**
 * The short, deterministic budget of the mutation fuzzer (`npm run fuzz` is the long run): a
 * fixed seed and execution count per path, inputs capped at 2 KiB so the budget stays a few
 * seconds on a 2-core CI machine (the long run blows inputs up to the real limits).
 *
 * Asserted: no undocumented exception (see targets.ts for what each path may throw), and that a
 * seed replays the same run. The 50 ms per-call oracle is measured and reported, not asserted:
 * a timing assertion would make a busy CI machine flaky.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng, minimise, mutate, type MutationContext } from './engine.ts';
import { runFuzz, type FuzzReport } from './runner.ts';
import { targetFactories, type TargetName } from './targets.ts';

const seed = 20261125;
const executions = 2000;
const maxLength = 2048;

function describeFindings(report: FuzzReport): string {
  return report.findings
    .filter((f) => f.kind === 'exception')
    .map((f) => `${f.signature}\n  input: ${JSON.stringify(f.input.slice(0, 300))}`)
    .join('\n');
}

describe('fuzz: mutation engine', () => {
  it('replays the same mutations for the same seed', () => {
    const run = (s: number): string[] => {
      const ctx: MutationContext = {
        rng: createRng(s),
        corpus: ['v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n'],
        tokens: ['a=setup:actpass'],
        lines: ['a=rtcp-mux'],
        maxLength: 256,
        charset: 'latin1',
      };
      return Array.from({ length: 50 }, () => mutate('INVITE sip:a@b SIP/2.0\r\nVia: x\r\n\r\n', ctx));
    };
    assert.deepEqual(run(7), run(7));
    assert.notDeepEqual(run(7), run(8));
    assert.ok(run(7).every((input) => input.length <= 256 && /^[\0-\xff]*$/.test(input)));
  });

  it('replays the same run for the same seed', () => {
    const run = (): [string, number][] =>
      [...runFuzz(targetFactories.sdp(maxLength), { seed, executions: 150 }).outcomes].sort();
    assert.deepEqual(run(), run());
  });

  it('minimises an input to what still fails', () => {
    const input = 'aaaa-bbbb-XY-cccc-dddd';
    assert.equal(
      minimise(input, (candidate) => candidate.includes('X') && candidate.includes('Y')),
      'XY',
    );
  });
});

describe('fuzz: a fixed budget per path', () => {
  for (const name of Object.keys(targetFactories) as TargetName[]) {
    it(`${name}: ${executions} executions, no undocumented exception`, (t) => {
      const target = targetFactories[name](maxLength);
      assert.ok(target.seeds.length > 0, `${name} has seeds`);
      const report = runFuzz(target, { seed, executions });
      assert.equal(report.executions, executions);
      t.diagnostic(
        `${name}: ${report.executions} executions in ${report.seconds.toFixed(2)} s; ` +
          `slowest call ${report.slowest[0]?.ms.toFixed(1) ?? '-'} ms, ` +
          `most CPU ${report.slowestCpu[0]?.cpuMs.toFixed(1) ?? '-'} ms; ${report.outcomes.size} outcomes`,
      );
      for (const slow of report.findings.filter((f) => f.kind === 'slow')) {
        t.diagnostic(`slow (${slow.message}): ${JSON.stringify(slow.input.slice(0, 120))}`);
      }
      assert.equal(describeFindings(report), '');
      // The outcome mix shows the mutations get past the first check of each path.
      assert.ok(report.outcomes.size >= 5, `${name} reached ${report.outcomes.size} outcomes`);
    });
  }
});
