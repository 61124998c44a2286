/**
 * HTTP Digest authentication as SIP uses it [RFC 3261 §22.4, §25.1], with the algorithms of
 * RFC 8760 (SHA-256, SHA-512-256 and their -sess variants next to MD5) and the computation of
 * RFC 7616 §3.4.1 (which RFC 8760 §2.4 adopts for SIP). Both sides live here:
 *
 * - the gateway as client: `parseChallenges`, `pickChallenge` and `digestAuthorization` answer a
 *   401/407 from a trunk;
 * - the gateway as server (`sip.inboundAuth`): `InboundDigest` issues challenges with a nonce that
 *   carries its own expiry and checks the credentials of the retried request.
 *
 * The password never leaves this module except as part of a hash.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess' | 'SHA-512-256' | 'SHA-512-256-sess';

/** node:crypto names of the hash behind each algorithm [RFC 7616 §3.2, RFC 8760 §2.2]. */
const hashName: Readonly<Record<string, string>> = {
  md5: 'md5',
  'sha-256': 'sha256',
  'sha-512-256': 'sha512-256',
};

/**
 * RFC 8760 §2.3: a client that receives several challenges uses the one with the strongest
 * algorithm it supports; "MD5 … MUST be the last".
 */
const preference: readonly string[] = ['sha-512-256', 'sha-256', 'md5'];

export interface DigestCredentials {
  username: string;
  password: string;
  /** When set, only challenges of this realm are answered [RFC 3261 §22.1]. */
  realm?: string | undefined;
}

/** One `Digest` challenge of a WWW-Authenticate or Proxy-Authenticate header [RFC 3261 §20.27, §20.44]. */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque?: string | undefined;
  /** Canonical spelling (`MD5`, `SHA-256`…); MD5 when the challenge names none [RFC 2617 §3.2.1]. */
  algorithm: string;
  /** The qop options offered, lowercase; empty for an RFC 2069-style challenge. */
  qop: readonly string[];
  stale: boolean;
}

/** The inputs of one response computation [RFC 7616 §3.4.1]. */
export interface DigestInput {
  algorithm: string;
  username: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  /** `auth` or absent (RFC 2069 compatibility); `auth-int` is not offered by the gateway. */
  qop?: 'auth' | undefined;
  /** 8 hex digits, required with qop. */
  nc?: string | undefined;
  cnonce?: string | undefined;
}

function baseAlgorithm(algorithm: string): { hash: string; session: boolean } | undefined {
  const lower = algorithm.toLowerCase();
  const session = lower.endsWith('-sess');
  const hash = hashName[session ? lower.slice(0, -'-sess'.length) : lower];
  return hash === undefined ? undefined : { hash, session };
}

export function isSupportedAlgorithm(algorithm: string): boolean {
  return baseAlgorithm(algorithm) !== undefined;
}

/** RFC 7616 §3.4.1-§3.4.3: response = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2). */
export function digestResponse(input: DigestInput): string {
  const base = baseAlgorithm(input.algorithm);
  if (base === undefined) throw new Error(`digest algorithm ${input.algorithm} is not supported`);
  const h = (text: string): string => createHash(base.hash).update(text, 'utf8').digest('hex');
  let ha1 = h(`${input.username}:${input.realm}:${input.password}`);
  // RFC 7616 §3.4.2: the -sess variants hash the nonce and cnonce into A1.
  if (base.session) ha1 = h(`${ha1}:${input.nonce}:${input.cnonce ?? ''}`);
  const ha2 = h(`${input.method}:${input.uri}`);
  if (input.qop === undefined) return h(`${ha1}:${input.nonce}:${ha2}`); // RFC 2069 form
  return h(`${ha1}:${input.nonce}:${input.nc ?? ''}:${input.cnonce ?? ''}:${input.qop}:${ha2}`);
}

/** RFC 7230 §3.2.6 quoted-string → its content. */
function unquote(value: string): string {
  const trimmed = value.trim();
  if (trimmed.length < 2 || !trimmed.startsWith('"') || !trimmed.endsWith('"')) return trimmed;
  return trimmed.slice(1, -1).replace(/\\(.)/g, '$1');
}

function quote(value: string): string {
  return `"${value.replace(/(["\\])/g, '\\$1')}"`;
}

/** `Digest a=b, c="d, e"` → scheme and parameters (names lowercase, values unquoted). */
export function parseAuthParams(text: string): { scheme: string; params: Record<string, string> } {
  const schemeMatch = /^\s*([^\s,]+)\s*/.exec(text);
  const scheme = schemeMatch?.[1] ?? '';
  const params: Record<string, string> = {};
  const pattern = /([^\s,=]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]*)/g;
  const rest = text.slice(schemeMatch?.[0].length ?? 0);
  for (const match of rest.matchAll(pattern)) {
    const name = match[1]!.toLowerCase();
    if (!(name in params)) params[name] = unquote(match[2] ?? '');
  }
  return { scheme, params };
}

