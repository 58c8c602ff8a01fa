// A Store that times every get, list and txn into stackd_store_request_duration_seconds.
import { ForwardingStore } from '../store/forwarding-store.js';
import type { KeyValue, Lease, LeaseOptions, ListResult, TxnOp, TxnResult } from '../store/store.js';
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

export class MeteredStore extends ForwardingStore {
  override get(key: string): Promise<KeyValue | undefined> {
    return timed('get', () => this.inner.get(key));
  }
  override list(prefix: string): Promise<ListResult> {
    return timed('list', () => this.inner.list(prefix));
  }
  override txn(ops: TxnOp[]): Promise<TxnResult> {
    return timed('txn', () => this.inner.txn(ops));
  }
  override grantLease(ttlSeconds: number, opts?: LeaseOptions): Promise<Lease> {
    return timed('lease', () => this.inner.grantLease(ttlSeconds, opts));
  }
}
