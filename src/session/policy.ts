/**
 * Who may use the gateway, and how much: the pure building blocks of its authorization rules.
 * No I/O and no clock of their own: every time-dependent piece takes a `Clock` (monotonic
 * milliseconds) so tests drive time by hand.
 *
 * - `TokenBuckets`: one token bucket per key (bare JID, source IP), bounded in memory.
 * - `AddressSet`: CIDR lists (IPv4 and IPv6) over node:net's BlockList.
 * - `DialPlan`: allow/deny regular expressions over the dialled address.
 * - `LogThrottle`: at most one log line per key and interval, so a flood of refusals cannot
 *   become a flood of log lines.
 */
import { BlockList, isIP } from 'node:net';
import { splitSipUri } from '../mapping/address/sip-uri.ts';

/** Monotonic milliseconds. */
export type Clock = () => number;

/** Why a call or a request was refused: the `reason` label of `jsg_calls_refused_total`. */
export const refusalReasons = [
  'caller-not-allowed',
  'destination-denied',
  'call-rate-exceeded',
  'concurrent-calls-exceeded',
  'source-not-allowed',
  'source-rate-exceeded',
  // Admission control, either direction (src/session/admission.ts).
  'max-calls',
  'max-setups',
  'event-loop-delay',
] as const;
export type RefusalReason = (typeof refusalReasons)[number];

// --- Token buckets ---

export interface TokenBucketOptions {
  /** Tokens a full bucket holds: the burst admitted at once. */
  capacity: number;
  /** Tokens added per second, up to `capacity`. */
  refillPerSecond: number;
  /**
   * Most keys remembered. Past it the least recently used key is forgotten: keys are chosen by
   * whoever sends us traffic (a spoofed UDP source can be any address), so the map must not grow
   * without bound. A forgotten key starts again with a full bucket.
   */
  maxKeys?: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  at: number;
}

export const defaultMaxKeys = 10_000;

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxKeys: number;

  constructor(
    private readonly options: TokenBucketOptions,
    private readonly now: Clock,
  ) {
    if (!(options.capacity >= 1) || !(options.refillPerSecond > 0)) {
      throw new RangeError('a token bucket needs capacity ≥ 1 and refillPerSecond > 0');
    }
    this.maxKeys = options.maxKeys ?? defaultMaxKeys;
  }

  /** Takes one token from `key`'s bucket, or says how long until one is there. */
  take(key: string): TakeResult {
    const now = this.now();
    const bucket = this.refilled(key, now);
    // Re-inserting keeps the Map in least-recently-used order (its first key is the oldest).
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    const missing = 1 - bucket.tokens;
    return { ok: false, retryAfterMs: Math.ceil((missing / this.options.refillPerSecond) * 1000) };
  }

  /** Keys currently remembered (for tests and the memory bound). */
  get size(): number {
    return this.buckets.size;
  }

  private refilled(key: string, now: number): Bucket {
    const { capacity, refillPerSecond } = this.options;
    const bucket = this.buckets.get(key);
    if (bucket === undefined) return { tokens: capacity, at: now };
    const elapsed = Math.max(0, now - bucket.at) / 1000;
    return { tokens: Math.min(capacity, bucket.tokens + elapsed * refillPerSecond), at: now };
  }
}

// --- Addresses ---

export interface Cidr {
  family: 'ipv4' | 'ipv6';
  address: string;
  prefix: number;
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a bare address (a /32 or /128); a string says what is wrong. */
export function parseCidr(text: string): Cidr | string {
  const [address = '', prefixText, extra] = text.trim().split('/');
  if (extra !== undefined) return `"${text}" has more than one "/"`;
  const version = isIP(address);
  if (version === 0) return `"${text}" does not start with an IPv4 or IPv6 address`;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const max = version === 4 ? 32 : 128;
  if (prefixText === undefined) return { family, address, prefix: max };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) {
    return `"${text}": the prefix length must be a whole number from 0 to ${String(max)}`;
  }
  return { family, address, prefix: Number(prefixText) };
}

/** The problem with a CIDR entry, for the configuration schema; undefined when it is fine. */
export function cidrProblem(text: string): string | undefined {
  const parsed = parseCidr(text);
  return typeof parsed === 'string' ? parsed : undefined;
}

/**
 * A source address as a socket reports it, in the form the CIDR lists are written in: an
 * IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, from a dual-stack socket) is the IPv4 address,
 * and a zone (`fe80::1%eth0`) is dropped.
 */
export function normalizeAddress(address: string): string {
  const unzoned = address.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(unzoned);
  return mapped?.[1] ?? unzoned;
}

