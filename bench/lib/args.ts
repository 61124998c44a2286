/** Command-line flags shared by the benchmark scripts: --quick, --long, --duration S, --NAME VALUE. */
export interface BenchArgs {
  /** Trial duration in ms: 60 s by default, 10 s with --quick, 10 min with --long, or --duration S. */
  durationMs: number;
  quick: boolean;
  long: boolean;
  number(name: string, fallback: number): number;
  flag(name: string): boolean;
}

export function parseBenchArgs(argv: string[] = process.argv.slice(2)): BenchArgs {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i === -1 ? undefined : argv[i + 1];
  };
  const flag = (name: string) => argv.includes(`--${name}`);
  const quick = flag('quick');
  const long = flag('long');
  const duration = value('duration');
  const durationMs = duration !== undefined ? Number(duration) * 1000 : quick ? 10_000 : long ? 600_000 : 60_000;
  if (!(durationMs > 0)) throw new Error(`--duration needs a number of seconds, got ${String(duration)}`);
  return {
    durationMs,
    quick,
    long,
    flag,
    number(name, fallback) {
      const text = value(name);
      if (text === undefined) return fallback;
      const n = Number(text);
      if (!Number.isFinite(n)) throw new Error(`--${name} needs a number, got ${text}`);
      return n;
    },
  };
}
