/**
 * baresip 1.0.0 (Debian `baresip-core`) as a SIP peer for e2e tests: a real DTLS-SRTP phone
 * (spec §10), headless, with its own configuration directory, auto-answering by default.
 *
 * What makes it run on a test machine (found on Debian bookworm, baresip 1.0.0 / libre 1.1.0):
 * - No sound card: `ausine` is the audio source (a 440 Hz tone; it accepts only 48 kHz stereo,
 *   hence `ausrc_srate 48000` and `ausrc_channels 2`; baresip resamples for PCMU) and `aubridge`
 *   the player and alert device (a virtual device that needs no hardware).
 * - Control: the `stdio` UI reads commands (`/dial <uri>`, `/hangup`, `/quit`) from stdin. It
 *   cannot run with stdin on /dev/null (epoll refuses a regular file), so stdin is a pipe; it
 *   complains "could not setup terminal" and works anyway.
 * - `net_interface 127.0.0.1` puts SIP, the session `c=` and non-ICE media on loopback. The `ice`
 *   module never gathers loopback candidates: with `medianat=ice` the candidates (and the media
 *   `c=`) are the machine's other addresses, e.g. 192.0.2.2, reachable from 127.0.0.1 on Linux.
 * - `statmode_default off` stops the menu's once-a-second status line; `-v` adds the ICE and
 *   DTLS progress lines that `waitForLine` looks for (e.g. `DTLS-SRTP complete`).
 * - The account has `regint=0` (no REGISTER); `answermode=auto` answers every INVITE.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BARESIP_BINARY = '/usr/bin/baresip';
export const BARESIP_MODULE_DIR = '/usr/lib/baresip/modules';

export type BaresipMediaEncryption = 'dtls_srtp' | 'dtls_srtpf' | 'srtp' | 'srtp-mand' | 'none';

export type BaresipAudioSource =
  | 'ausine'
  /** A WAV file played in a loop; its rate and channels must be given (aufile checks them). */
  | { file: string; sampleRate: number; channels: number };

export interface BaresipOptions {
  /** SIP listen address (UDP and TCP); also `net_interface`. */
  sipAddress: { host: string; port: number };
  /** Account `mediaenc` (default `dtls_srtp`). */
  mediaenc?: BaresipMediaEncryption;
  /** Account `medianat`; `ice` makes baresip offer and answer ICE (default: none). */
  medianat?: 'ice';
  /** `rtcp_mux` (baresip's default, and this default: false; spec §10: WebRTC peers need true). */
  rtcpMux?: boolean;
  /** `answermode=auto` (default true); false leaves incoming calls ringing. */
  autoAnswer?: boolean;
  audioSource?: BaresipAudioSource;
  /** The account's user part (default `baresip`). */
  user?: string;
  /** Audio codec modules in preference order (default opus then g711). */
  codecs?: ('opus' | 'g711' | 'g722')[];
  /**
   * SIP over TLS: `sip_certificate` (one PEM file, certificate then private key). baresip 1.0
   * then also listens for TLS on `sipAddress.port + 1` (see `Baresip.tlsUri`).
   */
  tls?: { certificateFile: string };
  /** Lines appended to the config file. */
  extraConfig?: string[];
  /** Startup limit (default 5000 ms). */
  startTimeoutMs?: number;
}

