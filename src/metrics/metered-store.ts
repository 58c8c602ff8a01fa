// A Store that times every get, list and txn into stackd_store_request_duration_seconds.
import type { Observable } from 'rxjs';
import type { Election, KeyValue, Lease, LeaseOptions, ListResult, Store, TxnOp, TxnResult, WatchMessage } from '../store/store.js';
import { storeRequestDuration } from './metrics.js';

async function timed<T>(op: string, call: () => Promise<T>): Promise<T> {
  const end = storeRequestDuration.startTimer({ op });
  try {
    const result = await call();
    end({ result: 'ok' });
    return result;
  } catch (err) {
    end({ result: 'error' });
    throw err;
  }
}

export class MeteredStore implements Store {
  constructor(private readonly inner: Store) {}
  get endpoint(): string {
    return this.inner.endpoint;
  }
  get(key: string): Promise<KeyValue | undefined> {
    return timed('get', () => this.inner.get(key));
  }
  list(prefix: string): Promise<ListResult> {
    return timed('list', () => this.inner.list(prefix));
  }
  txn(ops: TxnOp[]): Promise<TxnResult> {
    return timed('txn', () => this.inner.txn(ops));
  }
  watch(prefix: string, fromRevision: number): Observable<WatchMessage> {
    return this.inner.watch(prefix, fromRevision);
  }
  grantLease(ttlSeconds: number, opts?: LeaseOptions): Promise<Lease> {
    return timed('lease', () => this.inner.grantLease(ttlSeconds, opts));
  }
  election(name: string, ttlSeconds: number): Election {
    return this.inner.election(name, ttlSeconds);
  }
  compact(revision: number): Promise<void> {
    return this.inner.compact(revision);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