/**
 * The parameters of an auth header as the `sip` stack delivers it (objects with quoted values) or
 * as raw text; other shapes give nothing.
 */
function authHeaderEntries(value: unknown): { scheme: string; params: Record<string, string> }[] {
  const items = Array.isArray(value) ? (value as unknown[]) : [value];
  const entries: { scheme: string; params: Record<string, string> }[] = [];
  for (const item of items) {
    if (typeof item === 'string') {
      entries.push(parseAuthParams(item));
    } else if (item !== null && typeof item === 'object') {
      const params: Record<string, string> = {};
      let scheme = '';
      for (const [name, raw] of Object.entries(item as Record<string, unknown>)) {
        if (typeof raw !== 'string') continue;
        if (name === 'scheme') scheme = raw;
        else params[name.toLowerCase()] = unquote(raw);
      }
      entries.push({ scheme, params });
    }
  }
  return entries;
}

function canonicalAlgorithm(name: string | undefined): string {
  if (name === undefined || name === '') return 'MD5';
  const lower = name.toLowerCase();
  const known: DigestAlgorithm[] = ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess', 'SHA-512-256', 'SHA-512-256-sess'];
  return known.find((a) => a.toLowerCase() === lower) ?? name;
}

/** Every Digest challenge of a WWW-Authenticate / Proxy-Authenticate header value. */
export function parseChallenges(value: unknown): DigestChallenge[] {
  return authHeaderEntries(value)
    .filter((entry) => entry.scheme.toLowerCase() === 'digest')
    .flatMap(({ params }) => {
      const { realm, nonce } = params;
      if (realm === undefined || nonce === undefined) return [];
      return [
        {
          realm,
          nonce,
          opaque: params.opaque,
          algorithm: canonicalAlgorithm(params.algorithm),
          qop: (params.qop ?? '')
            .split(',')
            .map((q) => q.trim().toLowerCase())
            .filter((q) => q !== ''),
          stale: (params.stale ?? '').toLowerCase() === 'true',
        },
      ];
    });
}

/**
 * The challenge the gateway answers: a supported algorithm, qop `auth` or none (RFC 2069), the
 * configured realm if any; the strongest algorithm first [RFC 8760 §2.3].
 */
export function pickChallenge(
  challenges: readonly DigestChallenge[],
  credentials: DigestCredentials,
): DigestChallenge | undefined {
  const usable = challenges.filter(
    (c) =>
      isSupportedAlgorithm(c.algorithm) &&
      (c.qop.length === 0 || c.qop.includes('auth')) &&
      (credentials.realm === undefined || credentials.realm === c.realm),
  );
  const rank = (c: DigestChallenge): number => {
    const base = c.algorithm.toLowerCase().replace(/-sess$/, '');
    return preference.indexOf(base);
  };
  return [...usable].sort((a, b) => rank(a) - rank(b))[0];
}

/**
 * The Authorization / Proxy-Authorization value answering `challenge` for `method` `uri`
 * [RFC 3261 §22.4]: qop=auth with nc=00000001 and the given cnonce when the challenge offers qop.
 * Returned in the structured form the `sip` stack serialises (scheme + raw parameter values).
 */
export function digestAuthorization(
  challenge: DigestChallenge,
  credentials: DigestCredentials,
  method: string,
  uri: string,
  cnonce: string,
): Record<string, string> {
  const qop = challenge.qop.includes('auth') ? ('auth' as const) : undefined;
  const nc = '00000001'; // one request per challenge: every retry answers a fresh challenge
  const response = digestResponse({
    algorithm: challenge.algorithm,
    username: credentials.username,
    realm: challenge.realm,
    password: credentials.password,
    method,
    uri,
    nonce: challenge.nonce,
    qop,
    nc,
    cnonce,
  });
  const value: Record<string, string> = {
    scheme: 'Digest',
    username: quote(credentials.username),
    realm: quote(challenge.realm),
    nonce: quote(challenge.nonce),
    uri: quote(uri),
    response: quote(response),
    algorithm: challenge.algorithm,
  };
  if (challenge.opaque !== undefined) value.opaque = quote(challenge.opaque);
  if (qop !== undefined) {
    // RFC 7616 §3.4: qop and nc are tokens, cnonce a quoted-string.
    value.qop = qop;
    value.nc = nc;
    value.cnonce = quote(cnonce);
  }
  return value;
}

/** A fresh client nonce (16 random bytes, hex). */
export function newCnonce(): string {
  return randomBytes(16).toString('hex');
}

// ---- the gateway as server -------------------------------------------------------------------

export interface InboundDigestOptions {
  realm: string;
  /** username → password. */
  users: ReadonlyMap<string, string>;
  /** How long a nonce is accepted; after that the request gets a new challenge with stale=true. */
  nonceLifetimeMs?: number | undefined;
  /** Clock (ms); injected so expiry can be tested without waiting. */
  now?: (() => number) | undefined;
  /** Key of the nonce HMAC; random by default (nonces do not survive a restart). */
  key?: Buffer | undefined;
}

