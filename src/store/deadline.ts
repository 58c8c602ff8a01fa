// A bound on every request to the Store, whatever the backend does underneath: a hung etcd
// (SIGSTOPped, a half-open connection) accepts the connection and never answers, so its own gRPC
// deadline and retries add up to minutes. The CLI (--request-timeout) wraps its store in this.
// Watches are not bounded: waiting for a change is their job.
import type { Election, KeyValue, Lease, LeaseOptions, ListResult, Store, TxnOp, TxnResult, WatchMessage } from './store.js';
import { StoreUnavailableError } from './store.js';
import type { Observable } from 'rxjs';

/** A store request that had no answer in time; the message names the endpoint. */
export class StoreDeadlineError extends StoreUnavailableError {
  constructor(endpoint: string, ms: number, flag: string) {
    super(endpoint, `no answer within ${formatMs(ms)} (${flag})`);
    this.name = 'StoreDeadlineError';
  }
}

/** `work`, or a StoreDeadlineError after `ms` (0: no bound). */
export function withinDeadline<T>(work: Promise<T>, endpoint: string, ms: number, flag = '--request-timeout'): Promise<T> {
  if (ms <= 0) return work;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreDeadlineError(endpoint, ms, flag)), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/** `inner` with each request bounded by `ms`. */
export function storeWithDeadline(inner: Store, ms: number): Store {
  if (ms <= 0) return inner;
  const bound = <T>(work: Promise<T>) => withinDeadline(work, inner.endpoint, ms);
  return {
    endpoint: inner.endpoint,
    get: (key: string): Promise<KeyValue | undefined> => bound(inner.get(key)),
    list: (prefix: string): Promise<ListResult> => bound(inner.list(prefix)),
    txn: (ops: TxnOp[]): Promise<TxnResult> => bound(inner.txn(ops)),
    watch: (prefix: string, from: number): Observable<WatchMessage> => inner.watch(prefix, from),
    grantLease: (ttl: number, opts?: LeaseOptions): Promise<Lease> => bound(inner.grantLease(ttl, opts)),
    election: (name: string, ttl: number): Election => inner.election(name, ttl),
    compact: (revision: number): Promise<void> => bound(inner.compact(revision)),
    close: () => inner.close(),
  };
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
