/**
 * Identifiers the translator has to invent: a=tls-id values, Jingle candidate ids and SDP
 * session ids. They are injected so the mapping core stays pure and golden tests stay exact.
 */
import { randomBase64url, randomHex, randomUint48 } from '../ops/random.ts';

export interface IdSource {
  /** RFC 8842 §4: 20–255 chars of ALPHA / DIGIT / "+" / "/" / "-" / "_", ≥ 120 bits of randomness. */
  tlsId(): string;
  /** An XML NCName unique in the session, for candidate ids [X176 §13; X177 §4.2]. */
  candidateId(): string;
  /** A decimal o= sess-id [RFC 8866 §5.2]. */
  sessionId(): string;
}

/** Production ids: 144 random bits per tls-id (24 base64url chars), 48 per candidate id. */
export function randomIdSource(): IdSource {
  return {
    tlsId: () => randomBase64url(18),
    candidateId: () => `c${randomHex(6)}`,
    sessionId: () => (randomUint48() + 1).toString(),
  };
}

/** Predictable ids for tests and the `--deterministic` translate flag: counters, not randomness. */
export function sequentialIdSource(prefix = 'gw'): IdSource {
  let tls = 0;
  let candidate = 0;
  let session = 0;
  return {
    tlsId: () => `${prefix}TlsId${String(++tls).padStart(16, '0')}`,
    candidateId: () => `c${(++candidate).toString(16).padStart(12, '0')}`,
    sessionId: () => String(4711 + session++),
  };
}
