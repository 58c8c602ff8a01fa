// Leader election on any Store, the etcd way: each campaigner creates `<prefix><lease id>` on its
// own lease; the key with the lowest createRevision leads. Only the Store interface is used.
import { AsyncSubject, Observable, defer, distinctUntilChanged, map, of, startWith, switchMap, Subscription } from 'rxjs';
import type { Election, KeyValue, Leadership, Store } from './store.js';

export const ELECTION_ROOT = '/stackd/elections/';

export function storeElection(store: Store, name: string, ttlSeconds: number): Election {
  const prefix = `${ELECTION_ROOT}${name}/`;
  return {
    campaign: (value, signal) => campaign(store, prefix, ttlSeconds, value, signal),
    observe: () =>
      members(store, prefix).pipe(
        map((m) => leaderOf(m)?.value),
        distinctUntilChanged(),
      ),
  };
}

async function campaign(store: Store, prefix: string, ttlSeconds: number, value: string, signal?: AbortSignal): Promise<Leadership> {
  signal?.throwIfAborted();
  const lease = await store.grantLease(ttlSeconds);
  const key = `${prefix}${lease.id}`;
  try {
    await store.txn([{ op: 'create', key, value, lease: lease.id }]);
    await untilLeader(store, prefix, key, lease.lost$, signal);
  } catch (err) {
    await lease.revoke().catch(() => undefined);
    throw err;
  }

  const lost$ = new AsyncSubject<string>();
  // adding to a closed Subscription tears down at once, so a loss during setup leaks nothing
  const held = new Subscription();
  const lose = (reason: string) => {
    if (held.closed) return;
    held.unsubscribe();
    lost$.next(`leadership lost: ${reason}`);
    lost$.complete();
  };
  held.add(lease.lost$.subscribe(lose));
  held.add(
    members(store, prefix).subscribe({
      next: (m) => m.has(key) || lose(`${key} was deleted`),
      error: (err: Error) => lose(err.message),
    }),
  );
  return {
    lost$: lost$.asObservable(),
    resign: async () => {
      held.unsubscribe();
      lost$.complete();
      await lease.revoke();
    },
  };
}

/** Resolves once `key` leads; rejects if it disappears, the lease is lost or `signal` aborts. */
function untilLeader(store: Store, prefix: string, key: string, leaseLost$: Observable<string>, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const waiting = new Subscription();
    const finish = (err?: Error) => {
      if (waiting.closed) return;
      waiting.unsubscribe();
      if (err) reject(err);
      else resolve();
    };
    const onAbort = () => finish(new Error(`campaign for ${prefix} aborted`));
    signal?.addEventListener('abort', onAbort);
    waiting.add(() => signal?.removeEventListener('abort', onAbort));
    waiting.add(leaseLost$.subscribe((reason) => finish(new Error(`campaign for ${prefix} failed: ${reason}`))));
    waiting.add(
      members(store, prefix).subscribe({
        next: (m) => {
          if (!m.has(key)) finish(new Error(`campaign for ${prefix} failed: ${key} was deleted`));
          else if (leaderOf(m)?.key === key) finish();
        },
        error: (err: Error) => finish(err),
      }),
    );
  });
}

/** The campaigners under `prefix`, after the list and after each change; relists after a compaction. */
function members(store: Store, prefix: string): Observable<Map<string, KeyValue>> {
  return defer(() => store.list(prefix)).pipe(
    switchMap(({ items, revision }) => {
      const current = new Map(items.map((kv) => [kv.key, kv]));
      return store.watch(prefix, revision + 1).pipe(
        switchMap((message) => {
          if (message.type === 'relist') return members(store, prefix);
          for (const { type, kv } of message.events) {
            if (type === 'put') current.set(kv.key, kv);
            else current.delete(kv.key);
          }
          return of(current);
        }),
        startWith(current),
      );
    }),
  );
}

function leaderOf(members: Map<string, KeyValue>): KeyValue | undefined {
  let leader: KeyValue | undefined;
  for (const kv of members.values()) if (!leader || kv.createRevision < leader.createRevision) leader = kv;
  return leader;
}
