// Bounded retries for etcd calls, and the one-line errors users see when they run out.
import { ClientClosedError, GRPCResourceExhastedError, isRecoverableError } from 'etcd3';
import { StoreUnavailableError } from './store.js';
import { tlsFailure } from './etcd-security.js';

export interface RetryPolicy {
  /** total attempts, the first included */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

/** About 6 s of trying before a call gives up: enough to ride out an etcd restart. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 7, initialDelayMs: 100, maxDelayMs: 2000 };

export class StoreClosedError extends Error {
  constructor(endpoint: string) {
    super(`store ${endpoint} is closed`);
    this.name = 'StoreClosedError';
  }
}

/** Runs `call`, retrying connection-level failures with exponential backoff. */
export async function withRetry<T>(endpoint: string, policy: RetryPolicy, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (err instanceof ClientClosedError) throw new StoreClosedError(endpoint);
      if (isTlsFailure(err)) throw new StoreUnavailableError(endpoint, grpcReason(err));
      if (!isTransient(err)) throw oneLineError(endpoint, err);
      if (attempt >= policy.attempts) throw new StoreUnavailableError(endpoint, grpcReason(err));
      await sleep(Math.min(policy.initialDelayMs * 2 ** (attempt - 1), policy.maxDelayMs));
    }
  }
}

function isTlsFailure(err: unknown): boolean {
  return tlsFailure(err instanceof Error ? err.message : String(err)) !== undefined;
}

export function isTransient(err: unknown): boolean {
  return err instanceof Error && isRecoverableError(err) && !(err instanceof GRPCResourceExhastedError);
}

/** "14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1.
 *  Resolution note: " -> "connect ECONNREFUSED 127.0.0.1:1" */
export function grpcReason(err: unknown): string {
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
  const tls = tlsFailure(message);
  if (tls) return tls;
  const lastError = /Last error: (?:Error: )?(.*?)\.?(?: Resolution note:.*)?$/.exec(message);
  if (lastError?.[1]) return lastError[1];
  return message.replace(/^\d+ [A-Z_]+: /, '');
}

function oneLineError(endpoint: string, err: unknown): Error {
  if (!(err instanceof Error)) return new Error(`etcd ${endpoint}: ${String(err)}`);
  const wrapped = new Error(`etcd ${endpoint}: ${grpcReason(err)}`, { cause: err });
  wrapped.name = err.name;
  return wrapped;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
