/**
 * The fuzz loop: seeds first, then mutated corpus entries, each gateway call timed with
 * process.hrtime.bigint(). An exception the target does not document, or an input slower than
 * `slowMs` on three runs (on the clock and in CPU time), is a finding; the shortest input per
 * finding signature is kept.
 */
import { createRng, minimise, mutate, type MutationContext } from './engine.ts';

export type Timed = <T>(call: () => T) => T;

export interface FuzzTarget {
  name: string;
  seeds: readonly string[];
  tokens: readonly string[];
  lines: readonly string[];
  maxLength: number;
  charset: MutationContext['charset'];
  /**
   * Runs one input through the path; returns an outcome label that never depends on time. Each
   * gateway entry point is called through `timed`, so the time reported is that of the slowest
   * single call (what one SIP message or stanza costs), not of the whole chain.
   */
  run(input: string, timed: Timed): string;
  /** The outcome label of a documented rejection of this path, undefined for anything else. */
  expected(error: unknown): string | undefined;
}

export interface Finding {
  kind: 'exception' | 'slow';
  /** Error class, message with digits folded, and the first stack frame in this project. */
  signature: string;
  message: string;
  stack?: string;
  input: string;
  ms: number;
}

export interface TimedInput {
  /** Wall-clock time of the slowest call (process.hrtime.bigint()). */
  ms: number;
  /** CPU time of that call (process.cpuUsage(), user + system, all threads: GC included). */
  cpuMs: number;
  input: string;
}

export interface FuzzReport {
  target: string;
  seed: number;
  executions: number;
  seconds: number;
  findings: Finding[];
  /** Slowest inputs on the clock, slowest first (times over `slowMs` are the fastest of three runs). */
  slowest: TimedInput[];
  /** Slowest inputs in CPU time: on a busy machine the clock mostly measures the wait for a core. */
  slowestCpu: TimedInput[];
  outcomes: Map<string, number>;
  corpusSize: number;
}

export interface FuzzOptions {
  seed: number;
  /** Stop after this many executions (seeds included)… */
  executions?: number;
  /** …or after this many seconds, whichever comes first. */
  seconds?: number;
  slowMs?: number;
  keepSlowest?: number;
  maxCorpus?: number;
  onFinding?: (finding: Finding) => void;
}

