/**
 * A throw-away Prosody 0.12 (Debian's /usr/bin/prosody) for integration tests: its own config,
 * data dir and pidfile in a temp dir, c2s and component ports picked free on 127.0.0.1, no TLS
 * and no s2s. Users are created by writing mod_auth_internal_plain account files before start,
 * which is faster than one prosodyctl process per user.
 *
 * SASL: SCRAM-SHA-1 is disabled so @xmpp/client (which prefers SCRAM and runs it slowly in JS)
 * falls back to PLAIN; slixmpp does the same.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPortBound } from './ports.ts';

export const PROSODY_BIN = '/usr/bin/prosody';
const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 3_000;

export interface ProsodyUser {
  username: string;
  password: string;
}

export interface ProsodyOptions {
  /** The c2s virtual host. Default `example.test`. */
  domain?: string;
  /** The XEP-0114 component's domain. Default `gw.<domain>`. */
  componentDomain?: string;
  /** Default `component-secret`. */
  componentSecret?: string;
  /** Accounts created before start. Default: alice/alice-pass and bob/bob-pass. */
  users?: ProsodyUser[];
  /** Further XEP-0114 components on the same port (benchmarks: a load client as a component). */
  extraComponents?: { domain: string; secret: string }[];
  /** Prosody's log level. Default `debug`; benchmarks use `warn` so logging does not bind. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Lua lines added to the global section. Default: Nagle off (docs/operations.md "Latency"). */
  globalConfig?: string;
}

export interface ProsodyServer {
  domain: string;
  componentDomain: string;
  componentSecret: string;
  c2sPort: number;
  componentPort: number;
  /** `xmpp://127.0.0.1:<componentPort>`: the gateway's `xmpp.service`. */
  service: string;
  /** `xmpp://127.0.0.1:<c2sPort>`: for connectUser(). */
  c2sService: string;
  users: { jid: string; username: string; password: string }[];
  dir: string;
  /** Kills Prosody (SIGTERM, then SIGKILL) and removes its directory. Idempotent. */
  stop(): Promise<void>;
  /** Stops Prosody and starts it again on the same ports and data (for reconnect tests). */
  restart(): Promise<void>;
  /** Stops Prosody without removing its directory; `start()` brings it back on the same ports. */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** Prosody's log so far (debug level). */
  log(): string;
}

const DEFAULT_USERS: ProsodyUser[] = [
  { username: 'alice', password: 'alice-pass' },
  { username: 'bob', password: 'bob-pass' },
];

