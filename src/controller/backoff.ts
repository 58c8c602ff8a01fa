// Exponential backoff, as controller-runtime and client-node use it.
export interface Backoff {
  /** delay for the n-th consecutive failure (n starts at 1) */
  delayMs(failures: number): number;
}

export function exponentialBackoff(baseMs: number, maxMs: number): Backoff {
  return { delayMs: (n) => Math.min(maxMs, baseMs * 2 ** Math.max(0, n - 1)) };
}

/** Per-key requeue: 5 ms doubling to 1000 s (controller-runtime's ItemExponentialFailureRateLimiter). */
export const requeueBackoff = exponentialBackoff(5, 1_000_000);
/** Reconnects to the Store or Docker: 1 s doubling to 30 s (client-node's watch). */
export const reconnectBackoff = exponentialBackoff(1_000, 30_000);