function firstOwnFrame(stack: string | undefined): string {
  const frames = (stack ?? '').split('\n').slice(1);
  const own = frames.find((f) => /\/(src|test)\//.test(f) && !f.includes('/test/fuzz/')) ?? frames[0] ?? '';
  return own
    .replace(/^\s*at\s+/, '')
    .replace(/^.*\/(src|test|node_modules)\//, '$1/')
    .replace(/:\d+\)?$/, '');
}

/** Identity of a finding: the same bug found through many inputs is reported once. */
export function signatureOf(error: unknown): string {
  if (!(error instanceof Error)) return `non-Error ${typeof error}`;
  const message = error.message.replace(/\d+/g, 'N').slice(0, 80);
  return `${error.name}: ${message} @ ${firstOwnFrame(error.stack)}`;
}

/** Runs `target` once: its outcome label (or the undocumented error) and its slowest call in ms. */
export function execute(
  target: FuzzTarget,
  input: string,
): { label: string; error?: unknown; ms: number; cpuMs: number } {
  let slowest = 0;
  let slowestCpu = 0;
  const timed: Timed = (call) => {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    try {
      return call();
    } finally {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const used = process.cpuUsage(cpu);
      if (ms > slowest) {
        slowest = ms;
        slowestCpu = (used.user + used.system) / 1000;
      }
    }
  };
  let label: string;
  let error: unknown;
  let failed = false;
  try {
    label = target.run(input, timed);
  } catch (err) {
    const documented = target.expected(err);
    label = documented ?? 'finding';
    if (documented === undefined) {
      failed = true;
      error = err;
    }
  }
  const times = { ms: slowest, cpuMs: slowestCpu };
  return failed ? { label, error, ...times } : { label, ...times };
}

/** The shortest input that still throws an error of the same signature. */
export function minimiseFinding(target: FuzzTarget, finding: Finding): string {
  if (finding.kind !== 'exception') return finding.input;
  return minimise(finding.input, (candidate) => {
    const result = execute(target, candidate);
    return result.error !== undefined && signatureOf(result.error) === finding.signature;
  });
}

export function runFuzz(target: FuzzTarget, options: FuzzOptions): FuzzReport {
  const slowMs = options.slowMs ?? 50;
  const keepSlowest = options.keepSlowest ?? 5;
  const maxCorpus = options.maxCorpus ?? 4000;
  const rng = createRng(options.seed);
  const corpus = target.seeds.filter((s) => s.length > 0);
  const seen = new Set<string>();
  const outcomes = new Map<string, number>();
  const findings = new Map<string, Finding>();
  const slowest: TimedInput[] = [];
  const slowestCpu: TimedInput[] = [];
  const keep = (list: TimedInput[], timed: TimedInput, by: 'ms' | 'cpuMs'): void => {
    if (list.length >= keepSlowest && timed[by] <= list[list.length - 1]![by]) return;
    list.push(timed);
    list.sort((a, b) => b[by] - a[by]);
    list.length = Math.min(list.length, keepSlowest);
  };
  const ctx: MutationContext = {
    rng,
    corpus,
    tokens: target.tokens,
    lines: target.lines,
    maxLength: target.maxLength,
    charset: target.charset,
  };
  const started = Date.now();
  const deadline = options.seconds === undefined ? Infinity : started + options.seconds * 1000;
  const budget = options.executions ?? Infinity;
  const seedCount = corpus.length;
  let executions = 0;

  const record = (finding: Finding): void => {
    const known = findings.get(finding.signature);
    if (known !== undefined && known.input.length <= finding.input.length) return;
    findings.set(finding.signature, finding);
    if (known === undefined) options.onFinding?.(finding);
  };

  while (executions < budget && Date.now() < deadline) {
    const input = executions < seedCount ? corpus[executions]! : mutate(rng.pick(corpus), ctx);
    executions++;
    let result = execute(target, input);
    let { ms, cpuMs } = result;
    if (ms > slowMs) {
      // One slow run can be a GC pause or a busy machine: the input is slow when it is slow
      // three times, in CPU time as well as on the clock.
      for (let retry = 0; retry < 2 && ms > slowMs; retry++) {
        const again = execute(target, input);
        if (again.ms < ms) ({ ms, cpuMs } = again);
      }
      if (ms > slowMs && cpuMs > slowMs) {
        const message = `${ms.toFixed(1)} ms (CPU ${cpuMs.toFixed(1)} ms)`;
        record({ kind: 'slow', signature: `slow ${result.label}`, message, input, ms });
      }
    }
    keep(slowest, { ms, cpuMs, input }, 'ms');
    keep(slowestCpu, { ms, cpuMs, input }, 'cpuMs');
    if (result.error !== undefined) {
      const error = result.error;
      record({
        kind: 'exception',
        signature: signatureOf(error),
        message: error instanceof Error ? error.message : `thrown ${typeof error}`,
        ...(error instanceof Error && error.stack !== undefined ? { stack: error.stack } : {}),
        input,
        ms,
      });
      result = { ...result, label: `finding ${signatureOf(error)}` };
    }
    outcomes.set(result.label, (outcomes.get(result.label) ?? 0) + 1);
    // Inputs reaching a new outcome (or, rarely, any accepted input) widen the corpus.
    if (executions > seedCount && corpus.length < maxCorpus) {
      if (!seen.has(result.label) || (result.label.startsWith('ok') && rng.chance(0.01))) corpus.push(input);
    }
    seen.add(result.label);
  }
  return {
    target: target.name,
    seed: options.seed,
    executions,
    seconds: (Date.now() - started) / 1000,
    findings: [...findings.values()],
    slowest,
    slowestCpu,
    outcomes,
    corpusSize: corpus.length,
  };
}