export async function startProsody(options: ProsodyOptions = {}): Promise<ProsodyServer> {
  const domain = options.domain ?? 'example.test';
  const componentDomain = options.componentDomain ?? `gw.${domain}`;
  const componentSecret = options.componentSecret ?? 'component-secret';
  const users = options.users ?? DEFAULT_USERS;
  if (!existsSync(PROSODY_BIN)) {
    throw new Error(`${PROSODY_BIN} not found: install it with "apt-get install prosody"`);
  }

  const dir = await mkdtemp(join(tmpdir(), 'jsg-prosody-'));
  const c2sPort = await freePort(HOST, 'tcp');
  let componentPort = await freePort(HOST, 'tcp');
  while (componentPort === c2sPort) componentPort = await freePort(HOST, 'tcp');

  const configPath = join(dir, 'prosody.cfg.lua');
  const logPath = join(dir, 'prosody.log');
  await writeFile(
    configPath,
    prosodyConfig({
      dir,
      logPath,
      domain,
      componentDomain,
      componentSecret,
      c2sPort,
      componentPort,
      extraComponents: options.extraComponents ?? [],
      logLevel: options.logLevel ?? 'debug',
      globalConfig: options.globalConfig ?? 'network_settings = { nagle = false }',
    }),
  );
  const accounts = join(dir, 'data', encodeStoreName(domain), 'accounts');
  await mkdir(accounts, { recursive: true });
  for (const user of users) {
    await writeFile(
      join(accounts, `${encodeStoreName(user.username)}.dat`),
      `return {\n\t["password"] = ${luaString(user.password)};\n};\n`,
    );
  }

  let child: ChildProcess | undefined;
  let output = '';
  let lastLog = '';
  let removed = false;

  async function start(): Promise<void> {
    if (child !== undefined) return;
    output = '';
    const proc = spawn(PROSODY_BIN, ['--config', configPath, '-F'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let exited: Error | undefined;
    proc.once('exit', (code, signal) => {
      exited = new Error(`prosody exited (${String(code ?? signal)}): ${output}\n${readLog()}`);
      if (child === proc) child = undefined;
    });
    const abort = (): Error | undefined => exited;
    try {
      await waitForPortBound(HOST, c2sPort, 'tcp', START_TIMEOUT_MS, abort);
      await waitForPortBound(HOST, componentPort, 'tcp', START_TIMEOUT_MS, abort);
    } catch (err) {
      await kill();
      throw err;
    }
  }

  async function kill(): Promise<void> {
    const proc = child;
    if (proc === undefined) return;
    child = undefined;
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise<void>((resolve) =>
        proc.once('exit', () => {
          resolve();
        }),
      );
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    lastLog = readLog();
  }

  function readLog(): string {
    if (removed) return lastLog;
    try {
      return readFileSync(logPath, 'utf8');
    } catch {
      return lastLog;
    }
  }

  await start();

  return {
    domain,
    componentDomain,
    componentSecret,
    c2sPort,
    componentPort,
    service: `xmpp://${HOST}:${String(componentPort)}`,
    c2sService: `xmpp://${HOST}:${String(c2sPort)}`,
    users: users.map((user) => ({ ...user, jid: `${user.username}@${domain}` })),
    dir,
    start,
    kill,
    async restart() {
      await kill();
      await start();
    },
    async stop() {
      await kill();
      if (removed) return;
      lastLog = readLog();
      removed = true;
      await rm(dir, { recursive: true, force: true });
    },
    log: readLog,
  };
}

/** Reads the log of a server that may already be stopped. */
export async function readProsodyLog(server: ProsodyServer): Promise<string> {
  try {
    return await readFile(join(server.dir, 'prosody.log'), 'utf8');
  } catch {
    return server.log();
  }
}

interface ConfigValues {
  dir: string;
  logPath: string;
  domain: string;
  componentDomain: string;
  componentSecret: string;
  c2sPort: number;
  componentPort: number;
  extraComponents: { domain: string; secret: string }[];
  logLevel: string;
  globalConfig: string;
}

function prosodyConfig(v: ConfigValues): string {
  return `-- generated by test/e2e/harness/prosody.ts
run_as_root = true
daemonize = false
data_path = ${luaString(join(v.dir, 'data'))}
pidfile = ${luaString(join(v.dir, 'prosody.pid'))}
certificates = ${luaString(v.dir)}
plugin_paths = {}
log = { { levels = { min = ${luaString(v.logLevel)} }, to = "file", filename = ${luaString(v.logPath)} } }
modules_enabled = { "roster"; "saslauth"; "disco"; "ping"; "presence"; "message"; "iq"; "posix" }
modules_disabled = { "s2s"; "tls"; "offline"; "s2s_bidi"; "dialback" }
interfaces = { "127.0.0.1" }
c2s_ports = { ${String(v.c2sPort)} }
c2s_interfaces = { "127.0.0.1" }
c2s_direct_tls_ports = {}
legacy_ssl_ports = {}
s2s_ports = {}
http_ports = {}
https_ports = {}
component_ports = { ${String(v.componentPort)} }
component_interfaces = { "127.0.0.1" }
c2s_require_encryption = false
s2s_require_encryption = false
allow_unencrypted_plain_auth = true
authentication = "internal_plain"
disable_sasl_mechanisms = { "SCRAM-SHA-1"; "SCRAM-SHA-1-PLUS"; "DIGEST-MD5" }
storage = "internal"
limits = {}
${v.globalConfig}

VirtualHost ${luaString(v.domain)}

Component ${luaString(v.componentDomain)}
  component_secret = ${luaString(v.componentSecret)}
${v.extraComponents
  .map((c) => `\nComponent ${luaString(c.domain)}\n  component_secret = ${luaString(c.secret)}\n`)
  .join('')}`;
}

function luaString(value: string): string {
  return JSON.stringify(value);
}

/** Prosody's datamanager escapes every byte outside [A-Za-z0-9] as %xx in store paths. */
function encodeStoreName(name: string): string {
  return Array.from(Buffer.from(name, 'utf8'))
    .map((byte) => {
      const ch = String.fromCharCode(byte);
      return /[A-Za-z0-9]/.test(ch) ? ch : `%${byte.toString(16).padStart(2, '0')}`;
    })
    .join('');
}
