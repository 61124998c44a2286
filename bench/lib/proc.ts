/**
 * CPU time and memory of another process, read from /proc (Linux): what a benchmark reports for
 * the gateway, the echo UAS and Prosody without instrumenting them.
 */
import { readFileSync } from 'node:fs';

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every Linux ABI Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime of a process in ms (both include no children). */
export function cpuTimeMs(pid: number): number {
  const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of proc(5) are the 12th and 13th after the name.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Resident set size (VmRSS) in bytes, or the peak (VmHWM). */
export function residentBytes(pid: number, which: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const match = new RegExp(`^${which}:\\s+(\\d+) kB`, 'm').exec(status);
  return match?.[1] === undefined ? 0 : Number(match[1]) * 1024;
}

/** CPU use of a process over an interval: call `stop()` at its end. */
export function cpuMeter(pid: number): { stop(): { cpuMs: number; wallMs: number; percent: number } } {
  const cpu0 = cpuTimeMs(pid);
  const wall0 = performance.now();
  return {
    stop() {
      const cpuMs = cpuTimeMs(pid) - cpu0;
      const wallMs = performance.now() - wall0;
      return { cpuMs, wallMs, percent: (100 * cpuMs) / wallMs };
    },
  };
}

/** Whether a UDP socket is bound to `port` on IPv4 (/proc/net/udp: local address column, hex port). */
export function udpPortBound(port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/udp', 'utf8')
    .split('\n')
    .slice(1)
    .some((line) => line.trim().split(/\s+/)[1]?.endsWith(`:${hexPort}`) === true);
}

/** Waits until `port` is bound (a load generator started), at most `maxMs`; false if it never was. */
export async function waitUdpBound(port: number, maxMs: number): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  while (!udpPortBound(port)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}
