// `gitops sync`: wait until the controller reports it handled our request (watching, not polling).
import { filter, firstValueFrom, from, map, merge, race, timer } from 'rxjs';
import { objectKey } from '../api/keys.js';
import type { GitSource } from '../api/objects.js';
import { Informer } from '../controller/informer.js';
import type { Store } from '../store/store.js';

const settled = (src: GitSource) => src.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'Unknown';

export type SyncWait =
  | { state: 'done'; src: GitSource }
  /** the sync ran, but rollouts it started were still going at the timeout */
  | { state: 'rolling'; src: GitSource }
  | { state: 'not-handled' }
  | { state: 'deleted' };

/** Until status.lastHandledRequestedAt equals `at` and no rollout the sync started is still going
 *  (Ready is not Unknown), or the timeout. */
export async function waitForSyncResult(store: Store, name: string, at: string, timeoutMs: number): Promise<SyncWait> {
  const key = objectKey('GitSource', '', name);
  const sources = new Informer<GitSource>(store, key);
  sources.start();
  const handled = (src: GitSource) => src.status?.lastHandledRequestedAt === at;
  try {
    const done$ = merge(from(sources.synced), sources.changes$).pipe(
      filter(() => sources.revision > 0),
      map(() => sources.get(key)),
      filter((src) => !src || (handled(src) && settled(src))),
      map((src): SyncWait => (src ? { state: 'done', src } : { state: 'deleted' })),
    );
    const timeout$ = timer(timeoutMs).pipe(
      map((): SyncWait => {
        const src = sources.get(key);
        return src && handled(src) ? { state: 'rolling', src } : { state: 'not-handled' };
      }),
    );
    return await firstValueFrom(race(done$, timeout$));
  } finally {
    sources.stop();
  }
}

/** waitForSyncResult's source when the sync finished and settled; undefined otherwise. */
export async function waitForSync(store: Store, name: string, at: string, timeoutMs: number): Promise<GitSource | undefined> {
  const wait = await waitForSyncResult(store, name, at, timeoutMs);
  return wait.state === 'done' ? wait.src : undefined;
}
