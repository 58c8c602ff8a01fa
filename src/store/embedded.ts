// The embedded Store: etcd semantics on one SQLite file, shareable by the processes of one host
// (a daemon and CLIs). Layout in embedded-schema.ts, writes in embedded-db.ts, watches, leases
// and elections in their own files.
import { resolve } from 'node:path';
import type Database from 'better-sqlite3';
import type { Observable } from 'rxjs';
import { rx } from './rx.js';
import { StoreUnavailableError, type Election, type Lease, type LeaseOptions, type Store, type TxnOp, type WatchMessage } from './store.js';
import { openDatabase } from './embedded-schema.js';
import { KvDb } from './embedded-db.js';
import { WatchHub } from './embedded-watch.js';
import { LeaseKeeper } from './embedded-lease.js';
import { StoreElection } from './store-election.js';
import { watchWriteAheadLog } from './embedded-wake.js';
import { startCompactor } from './embedded-compactor.js';

export interface EmbeddedStoreOptions {
  /** how often watchers look for other processes' writes besides the write-ahead-log wake-ups
   *  (default 25 ms; 3 ms where the log cannot be watched) */
  pollIntervalMs?: number;
  /** how often expired leases are swept (default 250 ms) */
  sweepIntervalMs?: number;
  /** how long a write waits for another process's lock (default 5 s) */
  busyTimeoutMs?: number;
  /** history older than this is compacted away, checked as often (default 5 minutes; 0: never) */
  compactAfterMs?: number;
  /** fsync at every commit, as etcd does (default false: a commit survives a process crash, not
   *  an OS crash; embedded-schema.ts) */
  fsyncEachCommit?: boolean;
}

export async function openEmbeddedStore(path: string, opts: EmbeddedStoreOptions = {}): Promise<Store> {
  const file = resolve(path);
  const endpoint = `sqlite://${file}`;
  let db: Database.Database;
  try {
    db = openDatabase(file, { busyTimeoutMs: opts.busyTimeoutMs ?? 5000, fsyncEachCommit: opts.fsyncEachCommit });
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
  private readonly stopCompactor: () => void;
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
    const compactAfterMs = opts.compactAfterMs ?? 5 * 60_000;
    this.stopCompactor = compactAfterMs > 0 ? startCompactor(this.kv, compactAfterMs) : () => undefined;
  }

  async get(key: string) {
    return this.run(() => this.kv.get(key));
  }

  async list(prefix: string) {
    return this.run(() => this.kv.list(prefix));
  }

  async txn(ops: TxnOp[]) {
    const result = this.run(() => this.kv.txn(ops));
    if (result.succeeded) this.hub.kick();
    return result;
  }

  watch(prefix: string, fromRevision: number): Observable<WatchMessage> {
    if (this.closed) return rx().throwError(() => this.unavailable('the store is closed'));
    return this.hub.watch(prefix, fromRevision);
  }

  async grantLease(ttlSeconds: number, opts?: LeaseOptions): Promise<Lease> {
    return this.run(() => this.leases.grant(ttlSeconds, opts?.keepAlive ?? true));
  }

  election(name: string, ttlSeconds: number): Election {
    return new StoreElection(this, name, ttlSeconds);
  }

  async compact(revision: number): Promise<void> {
    this.run(() => this.kv.compact(revision));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.leases.close();
    this.stopCompactor();
    this.stopWakeUps?.();
    this.hub.close();
    this.db.close();
  }

  /** Runs a database call; a closed store, a lock held too long or a broken file become
   *  StoreUnavailableError, while bad requests (unknown lease, repeated key) keep their message. */
  private run<T>(call: () => T): T {
    if (this.closed) throw this.unavailable('the store is closed');
    try {
      return call();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'string' && UNAVAILABLE.test(code)) throw this.unavailable((err as Error).message);
      throw err;
    }
  }

  private unavailable(cause: string): StoreUnavailableError {
    return new StoreUnavailableError(this.endpoint, cause);
  }
}

/** SQLite result codes that mean the file cannot be used right now, not that the request is wrong */
const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|CORRUPT|NOTADB|READONLY)/;
