// A Store that hands every call to `inner`: the base of the decorators (templates by reference,
// sealed secrets, metrics), which override only the calls they change.
import type { Observable } from 'rxjs';
import type { Election, KeyValue, Lease, LeaseOptions, ListResult, ReadFilter, Store, TxnOp, TxnResult, WatchMessage } from './store.js';

export class ForwardingStore implements Store {
  constructor(readonly inner: Store) {}

  get endpoint(): string {
    return this.inner.endpoint;
  }

  get(key: string): Promise<KeyValue | undefined> {
    return this.inner.get(key);
  }

  list(prefix: string, filter?: ReadFilter): Promise<ListResult> {
    return this.inner.list(prefix, filter);
  }

  txn(ops: TxnOp[]): Promise<TxnResult> {
    return this.inner.txn(ops);
  }

  watch(prefix: string, fromRevision: number, filter?: ReadFilter): Observable<WatchMessage> {
    return this.inner.watch(prefix, fromRevision, filter);
  }

  grantLease(ttlSeconds: number, opts?: LeaseOptions): Promise<Lease> {
    return this.inner.grantLease(ttlSeconds, opts);
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
