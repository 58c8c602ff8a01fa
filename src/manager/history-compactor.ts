// etcd keeps every revision of every key until someone compacts its history: a rolling update of
// 100,000 tasks left 1.6 GiB of it (bench:scale), and etcd's default quota is 2 GiB, past which
// the cluster takes no more writes. As the Kubernetes API server does (--etcd-compaction-interval,
// 5 m), the leading manager compacts every interval to the revision the store had one interval
// earlier; watchers further behind relist. The embedded store compacts itself the same way.
import { setTimeout as sleep } from 'node:timers/promises';
import { CLUSTER_ID_KEY } from '../api/keys.js';
import type { Runnable } from '../controller/controller.js';
import type { Store } from '../store/store.js';

export const DEFAULT_COMPACTION_INTERVAL_MS = 5 * 60_000;

/** The stores whose history the manager compacts (the embedded store compacts its own). */
export function needsCompaction(store: Store): boolean {
  return /^etcds?:\/\//.test(store.endpoint);
}

export function historyCompactor(store: Store, intervalMs: number, log: (msg: string) => void): Runnable {
  const revisionNow = async () => (await store.list(CLUSTER_ID_KEY)).revision;
  return {
    async start(signal: AbortSignal): Promise<void> {
      let previous: number | undefined;
      while (!signal.aborted) {
        try {
          const now = await revisionNow();
          if (previous !== undefined && previous < now) {
            await store.compact(previous);
            log(`store history compacted to revision ${previous}`);
          }
          previous = now;
        } catch (err) {
          // already compacted (by another manager, or an operator), or the store is away: next time
          log(`store history not compacted: ${(err as Error).message}`);
        }
        await sleep(intervalMs, undefined, { signal }).catch(() => undefined); // aborted: the loop ends
      }
    },
  };
}
