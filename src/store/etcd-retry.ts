// Bounded retries for etcd calls, and the one-line errors users see when they run out.
import { lazyRequire } from '../lazy-require.js';
import { StoreUnavailableError } from './store.js';
import { tlsFailure } from './etcd-security.js';
import { GatewayAnswerError } from './etcd-gateway.js';

// a gRPC error exists only once the client is loaded, so classifying one never loads it early
const etcd3 = lazyRequire<typeof import('etcd3')>('etcd3');

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
      if (isGrpcError(err) && err instanceof etcd3().ClientClosedError) throw new StoreClosedError(endpoint);
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
  // the JSON gateway (etcd-gateway.ts): etcd busy or between leaders, or no connection
  if (err instanceof GatewayAnswerError) return err.status === 503 || /leader changed|no leader|timed out|too many requests/i.test(err.message);
  const code = socketErrorCode(err);
  if (code !== undefined) return TRANSIENT_SOCKET_ERRORS.has(code);
  return err instanceof Error && etcd3().isRecoverableError(err) && !(err instanceof etcd3().GRPCResourceExhastedError);
}

const TRANSIENT_SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** Node's own socket errors carry a string `code` (gRPC's a number); checked by shape, not by
 *  class, as errors from node:http may come from another realm (a test's VM context). */
function socketErrorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Whether `err` came from the gRPC client (so its library is loaded already). */
function isGrpcError(err: unknown): boolean {
  return err instanceof Error && !(err instanceof GatewayAnswerError) && socketErrorCode(err) === undefined;
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
  if (typeof (err as Error | null)?.message !== 'string') return new Error(`etcd ${endpoint}: ${String(err)}`);
  const wrapped = new Error(`etcd ${endpoint}: ${grpcReason(err)}`, { cause: err });
  wrapped.name = (err as Error).name;
  return wrapped;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
