/**
 * Certificate fingerprints and hash names, shared by the Jingle side (XEP-0320 `hash`, XTLS
 * `algo`) and the SDP side (`a=fingerprint`). Input is lenient, output strict (§4.2): lowercase
 * IANA hash names, uppercase colon-separated hex.
 *
 * Faults fall into two classes with different answers (§4.4):
 *   syntax  → `fingerprint-syntax` / `fingerprint-length`   (IQ error `bad-request`)
 *   policy  → `hash-not-allowed`                            (IQ result, then session-terminate)
 * Every syntax check runs before any policy check, so one fingerprint always yields one answer.
 */
import { GatewayError } from './errors.ts';
import type { Fingerprint, HashName } from './model.ts';

export interface HashRegistryEntry {
  /** Digest size in bytes, i.e. the number of colon-separated pairs in the value. */
  bytes: number;
  /** md2/md5 are recognised but never used or verified [RFC8122 §5]. */
  accepted: boolean;
}

/** IANA "Hash Function Textual Names" [RFC8122 §8; §4.1]. */
export const hashRegistry: Readonly<Record<HashName, HashRegistryEntry>> = {
  md2: { bytes: 16, accepted: false },
  md5: { bytes: 16, accepted: false },
  'sha-1': { bytes: 20, accepted: true },
  'sha-224': { bytes: 28, accepted: true },
  'sha-256': { bytes: 32, accepted: true },
  'sha-384': { bytes: 48, accepted: true },
  'sha-512': { bytes: 64, accepted: true },
};

/** kaa.xmpp's XTLS plugin writes `sha1`; the unhyphenated forms are accepted everywhere (§4.4). */
const unhyphenatedAliases: Readonly<Record<string, HashName>> = {
  sha1: 'sha-1',
  sha224: 'sha-224',
  sha256: 'sha-256',
  sha384: 'sha-384',
  sha512: 'sha-512',
};

function isHashName(name: string): name is HashName {
  return Object.hasOwn(hashRegistry, name);
}

/**
 * A registry name for `input`, compared case-insensitively [RFC5234 §2.3], or `undefined` for a
 * name the registry does not hold (e.g. `whirlpool`).
 */
export function normaliseHashName(input: string): HashName | undefined {
  const lower = input.trim().toLowerCase();
  if (isHashName(lower)) return lower;
  // Own keys only: `constructor` or `__proto__` must not find Object.prototype's members.
  return Object.hasOwn(unhyphenatedAliases, lower) ? unhyphenatedAliases[lower] : undefined;
}

/**
 * The accepted algorithm a digest of `bytes` bytes implies when no name is given (§4.4), or
 * `undefined` when the length names none. 16 bytes (md2 or md5) is handled by the caller as a
 * policy fault.
 */
export function hashForDigestLength(bytes: number): HashName | undefined {
  for (const [name, entry] of Object.entries(hashRegistry) as [HashName, HashRegistryEntry][]) {
    if (entry.accepted && entry.bytes === bytes) return name;
  }
  return undefined;
}

const colonHex = /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2})*$/;

/**
 * Already `AA:BB:…` in uppercase, as nearly every peer sends it: one pass over the characters
 * instead of a regular expression, a split and a join (a tenth of a translation's time).
 */
function isCanonicalColonHex(text: string): boolean {
  if (text.length % 3 !== 2) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (i % 3 === 2) {
      if (c !== 0x3a) return false;
    } else if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46))) return false;
  }
  return true;
}
const plainHex = /^(?:[0-9A-Fa-f]{2})+$/;

/**
 * `AA:BB:…` or unseparated even-length hex, trimmed, as uppercase colon-hex [§4.3 steps 1–2].
 * Anything else (non-hex, odd length, single-digit groups, a mix of both forms, inner white
 * space) is a `fingerprint-syntax` fault.
 */