export interface Baresip {
  /** `sip:<user>@<host>:<port>`: what to call. */
  readonly uri: string;
  /** With `tls`: `sip:<user>@<host>:<port + 1>;transport=tls`, baresip's TLS socket. */
  readonly tlsUri: string | undefined;
  readonly pid: number | undefined;
  /** The configuration directory (`-f`), for reading the files written. */
  readonly configDir: string;
  /** Everything baresip printed so far, ANSI colours removed, `\r` turned into line breaks. */
  output(): string;
  /** Types a stdio command, e.g. `/dial sip:…`, `/hangup`. */
  command(line: string): void;
  /** Places a call (`/dial`). */
  dial(uri: string): void;
  hangup(): void;
  /**
   * Resolves with the first output line matching `pattern` at or after `fromOffset` (an earlier
   * `output().length`; default 0, i.e. lines already printed count), waiting up to `timeoutMs`.
   */
  waitForLine(pattern: RegExp, timeoutMs: number, fromOffset?: number): Promise<string>;
  /** Ends baresip (SIGTERM: it hangs up its calls first; SIGKILL after 2 s) and removes its files. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcessWithoutNullStreams>();

export async function startBaresip(options: BaresipOptions): Promise<Baresip> {
  const user = options.user ?? 'baresip';
  const { host, port } = options.sipAddress;
  const configDir = await mkdtemp(join(tmpdir(), 'baresip-'));
  await writeFile(join(configDir, 'config'), baresipConfig(options), 'utf8');
  await writeFile(join(configDir, 'accounts'), `${baresipAccount(options)}\n`, 'utf8');
  // An empty contacts file keeps baresip from writing a default one with public addresses.
  await writeFile(join(configDir, 'contacts'), '', 'utf8');

  const child = spawn(BARESIP_BINARY, ['-f', configDir, '-4', '-v'], { stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  let text = '';
  const listeners = new Set<() => void>();
  const append = (chunk: string): void => {
    // eslint-disable-next-line no-control-regex -- the escapes are exactly what is removed
    text += chunk.replace(/\x1b\[[0-9;]*m/g, '').replace(/\r\n?/g, '\n');
    for (const listener of listeners) listener();
  };
  child.stdout.setEncoding('utf8').on('data', append);
  child.stderr.setEncoding('utf8').on('data', append);
  child.stdin.on('error', () => undefined);
  let exited = false;
  const closed = new Promise<void>((resolve) => {
    child.once('close', () => {
      exited = true;
      running.delete(child);
      for (const listener of listeners) listener();
      resolve();
    });
  });

  function waitForLine(pattern: RegExp, timeoutMs: number, fromOffset = 0): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const line = text
          .slice(fromOffset)
          .split('\n')
          .find((candidate) => pattern.test(candidate));
        if (line !== undefined) {
          finish();
          resolve(line);
          return true;
        }
        if (exited) {
          finish();
          reject(new Error(`baresip exited before printing ${String(pattern)}:\n${text.slice(-3000)}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`baresip printed no ${String(pattern)} within ${timeoutMs} ms:\n${text.slice(-3000)}`));
      }, timeoutMs);
      const listener = (): void => {
        check();
      };
      const finish = (): void => {
        clearTimeout(timer);
        listeners.delete(listener);
      };
      if (!check()) listeners.add(listener);
    });
  }

  const stop = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => {
        child.kill('SIGKILL');
      }, 2000);
      await closed;
      clearTimeout(killTimer);
    }
    await rm(configDir, { recursive: true, force: true });
  };

  try {
    await waitForLine(/^baresip is ready\.$/, options.startTimeoutMs ?? 5000);
    if (/init failed|failed to listen/.test(text)) throw new Error(`baresip did not start:\n${text}`);
  } catch (error) {
    await stop();
    throw error;
  }

  const command = (line: string): void => {
    child.stdin.write(`${line}\n`);
  };
  return {
    uri: `sip:${user}@${host}:${port}`,
    tlsUri: options.tls === undefined ? undefined : `sip:${user}@${host}:${port + 1};transport=tls`,
    pid: child.pid,
    configDir,
    output: () => text,
    command,
    dial: (uri) => {
      command(`/dial ${uri}`);
    },
    hangup: () => {
      command('/hangup');
    },
    waitForLine,
    stop,
  };
}

/** Stops every baresip this module started that still runs (for `after()` hooks). */
export async function killAllBaresip(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('close', () => {
            resolve();
          });
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** The `config` file: only the modules a headless test call needs. */
export function baresipConfig(options: BaresipOptions): string {
  const { host, port } = options.sipAddress;
  const source = options.audioSource ?? 'ausine';
  const codecs = options.codecs ?? ['opus', 'g711'];
  const sourceLines =
    source === 'ausine'
      ? ['audio_source ausine,440', 'ausrc_srate 48000', 'ausrc_channels 2']
      : [`audio_source aufile,${source.file}`, `ausrc_srate ${source.sampleRate}`, `ausrc_channels ${source.channels}`];
  return [
    'poll_method epoll',
    `net_interface ${host}`,
    `sip_listen ${host}:${port}`,
    ...(options.tls === undefined ? [] : [`sip_certificate ${options.tls.certificateFile}`]),
    'call_max_calls 4',
    'audio_player aubridge,nil',
    'audio_alert aubridge,nil',
    ...sourceLines,
    `rtcp_mux ${options.rtcpMux === true ? 'yes' : 'no'}`,
    'statmode_default off',
    `module_path ${BARESIP_MODULE_DIR}`,
    'module stdio.so',
    ...codecs.map((codec) => `module ${codec}.so`),
    source === 'ausine' ? 'module ausine.so' : 'module aufile.so',
    'module aubridge.so',
    ...(options.medianat === 'ice' ? ['module ice.so'] : []),
    ...(options.mediaenc === undefined || options.mediaenc.startsWith('dtls') ? ['module dtls_srtp.so'] : []),
    ...(options.mediaenc?.startsWith('srtp') === true ? ['module srtp.so'] : []),
    'module_tmp account.so',
    'module_app menu.so',
    ...(options.extraConfig ?? []),
    '',
  ].join('\n');
}

/** The one `accounts` line. */
export function baresipAccount(options: BaresipOptions): string {
  const mediaenc = options.mediaenc ?? 'dtls_srtp';
  return [
    `<sip:${options.user ?? 'baresip'}@${options.sipAddress.host}>`,
    'regint=0',
    `answermode=${options.autoAnswer === false ? 'manual' : 'auto'}`,
    ...(mediaenc === 'none' ? [] : [`mediaenc=${mediaenc}`]),
    ...(options.medianat === undefined ? [] : [`medianat=${options.medianat}`]),
  ].join(';');
}
