// An informer: list, then watch from the list's revision; relist when the watch says history was
// compacted; reconnect with backoff on errors. Keeps a cache of decoded objects and tells which
// keys changed. (client-node's ListWatch, as an RxJS pipeline.)
import { concat, defer, filter, map, of, repeat, retry, switchMap, tap, timer, type Observable, Subject, type Subscription } from 'rxjs';
import { asReport, type OnError } from './outage-log.js';
import type { Resource } from '../api/meta.js';
import { decodeObject } from '../client/codec.js';
import type { Store, WatchEvent } from '../store/store.js';
import { reconnectBackoff, type Backoff } from './backoff.js';
import { watchLag } from '../metrics/metrics.js';

export type InformerMessage =
  | { type: 'sync'; items: { key: string; value: string; modRevision: number; createRevision: number }[]; revision: number }
  | { type: 'events'; events: WatchEvent[]; revision: number };

/** list + watch as one endless stream; errors retry with backoff, a relist lists again. */
export function listWatch(store: Store, prefix: string, backoff: Backoff = reconnectBackoff, onError?: OnError): Observable<InformerMessage> {
  const report = asReport(onError);
  return defer(() => store.list(prefix)).pipe(
    switchMap((list) =>
      concat(
        of<InformerMessage>({ type: 'sync', items: list.items, revision: list.revision }),
        // the watch completes after a `relist` message; repeat() then lists again
        store.watch(prefix, list.revision + 1).pipe(
          filter((msg) => msg.type === 'events'),
          map((msg): InformerMessage => msg as InformerMessage),
        ),
      ),
    ),
    repeat(),
    // any message after failures: the list (or watch) works again
    tap(() => report.recovered()),
    retry({
      resetOnSuccess: true,
      delay: (err, n) => {
        report.failed(err);
        return timer(backoff.delayMs(n));
      },
    }),
  );
}

export interface CacheChange<T> {
  key: string;
  type: 'upsert' | 'delete';
  object?: T;
  old?: T;
}

export class Informer<T extends Resource> {
  private readonly cache = new Map<string, T>();
  /** the same objects by namespace: a stack's tasks without a scan of every task (100,000 at scale) */
  private readonly byNamespace = new Map<string, Map<string, T>>();
  private readonly changes = new Subject<CacheChange<T>>();
  private subscription?: Subscription;
  private syncedResolve!: () => void;
  /** resolves after the first full list */
  readonly synced = new Promise<void>((r) => (this.syncedResolve = r));
  /** every change to the cache, after it is applied */
  readonly changes$ = this.changes.asObservable();
  revision = 0;
  private revisionWaiters: { revision: number; resolve: () => void }[] = [];

  constructor(
    private readonly store: Store,
    readonly prefix: string,
    private readonly onError?: OnError,
  ) {}

  start(): void {
    this.subscription = listWatch(this.store, this.prefix, reconnectBackoff, this.onError).subscribe((msg) => this.apply(msg));
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.changes.complete();
    // nobody will see those revisions now: let waiters go rather than hang a shutdown
    for (const w of this.revisionWaiters.splice(0)) w.resolve();
  }

  /** Resolves once the cache has seen `revision` (a write this process just made under the prefix):
   *  the reconciler then never plans on a cache that predates its own write. */
  waitFor(revision: number): Promise<void> {
    const kind = this.prefix.split('/').filter(Boolean).pop() ?? this.prefix;
    if (this.revision >= revision) {
      watchLag.observe({ kind }, 0);
      return Promise.resolve();
    }
    const end = watchLag.startTimer({ kind });
    return new Promise((resolve) =>
      this.revisionWaiters.push({
        revision,
        resolve: () => {
          end();
          resolve();
        },
      }),
    );
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  /** the objects of one namespace (a stack's) */
  listIn(namespace: string): T[] {
    const objects = this.byNamespace.get(namespace);
    return objects ? [...objects.values()] : [];
  }

  private apply(msg: InformerMessage): void {
    if (msg.type === 'sync') {
      const seen = new Set<string>();
      for (const kv of msg.items) {
        seen.add(kv.key);
        const old = this.cache.get(kv.key);
        if (old && old.metadata.resourceVersion === String(kv.modRevision)) continue;
        this.upsert(kv.key, decodeObject<T>(kv), old);
      }
      for (const [key, old] of this.cache) if (!seen.has(key)) this.remove(key, old);
      this.advance(msg.revision);
      this.syncedResolve();
      return;
    }
    for (const ev of msg.events) {
      const old = this.cache.get(ev.kv.key);
      if (ev.type === 'put') this.upsert(ev.kv.key, decodeObject<T>(ev.kv), old);
      else if (old) this.remove(ev.kv.key, old);
    }
    this.advance(msg.revision);
  }

  private advance(revision: number): void {
    this.revision = Math.max(this.revision, revision);
    if (this.revisionWaiters.length === 0) return;
    const ready = this.revisionWaiters.filter((w) => w.revision <= this.revision);
    this.revisionWaiters = this.revisionWaiters.filter((w) => w.revision > this.revision);
    for (const w of ready) w.resolve();
  }

  private upsert(key: string, object: T, old?: T): void {
    this.cache.set(key, object);
    if (old && old.metadata.namespace !== object.metadata.namespace) this.byNamespace.get(old.metadata.namespace)?.delete(key);
    let objects = this.byNamespace.get(object.metadata.namespace);
    if (!objects) this.byNamespace.set(object.metadata.namespace, (objects = new Map()));
    objects.set(key, object);
    this.changes.next({ key, type: 'upsert', object, old });
  }

  private remove(key: string, old: T): void {
    this.cache.delete(key);
    const objects = this.byNamespace.get(old.metadata.namespace);
    objects?.delete(key);
    if (objects?.size === 0) this.byNamespace.delete(old.metadata.namespace);
    this.changes.next({ key, type: 'delete', old });
  }
}