export type InboundDigestResult =
  | { ok: true; username: string }
  | { ok: false; stale: boolean; why: 'no-credentials' | 'unknown-user' | 'bad-nonce' | 'stale' | 'bad-response' };

/**
 * Server side of `sip.inboundAuth` [RFC 3261 §22.2, §22.4]. The nonce is `time.hmac(time)`, so it
 * needs no table: a nonce the gateway did not issue fails the HMAC, an old one is stale. Replay
 * within the lifetime is not detected (nc is not tracked); the lifetime bounds it.
 */
export class InboundDigest {
  readonly realm: string;
  private readonly users: ReadonlyMap<string, string>;
  private readonly lifetimeMs: number;
  private readonly now: () => number;
  private readonly key: Buffer;

  constructor(options: InboundDigestOptions) {
    this.realm = options.realm;
    this.users = options.users;
    this.lifetimeMs = options.nonceLifetimeMs ?? 300_000;
    this.now = options.now ?? Date.now;
    this.key = options.key ?? randomBytes(32);
  }

  private nonceMac(time: string): string {
    return createHmac('sha256', this.key).update(`${time}:${this.realm}`).digest('base64url');
  }

  /** The WWW-Authenticate value of a 401 (MD5, qop=auth: what SIP phones and SIPp all support). */
  challenge(stale = false): Record<string, string> {
    const time = Math.floor(this.now()).toString(36);
    const value: Record<string, string> = {
      scheme: 'Digest',
      realm: quote(this.realm),
      nonce: quote(`${time}.${this.nonceMac(time)}`),
      algorithm: 'MD5',
      qop: quote('auth'),
    };
    if (stale) value.stale = 'true';
    return value;
  }

  /** Checks the Authorization header(s) of `method` against our realm. */
  verify(method: string, authorization: unknown): InboundDigestResult {
    const entry = authHeaderEntries(authorization).find(
      (e) => e.scheme.toLowerCase() === 'digest' && e.params.realm === this.realm,
    );
    if (entry === undefined) return { ok: false, stale: false, why: 'no-credentials' };
    const p = entry.params;
    const password = p.username === undefined ? undefined : this.users.get(p.username);
    if (password === undefined || p.username === undefined) return { ok: false, stale: false, why: 'unknown-user' };
    const nonce = p.nonce ?? '';
    const [time = '', mac = ''] = nonce.split('.');
    const expected = Buffer.from(this.nonceMac(time));
    if (Buffer.from(mac).length !== expected.length || !timingSafeEqual(Buffer.from(mac), expected))
      return { ok: false, stale: false, why: 'bad-nonce' };
    const algorithm = canonicalAlgorithm(p.algorithm);
    if (!isSupportedAlgorithm(algorithm) || p.uri === undefined || p.response === undefined)
      return { ok: false, stale: false, why: 'bad-response' };
    const qop = p.qop?.toLowerCase();
    if (qop !== undefined && qop !== 'auth') return { ok: false, stale: false, why: 'bad-response' };
    const expectedResponse = digestResponse({
      algorithm,
      username: p.username,
      realm: this.realm,
      password,
      method,
      uri: p.uri,
      nonce,
      qop,
      nc: p.nc,
      cnonce: p.cnonce,
    });
    const given = Buffer.from(p.response.toLowerCase());
    const wanted = Buffer.from(expectedResponse);
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted))
      return { ok: false, stale: false, why: 'bad-response' };
    // RFC 7616 §3.3: a correct response with an expired nonce → stale=true, the client retries
    // with the new nonce without asking its user again.
    const issued = parseInt(time, 36);
    if (!Number.isFinite(issued) || this.now() - issued > this.lifetimeMs)
      return { ok: false, stale: true, why: 'stale' };
    return { ok: true, username: p.username };
  }
}

/**
 * The header answering a 401 (Authorization) or 407 (Proxy-Authorization) [RFC 3261 §22.2,
 * §22.3], or undefined when the response carries no challenge the credentials can answer.
 */
export function answerChallenge(
  credentials: DigestCredentials,
  response: { status: number; headers: Record<string, unknown> },
  method: string,
  uri: string,
): { name: 'authorization' | 'proxy-authorization'; value: Record<string, string> } | undefined {
  const proxy = response.status === 407;
  if (!proxy && response.status !== 401) return undefined;
  const challenges = parseChallenges(response.headers[proxy ? 'proxy-authenticate' : 'www-authenticate']);
  const challenge = pickChallenge(challenges, credentials);
  if (challenge === undefined) return undefined;
  const value = digestAuthorization(challenge, credentials, method, uri, newCnonce());
  return { name: proxy ? 'proxy-authorization' : 'authorization', value };
}
