// The Store: one interface, two backends (etcd, embedded SQLite), one conformance suite.
// Semantics follow etcd v3: a single, growing revision counter for the whole keyspace.
import type { Observable } from 'rxjs';

export interface KeyValue {
  key: string;
  /** UTF-8 text; objects are stored as JSON */
  value: string;
  /** revision of the write that created this key */
  createRevision: number;
  /** revision of the last write to this key (an object's resourceVersion) */
  modRevision: number;
  /** lease the key is attached to, if any */
  lease?: string;
}

/** One operation of a transaction. Every condition must hold, or the transaction writes nothing. */
export type TxnOp =
  /** write only if the key does not exist */
  | { op: 'create'; key: string; value: string; lease?: string }
  /** write only if the key's modRevision equals `revision` (compare-and-swap) */
  | { op: 'update'; key: string; value: string; revision: number; lease?: string }
  /** write whatever is there */
  | { op: 'put'; key: string; value: string; lease?: string }
  /** delete; with `revision`, only if the key's modRevision equals it (and the key exists) */
  | { op: 'delete'; key: string; revision?: number }
  /** writes nothing: only if the key exists and was created at `createRevision` (leader fencing:
   *  the election key a leader created, gone or re-created once it is deposed) */
  | { op: 'guard'; key: string; createRevision: number };

export interface TxnConflict {
  key: string;
  /** exists: create on an existing key; revision: update/delete whose revision did not match (or
   *  key missing); fenced: a guard's key is gone or another's (the writer is no longer leader) */
  reason: 'exists' | 'revision' | 'fenced';
}

export interface TxnResult {
  succeeded: boolean;
  /** the Store's revision after the transaction (its writes all carry this modRevision) */
  revision: number;
  /** when not succeeded: the conditions that failed */
  conflicts: TxnConflict[];
}

export interface ListResult {
  items: KeyValue[];
  /** the revision of the snapshot; watch from revision + 1 to miss nothing */
  revision: number;
}

export interface WatchEvent {
  type: 'put' | 'delete';
  /** for deletes: the key, value '' and modRevision = the revision of the deletion */
  kv: KeyValue;
}

export type WatchMessage =
  /** events of one or more revisions, in revision order; `revision` is the last one delivered */
  | { type: 'events'; revision: number; events: WatchEvent[] }
  /** history from the requested revision was compacted: list again, then watch from the list's
   *  revision + 1. The observable completes after this message. */
  | { type: 'relist'; reason: string };

export interface Lease {
  readonly id: string;
  readonly ttlSeconds: number;
  /** emits once, then completes, when the lease is gone (expired, revoked or keepalive failed) */
  readonly lost$: Observable<string>;
  /** revoke: every key attached to the lease is deleted */
  revoke(): Promise<void>;
}

export interface LeaseOptions {
  /** default true */
  keepAlive?: boolean;
}

export interface Leadership {
  /** the election key and its createRevision: a `guard` op on them makes a write the leader's
   *  only while it leads (see fencedStore) */
  readonly fence: { key: string; createRevision: number };
  /** emits once, then completes, if leadership is lost without resign() */
  readonly lost$: Observable<string>;
  resign(): Promise<void>;
}

export interface Election {
  /** resolves when this campaigner becomes leader; rejects if `signal` aborts first */
  campaign(value: string, signal?: AbortSignal): Promise<Leadership>;
  /** the current leader's value (undefined when there is none), then each change */
  observe(): Observable<string | undefined>;
}

/** What a reader keeps of a list or watch, for a Store that can filter where the data is (through
 *  the API the server applies Kubernetes' fieldSelector, and sinceTime to events), so that less
 *  crosses the network. A Store beside the data reads the whole prefix: readers filter anyway. */
export interface ReadFilter {
  fieldSelector?: string;
  /** RFC 3339: events whose last occurrence is at or after it */
  sinceTime?: string;
}

export interface Store {
  /** a short description of the endpoint, for messages: "etcd://127.0.0.1:2379", "sqlite:///x.db" */
  readonly endpoint: string;
  get(key: string): Promise<KeyValue | undefined>;
  list(prefix: string, filter?: ReadFilter): Promise<ListResult>;
  txn(ops: TxnOp[]): Promise<TxnResult>;
  /** Every change under `prefix` from `fromRevision` (inclusive) on. Resumes after a disconnect
   *  from the last revision it delivered + 1; after a compaction sends `relist` and completes. */
  watch(prefix: string, fromRevision: number, filter?: ReadFilter): Observable<WatchMessage>;
  /** a lease kept alive by this process until revoked or the store is closed; with
   *  `keepAlive: false`, one that expires `ttlSeconds` after the grant whoever holds it (events:
   *  many keys share one such lease and vanish together, with no delete per key) */
  grantLease(ttlSeconds: number, opts?: LeaseOptions): Promise<Lease>;
  election(name: string, ttlSeconds: number): Election;
  /** drop history before `revision` (watches from older revisions then relist) */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}

/** The store cannot be reached (after retries); message names the endpoint. */
export class StoreUnavailableError extends Error {
  constructor(
    readonly endpoint: string,
    cause: string,
  ) {
    super(`cannot reach store ${endpoint}: ${cause}`);
    this.name = 'StoreUnavailableError';
  }
}
