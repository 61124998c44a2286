/**
 * Turns the `sip.trunk`, `sip.inboundAuth` and `sip.tls` configuration into what the SIP layer
 * takes: digest credentials (the password read from its file), the inbound digest verifier (users
 * from the config and their file), TLS key material, and the trunk registration. Files are read
 * once at start; a missing or empty one stops the start with a message naming the key.
 */
import { readFileSync } from 'node:fs';
import type { GatewayConfig } from '../config/schema.ts';
import { InboundDigest, type DigestCredentials } from './digest.ts';
import type { SipLogger } from './logger.ts';
import type { SipPort } from './port.ts';
import { RegistrationState, TrunkRegistration } from './register.ts';

type SipConfig = GatewayConfig['sip'];

function readConfigFile(key: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`${key}: cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
}

/** The trunk credentials, or undefined when no `sip.trunk.username` is set. */
export function trunkCredentials(sip: SipConfig): DigestCredentials | undefined {
  const { username, password, passwordFile, realm } = sip.trunk;
  if (username === undefined) return undefined;
  let secret = password;
  if (passwordFile !== undefined) {
    secret = readConfigFile('sip.trunk.passwordFile', passwordFile).split(/\r?\n/)[0];
    if (secret === undefined || secret === '') throw new Error('sip.trunk.passwordFile: the first line is empty');
  }
  if (secret === undefined)
    throw new Error('sip.trunk.username is set: sip.trunk.password or passwordFile is required');
  return { username, password: secret, ...(realm !== undefined ? { realm } : {}) };
}

/** `username:password` lines; blank lines and `#` comments are skipped. */
export function parseUsersFile(text: string): Map<string, string> {
  const users = new Map<string, string>();
  text.split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const colon = trimmed.indexOf(':');
    if (colon <= 0 || colon === trimmed.length - 1)
      throw new Error(`sip.inboundAuth.usersFile: line ${index + 1} is not username:password`);
    users.set(trimmed.slice(0, colon), trimmed.slice(colon + 1));
  });
  return users;
}

/** The verifier of `sip.inboundAuth`, or undefined when no realm is configured (no challenge). */
export function inboundDigest(sip: SipConfig): InboundDigest | undefined {
  const { realm, users, usersFile, nonceLifetimeMs } = sip.inboundAuth;
  if (realm === undefined) return undefined;
  const table = new Map<string, string>((users ?? []).map((u) => [u.username, u.password]));
  if (usersFile !== undefined) {
    for (const [name, password] of parseUsersFile(readConfigFile('sip.inboundAuth.usersFile', usersFile)))
      table.set(name, password);
  }
  return new InboundDigest({ realm, users: table, nonceLifetimeMs });
}

/** Key material for `tls:` listeners and outgoing TLS (`sips:`, `;transport=tls`). */
export function tlsMaterial(sip: SipConfig): { key: string; cert: string; ca?: string } | undefined {
  const { certFile, keyFile, caFile } = sip.tls;
  const needed = sip.listen.some((entry) => entry.transport === 'tls');
  if (certFile === undefined || keyFile === undefined) {
    if (needed) throw new Error('sip.listen has a tls: entry: sip.tls.certFile and sip.tls.keyFile are required');
    return undefined;
  }
  return {
    cert: readConfigFile('sip.tls.certFile', certFile),
    key: readConfigFile('sip.tls.keyFile', keyFile),
    ...(caFile !== undefined ? { ca: readConfigFile('sip.tls.caFile', caFile) } : {}),
  };
}

/** RFC 3261 §10.2: the AOR of the trunk account, `sip:USER@` + the registrar's host and port. */
export function trunkAor(registrar: string, username: string): string {
  const match = /^(sips?):(?:[^@;]*@)?([^;?]*)/i.exec(registrar);
  const scheme = match?.[1]?.toLowerCase() ?? 'sip';
  return `${scheme}:${encodeURIComponent(username)}@${match?.[2] ?? ''}`;
}

/** Where the trunk registration runs: the port, the gateway's Contact for a transport, a log. */
export interface TrunkRegistrationDeps {
  port: SipPort;
  contactUri: (user: string, transport: 'udp' | 'tcp' | 'tls') => string;
  logger?: SipLogger | undefined;
  onRegistered?: ((registered: boolean) => void) | undefined;
}

/** Starts REGISTER to `sip.trunk.registrar`, or returns undefined when none is configured. */
export function startTrunkRegistration(
  sip: SipConfig,
  credentials: DigestCredentials | undefined,
  deps: TrunkRegistrationDeps,
): TrunkRegistration | undefined {
  const { registrar, username, expires } = sip.trunk;
  if (registrar === undefined || username === undefined) return undefined;
  const transport = /^sips:/i.test(registrar)
    ? 'tls'
    : ((/;transport=(udp|tcp|tls)/i.exec(registrar)?.[1]?.toLowerCase() ?? 'udp') as 'udp' | 'tcp' | 'tls');
  const registration = new TrunkRegistration({
    port: deps.port,
    registrar,
    aor: trunkAor(registrar, username),
    contact: deps.contactUri(username, transport),
    expires,
    credentials,
    logger: deps.logger,
    onStateChange: (state) => {
      deps.onRegistered?.(state === RegistrationState.Registered);
    },
  });
  registration.start();
  return registration;
}
