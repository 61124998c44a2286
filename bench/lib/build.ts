/**
 * The gateway the benchmarks measure runs as operators run it in production: compiled JavaScript
 * (`npm run build`, as in the Docker image), not the TypeScript sources through tsx's loader,
 * whose loader thread costs ~35–40 MiB of RSS and whose compilation shows in a CPU profile.
 *
 * The tree under test (this one, or BENCH_GATEWAY_DIR) is compiled with its own
 * tsconfig.build.json into a temporary directory laid out like the tree (dist/, package.json,
 * node_modules), once per benchmark process. BENCH_GATEWAY_TSX=1, or a tree without
 * tsconfig.build.json, runs its bin/jingle-sip-gateway through tsx instead.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GatewayEntry {
  /** The script node runs: `…/dist/cli.js` or `…/bin/jingle-sip-gateway`. */
  script: string;
  compiled: boolean;
}

const tree = process.env.BENCH_GATEWAY_DIR ?? new URL('../..', import.meta.url).pathname;
let built: GatewayEntry | undefined;

/** The entry of the gateway this process benchmarked, if it started one. */
export function gatewayEntryIfBuilt(): GatewayEntry | undefined {
  return built;
}

export function gatewayEntry(): GatewayEntry {
  if (built !== undefined) return built;
  const buildConfig = join(tree, 'tsconfig.build.json');
  if (process.env.BENCH_GATEWAY_TSX === '1' || !existsSync(buildConfig)) {
    built = { script: join(tree, 'bin', 'jingle-sip-gateway'), compiled: false };
    return built;
  }
  const out = mkdtempSync(join(tmpdir(), 'jsg-bench-build-'));
  process.once('exit', () => {
    rmSync(out, { recursive: true, force: true });
  });
  const tsc = join(new URL('../..', import.meta.url).pathname, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', buildConfig, '--outDir', join(out, 'dist')], { stdio: 'inherit' });
  symlinkSync(join(tree, 'package.json'), join(out, 'package.json'));
  symlinkSync(join(tree, 'node_modules'), join(out, 'node_modules'));
  built = { script: join(out, 'dist', 'cli.js'), compiled: true };
  return built;
}
