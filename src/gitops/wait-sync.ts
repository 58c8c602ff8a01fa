// `gitops sync`: wait until the controller reports it handled our request (watching, not polling).
import { filter, firstValueFrom, from, map, merge, race, timer } from 'rxjs';
import { objectKey } from '../api/keys.js';
import type { GitSource } from '../api/objects.js';
import { Informer } from '../controller/informer.js';
import type { Store } from '../store/store.js';

const settled = (src: GitSource) => src.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'Unknown';

/** The source once status.lastHandledRequestedAt equals `at` and no rollout it started is still
 *  going (Ready is not Unknown); undefined on timeout or when it is deleted. */
export async function waitForSync(store: Store, name: string, at: string, timeoutMs: number): Promise<GitSource | undefined> {
  const key = objectKey('GitSource', '', name);
  const sources = new Informer<GitSource>(store, key);
  sources.start();
  try {
    const handled$ = merge(from(sources.synced), sources.changes$).pipe(
      filter(() => sources.revision > 0),
      map(() => sources.get(key)),
      filter((src) => !src || (src.status?.lastHandledRequestedAt === at && settled(src))),
    );
    return await firstValueFrom(race(handled$, timer(timeoutMs).pipe(map(() => undefined))));
  } finally {
    sources.stop();
  }
}