export class AddressSet {
  private readonly list = new BlockList();
  readonly empty: boolean;

  /** `entries` must be valid (see `parseCidr`); an invalid one throws. */
  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const cidr = parseCidr(entry);
      if (typeof cidr === 'string') throw new RangeError(cidr);
      this.list.addSubnet(cidr.address, cidr.prefix, cidr.family);
    }
    this.empty = entries.length === 0;
  }

  /** False for anything that is not an IP address. */
  has(address: string): boolean {
    const normalized = normalizeAddress(address);
    const version = isIP(normalized);
    if (version === 0) return false;
    return this.list.check(normalized, version === 4 ? 'ipv4' : 'ipv6');
  }
}

// --- Dial plan ---

/** Case-insensitive: host names compare so [RFC 3261 §19.1.4], and a deny rule must not be dodged by case. */
const dialPlanFlags = 'i';

/** The problem with a dial-plan pattern, for the configuration schema; undefined when it compiles. */
export function patternProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern, dialPlanFlags);
    return undefined;
  } catch (err) {
    return `"${pattern}" is not a valid regular expression: ${(err as Error).message}`;
  }
}

/** RFC 3966 §3: a global (`+…`) or local number, possibly with visual separators. */
const TELEPHONE_USER = /^\+?[0-9\-.()]+$/;

/**
 * What dial-plan patterns are matched against: `user@host` of the callee's SIP URI, the user
 * part percent-decoded and, when it is a telephone number, without its visual separators
 * (`-`, `.`, `(`, `)`) and user parameters (`;phone-context=…`), so `+1-900-555-0100`,
 * `%2B19005550100` and `+19005550100;isub=1` all read `+19005550100` [RFC 3966 §3, §5.1.1].
 * The host is lowercased and loses its port. Undefined for a URI that is not sip:/sips:.
 */
export function dialString(uri: string): string | undefined {
  const parts = splitSipUri(uri);
  if (parts === undefined) return undefined;
  let user = decodeLenient(parts.user ?? '');
  const number = user.split(';')[0] ?? '';
  if (TELEPHONE_USER.test(number)) user = number.replace(/[-.()]/g, '');
  const host = parts.hostport.toLowerCase().replace(/:\d*$/, '');
  return `${user}@${host}`;
}

function decodeLenient(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export type DialDecision = { ok: true } | { ok: false; rule: 'deny' | 'allow'; pattern?: string };

/**
 * Deny wins: a dial string matching any `deny` pattern is refused; otherwise, when `allow` is
 * not empty, it must match one of those. Patterns are unanchored JavaScript regular expressions,
 * case-insensitive; anchor them yourself (`^\+1900`, `@trunk\.example$`).
 */
export class DialPlan {
  private readonly allow: readonly RegExp[];
  private readonly deny: readonly RegExp[];

  constructor(rules: { allow: readonly string[]; deny: readonly string[] }) {
    this.allow = rules.allow.map((p) => new RegExp(p, dialPlanFlags));
    this.deny = rules.deny.map((p) => new RegExp(p, dialPlanFlags));
  }

  check(uri: string): DialDecision {
    const target = dialString(uri);
    if (target === undefined) return { ok: false, rule: 'allow' };
    const denied = this.deny.find((re) => re.test(target));
    if (denied !== undefined) return { ok: false, rule: 'deny', pattern: denied.source };
    if (this.allow.length > 0 && !this.allow.some((re) => re.test(target))) return { ok: false, rule: 'allow' };
    return { ok: true };
  }
}

// --- Log throttling ---

export type ThrottleDecision = { log: true; suppressed: number } | { log: false };

/** At most one log line per key per `intervalMs`; the next line says how many were skipped. */
export class LogThrottle {
  private readonly buckets: TokenBuckets;
  private readonly suppressed = new Map<string, number>();

  constructor(
    intervalMs: number,
    now: Clock,
    private readonly maxKeys = 1000,
  ) {
    this.buckets = new TokenBuckets({ capacity: 1, refillPerSecond: 1000 / intervalMs, maxKeys }, now);
  }

  shouldLog(key: string): ThrottleDecision {
    if (this.buckets.take(key).ok) {
      const suppressed = this.suppressed.get(key) ?? 0;
      this.suppressed.delete(key);
      return { log: true, suppressed };
    }
    // Bounded like the buckets: past maxKeys, skipped lines of new keys go uncounted.
    if (this.suppressed.has(key) || this.suppressed.size < this.maxKeys) {
      this.suppressed.set(key, (this.suppressed.get(key) ?? 0) + 1);
    }
    return { log: false };
  }
}
