/** Machine facts recorded with every result file, so runs on different machines are not compared blindly. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem, type } from 'node:os';
import { gatewayEntryIfBuilt } from './build.ts';

function firstLine(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      .split('\n')[0]!
      .trim();
  } catch (error) {
    // sipp -v exits non-zero after printing its version.
    const out = (error as { stdout?: string }).stdout ?? '';
    return (
      out
        .split('\n')
        .find((l) => l.trim() !== '')
        ?.trim() ?? 'unknown'
    );
  }
}

export interface MachineInfo {
  os: string;
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  node: string;
  prosody: string;
  sipp: string;
}

export function machineInfo(): MachineInfo {
  const cpuList = cpus();
  return {
    os: `${type()} ${release()}`,
    cpuModel: cpuList[0]?.model ?? 'unknown',
    cpus: cpuList.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    prosody: firstLine('dpkg-query', ['-W', '-f', '${Version}', 'prosody']),
    sipp: firstLine('/usr/bin/sipp', ['-v']),
  };
}

export const resultsDir = new URL('../results/', import.meta.url).pathname;

/** Writes bench/results/<bench>-latest.json (one committed file per bench; older runs live in git history). */
export function writeResults(bench: string, body: object): string {
  mkdirSync(resultsDir, { recursive: true });
  const path = `${resultsDir}${bench}-latest.json`;
  const gatewayDir = process.env.BENCH_GATEWAY_DIR;
  const commit = firstLine('git', [
    '-C',
    gatewayDir ?? new URL('../..', import.meta.url).pathname,
    'rev-parse',
    '--short',
    'HEAD',
  ]);
  const under = {
    gateway: gatewayDir ?? 'this working tree',
    commit: gatewayDir === undefined ? commit : 'see BENCH_GATEWAY_DIR',
    // Only benches that start the gateway process compile it; the others leave this false.
    gatewayCompiled: gatewayEntryIfBuilt()?.compiled ?? false,
  };
  writeFileSync(
    path,
    `${JSON.stringify({ bench, date: new Date().toISOString(), machine: machineInfo(), ...under, ...body }, null, 2)}\n`,
  );
  return path;
}
