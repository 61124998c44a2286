/**
 * The service's logger: pino JSON lines on stdout, one child per call. Secrets are redacted by
 * path before a line is written, so a configuration object, a SIP message with credentials or an
 * error carrying the component secret never reaches the log in clear.
 */
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import { redactedMark } from '../config/load.ts';
import type { CallDirection } from '../session/call-state.ts';

export type { Logger } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface LoggerOptions {
  level: LogLevel;
  /** Where the JSON lines go; standard output when absent. Tests pass a stream they read back. */
  destination?: DestinationStream;
}

/**
 * pino redacts by path, not by key name anywhere in the tree, so the paths list the places a
 * secret can appear: top-level fields, one or two levels down (`config.xmpp.secret`, an options
 * object), and SIP headers that carry credentials [RFC 3261 §20.7, §20.28] in dumped messages.
 */
const secretNames = ['secret', 'password', 'authorization', 'proxyAuthorization'];
const sipCredentialHeaders = ['headers.authorization', 'headers["proxy-authorization"]'];

export const redactedPaths: readonly string[] = [
  'xmpp.secret',
  'config.xmpp.secret',
  'config.sip.trunk.password',
  'config.sip.inboundAuth.users[*].password',
  ...secretNames,
  ...secretNames.map((name) => `*.${name}`),
  ...secretNames.map((name) => `*.*.${name}`),
  ...sipCredentialHeaders,
  ...sipCredentialHeaders.map((path) => `*.${path}`),
];

export function createLogger(options: LoggerOptions): Logger {
  const pinoOptions = {
    name: 'jingle-sip-gateway',
    level: options.level,
    redact: { paths: [...redactedPaths], censor: redactedMark },
    // Level names rather than pino's numbers: log collectors and people filter on `"level":"warn"`.
    formatters: { level: (label: string) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  // Synchronous writes to stdout: pino's asynchronous default flushes its buffer at exit while an
  // earlier write may still be in flight, which reorders the last lines (the shutdown story) on a pipe.
  const destination = options.destination ?? pino.destination({ dest: 1, sync: true });
  return pino(pinoOptions, destination);
}

export interface CallLogFields {
  /** SIP Call-ID of the call's dialog. */
  callId?: string | undefined;
  /** Jingle session id. */
  sid?: string | undefined;
  direction: CallDirection;
}

const lineMethods: ReadonlySet<string> = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace']);
const skipLine = (): void => undefined;
/** What a child answers exactly as its parent does: no need to make it. */
const sharedWithParent: ReadonlySet<string> = new Set(['isLevelEnabled', 'level', 'levelVal']);

/**
 * A child logger whose every line names the call, so one call's lines can be filtered out of many.
 *
 * The pino child is made on the first line actually written: making one serialises the bindings
 * and sets up redaction (~35 µs and ~0.5 KiB per call, docs/performance.md), and at `warn` most
 * calls never log. Until then, lines below the level go nowhere, as they would on the child.
 */
export function callLogger(parent: Logger, fields: CallLogFields): Logger {
  const bindings: Record<string, string> = { direction: fields.direction };
  if (fields.callId !== undefined) bindings.callId = fields.callId;
  if (fields.sid !== undefined) bindings.sid = fields.sid;
  let child: Logger | undefined;
  return new Proxy(parent, {
    get(target, property) {
      if (child === undefined && typeof property === 'string') {
        if (lineMethods.has(property) && !target.isLevelEnabled(property)) return skipLine;
        if (sharedWithParent.has(property)) {
          const shared: unknown = Reflect.get(target, property);
          return typeof shared === 'function' ? (shared as (...args: unknown[]) => unknown).bind(target) : shared;
        }
      }
      child ??= target.child(bindings);
      const value: unknown = Reflect.get(child, property);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(child) : value;
    },
  });
}
