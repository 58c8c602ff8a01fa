// A Store that seals the spec of values under some prefixes (secrets) on the way in and opens it
// on the way out, so the backend (etcd's keys, values and WAL; the SQLite file) never holds the
// plain text. Everything else passes through.
import type { Observable } from 'rxjs';
import { rx } from './rx.js';
import type { KeyValue, ListResult, Store, TxnOp, TxnResult, WatchMessage } from './store.js';
import { ForwardingStore } from './forwarding-store.js';
import { SealedValueError, type Sealer } from './sealer.js';
import { openValue, sealValue } from './sealed-values.js';

export interface SealedStoreOptions {
  prefixes: string[];
  /** written with the first sealed write; without a key, a write of a secret is refused once it exists */
  markerKey: string;
}

export class SealedStore extends ForwardingStore {
  private markerWritten = false;

  constructor(
    inner: Store,
    readonly sealer: Sealer,
    private readonly opts: SealedStoreOptions,
  ) {
    super(inner);
  }

  isSealedKey(key: string): boolean {
    return this.opts.prefixes.some((p) => key.startsWith(p));
  }

  /** A KeyValue as the callers see it: spec opened. */
  open(kv: KeyValue): KeyValue {
    return this.isSealedKey(kv.key) && kv.value ? { ...kv, value: openValue(this.sealer, kv.key, kv.value) } : kv;
  }

  override async get(key: string): Promise<KeyValue | undefined> {
    const kv = await this.inner.get(key);
    return kv && this.open(kv);
  }

  override async list(prefix: string): Promise<ListResult> {
    const res = await this.inner.list(prefix);
    return { ...res, items: res.items.map((kv) => this.open(kv)) };
  }

  override async txn(ops: TxnOp[]): Promise<TxnResult> {
    const writes = ops.some((op) => op.op !== 'delete' && this.isSealedKey(op.key));
    if (!writes) return this.inner.txn(ops);
    if (!this.sealer.primary) {
      if (await this.inner.get(this.opts.markerKey)) {
        throw new SealedValueError('secrets in this store are encrypted at rest: give the key file with --encryption-key-file or STACKD_ENCRYPTION_KEY_FILE');
      }
      return this.inner.txn(ops);
    }
    const sealed = ops.map((op) => ('value' in op && this.isSealedKey(op.key) ? { ...op, value: sealValue(this.sealer, op.key, op.value) } : op));
    const marker: TxnOp[] = this.markerWritten ? [] : [{ op: 'put', key: this.opts.markerKey, value: JSON.stringify({ provider: 'aes256gcm' }) }];
    const res = await this.inner.txn([...sealed, ...marker]);
    if (res.succeeded) this.markerWritten = true;
    return res;
  }

  override watch(prefix: string, fromRevision: number): Observable<WatchMessage> {
    return this.inner
      .watch(prefix, fromRevision)
      .pipe(rx().map((msg) => (msg.type === 'events' ? { ...msg, events: msg.events.map((e) => ({ ...e, kv: e.type === 'put' ? this.open(e.kv) : e.kv })) } : msg)));
  }
}
