// Leader election built only on Store primitives (lease + create + watch), the way etcd's
// concurrency package does it: each campaigner creates <prefix><lease id> on its own lease; the
// key with the lowest createRevision leads. Nothing here is etcd-specific.
import type { AsyncSubject, Observable, Subscription } from 'rxjs';
import { rx } from './rx.js';
import { ROOT } from '../api/keys.js';
import type { Election, KeyValue, Lease, Leadership, Store, WatchMessage } from './store.js';

export function electionPrefix(name: string): string {
  return `${ROOT}elections/${name}/`;
}

export class StoreElection implements Election {
  private readonly prefix: string;

  constructor(
    private readonly store: Store,
    name: string,
    private readonly ttlSeconds: number,
  ) {
    this.prefix = electionPrefix(name);
  }

  async campaign(value: string, signal?: AbortSignal): Promise<Leadership> {
    signal?.throwIfAborted();
    const lease = await this.store.grantLease(this.ttlSeconds);
    const key = this.prefix + lease.id;
    try {
      const created = await this.store.txn([{ op: 'create', key, value, lease: lease.id }]);
      if (!created.succeeded) throw new Error(`election key ${key} already exists`);
      const since = await this.waitUntilFirst(key, lease, signal);
      return new StoreLeadership(this.store, { key, createRevision: created.revision }, lease, since);
    } catch (err) {
      await lease.revoke().catch(() => undefined);
      throw err;
    }
  }

  observe(): Observable<string | undefined> {
    const { concat, defer, distinctUntilChanged, filter, map, of, repeat, switchMap } = rx();
    return defer(() => this.store.list(this.prefix)).pipe(
      switchMap(({ items, revision }) => {
        const candidates = new Map(items.map((kv) => [kv.key, kv]));
        const changes = this.store.watch(this.prefix, revision + 1).pipe(
          filter((m): m is Extract<WatchMessage, { type: 'events' }> => m.type === 'events'),
          map((m) => {
            for (const e of m.events) {
              if (e.type === 'put') candidates.set(e.kv.key, e.kv);
              else candidates.delete(e.kv.key);
            }
            return leaderOf(candidates.values())?.value;
          }),
        );
        return concat(of(leaderOf(candidates.values())?.value), changes);
      }),
      repeat(), // the watch completes only after a relist: list again
      distinctUntilChanged(),
    );
  }

  /** Waits until `key` has the lowest createRevision under the prefix; returns the revision
   *  at which it was seen leading. */
  private async waitUntilFirst(key: string, lease: Lease, signal?: AbortSignal): Promise<number> {
    const { filter, firstValueFrom, map, merge, take } = rx();
    for (;;) {
      const { items, revision } = await this.store.list(this.prefix);
      const mine = items.find((kv) => kv.key === key);
      if (!mine) throw new Error(`campaign for ${this.prefix} lost its key (lease expired)`);
      const ahead = new Set(items.filter((kv) => kv.createRevision < mine.createRevision).map((kv) => kv.key));
      if (ahead.size === 0) return revision;

      const someoneLeft = this.store
        .watch(this.prefix, revision + 1)
        .pipe(filter((m) => m.type === 'relist' || m.events.some((e) => e.type === 'delete' && ahead.has(e.kv.key))));
      const leaseLost = lease.lost$.pipe(
        map((reason) => {
          throw new Error(`campaign for ${this.prefix} lost its lease: ${reason}`);
        }),
      );
      const aborted = signal ? abortOf(signal) : [];
      await firstValueFrom(merge(someoneLeft, leaseLost, aborted).pipe(take(1)));
    }
  }
}

class StoreLeadership implements Leadership {
  private readonly lost: AsyncSubject<string> = new (rx().AsyncSubject)<string>();
  readonly lost$ = this.lost.asObservable();
  private resigned = false;
  private readonly watching: Subscription;

  constructor(
    store: Store,
    readonly fence: { key: string; createRevision: number },
    private readonly lease: Lease,
    since: number,
  ) {
    const { filter, map, merge, take } = rx();
    const key = fence.key;
    const keyDeleted = store.watch(key, since + 1).pipe(
      filter((m) => m.type === 'events' && m.events.some((e) => e.type === 'delete' && e.kv.key === key)),
      map(() => `leader key ${key} was deleted`),
    );
    this.watching = merge(lease.lost$, keyDeleted)
      .pipe(take(1))
      .subscribe((reason) => {
        if (this.resigned) return;
        this.lost.next(reason);
        this.lost.complete();
      });
  }

  async resign(): Promise<void> {
    this.resigned = true;
    this.watching.unsubscribe();
    this.lost.complete();
    await this.lease.revoke();
  }
}

function leaderOf(candidates: Iterable<KeyValue>): KeyValue | undefined {
  let leader: KeyValue | undefined;
  for (const kv of candidates) if (!leader || kv.createRevision < leader.createRevision) leader = kv;
  return leader;
}

function abortOf(signal: AbortSignal): Observable<never> {
  const { Observable } = rx();
  return new Observable<never>((subscriber) => {
    const onAbort = () => subscriber.error(signal.reason instanceof Error ? signal.reason : new Error('campaign aborted'));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    return () => signal.removeEventListener('abort', onAbort);
  });
}
