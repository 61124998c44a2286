/**
 * RFC 7502-style throughput search: trials of a fixed duration at one offered rate; a trial passes
 * only with zero failed calls and zero retransmissions. The rate doubles until a trial fails,
 * then the interval between the last pass and the first failure is halved until it is narrower
 * than `precision` of the failing rate, or the trial budget is spent.
 */
export interface Trial {
  rate: number;
  pass: boolean;
}

export async function searchHighestRate<T extends Trial>(
  runTrial: (rate: number) => Promise<T>,
  options: { start: number; maxRate: number; maxTrials: number; precision?: number },
): Promise<{ best: number; bestTrial: T | undefined; trials: T[] }> {
  const precision = options.precision ?? 0.1;
  const trials: T[] = [];
  let lo = 0;
  let hi = Infinity;
  let bestTrial: T | undefined;
  let rate = options.start;
  while (trials.length < options.maxTrials) {
    const trial = await runTrial(rate);
    trials.push(trial);
    if (trial.pass) {
      lo = rate;
      bestTrial = trial;
    } else {
      hi = rate;
    }
    if (hi === Infinity) {
      if (rate >= options.maxRate) break;
      rate = Math.min(options.maxRate, rate * 2);
    } else {
      if ((hi - lo) / hi <= precision) break;
      rate = Math.round((lo + hi) / 2);
      if (rate <= lo || rate < 1) break;
    }
  }
  return { best: lo, bestTrial, trials };
}
