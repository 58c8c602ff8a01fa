// The embedded Store: etcd semantics on one SQLite file, shareable by the processes of one host
// (a daemon and CLIs). Layout in embedded-schema.ts, writes in embedded-db.ts, watches, leases
// and elections in their own files.
import { resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { throwError, type Observable } from 'rxjs';
import { StoreUnavailableError, type Election, type Lease, type Store, type TxnOp, type WatchMessage } from './store.js';
import { openDatabase } from './embedded-schema.js';
import { KvDb } from './embedded-db.js';
import { WatchHub } from './embedded-watch.js';
import { LeaseKeeper } from './embedded-lease.js';
import { storeElection } from './embedded-election.js';
import { watchWriteAheadLog } from './embedded-wake.js';

export interface EmbeddedStoreOptions {
  /** how often watchers look for other processes' writes besides the write-ahead-log wake-ups
   *  (default 25 ms; 3 ms where the log cannot be watched) */
  pollIntervalMs?: number;
  /** how often expired leases are swept (default 250 ms) */
  sweepIntervalMs?: number;
  /** how long a write waits for another process's lock (default 5 s) */
  busyTimeoutMs?: number;
}

export async function openEmbeddedStore(path: string, opts: EmbeddedStoreOptions = {}): Promise<Store> {
  const file = resolve(path);
  const endpoint = `sqlite://${file}`;
  let db: Database.Database;
  try {
    db = openDatabase(file, { busyTimeoutMs: opts.busyTimeoutMs ?? 5000 });
  } catch (err) {
    throw new StoreUnavailableError(endpoint, (err as Error).message);
  }
  return new EmbeddedStore(db, file, endpoint, opts);
}

class EmbeddedStore implements Store {
  private readonly kv: KvDb;
  private readonly hub: WatchHub;
  private readonly leases: LeaseKeeper;
  private readonly stopWakeUps: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly db: Database.Database,
    file: string,
    readonly endpoint: string,
    opts: EmbeddedStoreOptions,
  ) {
    this.kv = new KvDb(db);
    this.stopWakeUps = watchWriteAheadLog(file, () => this.hub.wake());
    this.hub = new WatchHub(this.kv, endpoint, opts.pollIntervalMs ?? (this.stopWakeUps ? 25 : 3));
    this.leases = new LeaseKeeper(this.kv, opts.sweepIntervalMs ?? 250, () => this.hub.kick());
  }

  async get(key: string) {
    return this.kv.get(this.open(key));
  }

  async list(prefix: string) {
    return this.kv.list(this.open(prefix));
  }

  async txn(ops: TxnOp[]) {
    this.open();
    const result = this.kv.txn(ops);
    if (result.succeeded) this.hub.kick();
    return result;
  }

  watch(prefix: string, fromRevision: number): Observable<WatchMessage> {
    if (this.closed) return throwError(() => new StoreUnavailableError(this.endpoint, 'the store is closed'));
    return this.hub.watch(prefix, fromRevision);
  }

  async grantLease(ttlSeconds: number): Promise<Lease> {
    this.open();
    return this.leases.grant(ttlSeconds);
  }

  election(name: string, ttlSeconds: number): Election {
    return storeElection(this, name, ttlSeconds);
  }

  async compact(revision: number): Promise<void> {
    this.open();
    this.kv.compact(revision);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.leases.close();
    this.stopWakeUps?.();
    this.hub.close();
    this.db.close();
  }

  /** Throws once closed; passes `value` through. */
  private open<T>(value?: T): T {
    if (this.closed) throw new StoreUnavailableError(this.endpoint, 'the store is closed');
    return value as T;
  }
}