export function normaliseFingerprintValue(text: string): string {
  const trimmed = text.trim();
  if (isCanonicalColonHex(trimmed)) return trimmed;
  let pairs: string[];
  if (colonHex.test(trimmed)) pairs = trimmed.split(':');
  else if (plainHex.test(trimmed)) pairs = trimmed.match(/../g) ?? [];
  else throw new GatewayError('fingerprint-syntax', `fingerprint is not colon-separated hex: ${excerpt(trimmed)}`);
  return pairs.join(':').toUpperCase();
}

export interface FingerprintInput {
  /** XEP-0320 `hash`, XTLS `algo` (or `hash`), or the SDP hash-func; absent or empty = none. */
  hash?: string | undefined;
  text: string;
  /** XTLS only: without a name, the digest length decides (§4.4). XEP-0320 and SDP require a name. */
  inferAlgorithm: boolean;
}

/**
 * Validates and normalises one fingerprint (§4.3, §4.4).
 *
 * Order of checks: value syntax; then, with a registered name, length against that name's
 * digest size; without a name, a length some registered hash has. Only then policy: an
 * unregistered name, explicit md2/md5, or 16 bytes with no name → `hash-not-allowed`.
 */
export function parseFingerprint(input: FingerprintInput): Fingerprint {
  const value = normaliseFingerprintValue(input.text);
  const bytes = value.split(':').length;
  const rawName = input.hash?.trim() ?? '';

  if (rawName === '') {
    if (!input.inferAlgorithm) throw new GatewayError('fingerprint-syntax', 'fingerprint has no hash function name');
    const inferred = hashForDigestLength(bytes);
    if (inferred !== undefined) return { hash: inferred, value };
    if (bytes === hashRegistry.md5.bytes) {
      throw new GatewayError('hash-not-allowed', 'a 16-byte fingerprint without algorithm means md2 or md5');
    }
    throw new GatewayError('fingerprint-length', `no registered hash function has a ${bytes}-byte digest`);
  }

  const name = normaliseHashName(rawName);
  if (name === undefined) {
    throw new GatewayError('hash-not-allowed', `hash function ${excerpt(rawName)} is not in the IANA registry`);
  }
  const entry = hashRegistry[name];
  if (entry.bytes !== bytes) {
    throw new GatewayError('fingerprint-length', `${name} fingerprint has ${bytes} bytes instead of ${entry.bytes}`);
  }
  if (!entry.accepted)
    throw new GatewayError('hash-not-allowed', `${name} fingerprints are not accepted [RFC 8122 §5]`);
  return { hash: name, value };
}

/**
 * Parses several fingerprints of one security element (XEP-0320 `<fingerprint/>`s of a content,
 * XTLS `<fingerprint/>`s) in order. A syntax fault anywhere wins over a policy fault anywhere,
 * so the answer does not depend on the order the peer wrote them in.
 */
export function parseFingerprintList(inputs: readonly FingerprintInput[]): Fingerprint[] {
  const out: Fingerprint[] = [];
  let policyFault: GatewayError | undefined;
  for (const input of inputs) {
    try {
      out.push(parseFingerprint(input));
    } catch (err) {
      if (!(err instanceof GatewayError) || err.code !== 'hash-not-allowed') throw err;
      policyFault ??= err;
    }
  }
  if (policyFault !== undefined) throw policyFault;
  return out;
}

/** `a=fingerprint` value as the gateway emits it: `sha-256 AB:CD:…` [RFC8122 §5]. */
export function formatFingerprintAttribute(fp: Fingerprint): string {
  return `${fp.hash} ${fp.value}`;
}

/**
 * Parses the value of an `a=fingerprint:` line, e.g. ` SHA-1 4A:AD:…` (RFC 5763 §7.1 puts a
 * space after the colon): `hash-func SP fingerprint` [RFC8122 §5], hash-func case-insensitive.
 */
export function parseFingerprintAttribute(value: string): Fingerprint {
  const fields = value.trim().split(/\s+/);
  if (fields.length !== 2) {
    throw new GatewayError('fingerprint-syntax', `a=fingerprint is not "<hash-func> <fingerprint>": ${excerpt(value)}`);
  }
  return parseFingerprint({ hash: fields[0], text: fields[1]!, inferAlgorithm: false });
}

function excerpt(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
