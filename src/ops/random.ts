/**
 * Random identifiers (SIP tags and branches, Jingle sids, candidate and tls ids) drawn from one
 * buffer refilled from the CSPRNG 4 KiB at a time. A `randomBytes` call per id cost ~10 µs of
 * system entropy plumbing each, several per call (docs/performance.md); the bytes are the same
 * quality, only fetched in bulk — the way Node's own `crypto.randomUUID` caches entropy.
 * Bytes are never handed out twice.
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let offset = POOL_BYTES;

/** Reserves `count` (≤ 4096) fresh bytes of the pool and returns their start offset. */
function take(count: number): number {
  if (count > POOL_BYTES) throw new RangeError(`at most ${String(POOL_BYTES)} random bytes at a time`);
  if (offset + count > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const start = offset;
  offset += count;
  return start;
}

export function randomHex(bytes: number): string {
  const start = take(bytes);
  return pool.toString('hex', start, start + bytes);
}

export function randomBase64url(bytes: number): string {
  const start = take(bytes);
  return pool.toString('base64url', start, start + bytes);
}

/** A uniformly random integer in [0, 2^48). */
export function randomUint48(): number {
  return pool.readUIntBE(take(6), 6);
}
