/**
 * Reconnection delays: exponential backoff with "full jitter" — the delay is drawn uniformly from
 * [0, min(cap, base · 2^attempt)) — so a fleet of gateways cut off by one server restart does not
 * reconnect in lockstep. Pure: the random source is a parameter.
 */

export interface BackoffOptions {
  /** Upper bound of the first delay. */
  initialDelayMs: number;
  /** Cap of the exponential growth. */
  maxDelayMs: number;
}

export const defaultBackoff: BackoffOptions = { initialDelayMs: 500, maxDelayMs: 30_000 };

/** Delay before reconnection attempt `attempt` (0 for the first retry); `random()` ∈ [0, 1). */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
