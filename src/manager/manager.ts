// The manager: while it leads, informers feed the controllers; when leadership goes, all stop.
import { hostname } from 'node:os';
import type { Store } from '../store/store.js';
import type { Logger } from '../log.js';
import { runWhenLeader } from './leader.js';
import { fencedStore } from '../store/fenced.js';
import { untilAborted } from '../controller/abort.js';
import { startCaches, stopCaches } from './caches.js';
import { serviceController } from './service-controller.js';
import { schedulerController } from './scheduler-controller.js';
import { nodeController } from './node-controller.js';
import { fileGcController } from './file-gc.js';
import { networkController, networkInformer } from './network-controller.js';
import { Informer } from '../controller/informer.js';
import { kindPrefix } from '../api/keys.js';
import type { Config, Secret } from '../api/objects.js';
import { gitOpsRunnable } from '../gitops/controller.js';
import type { GitOpsOptions } from '../gitops/options.js';
import { setLeading, trackTaskStates } from '../metrics/metrics.js';

export interface ManagerOptions {
  identity?: string;
  /** leadership lease: a dead leader is replaced within about this long */
  leaseTtlSeconds?: number;
  log: Logger;
  /** a node whose heartbeat is gone this long is down and its tasks are replaced (default 5 s) */
  nodeGraceSeconds?: number;
  /** run the GitOps controller (src/gitops) with these settings */
  gitops?: GitOpsOptions;
}

export async function runManager(unfenced: Store, opts: ManagerOptions, signal: AbortSignal): Promise<void> {
  const identity = opts.identity ?? `${hostname()}-${process.pid}`;
  const log = opts.log;
  setLeading(false);
  await runWhenLeader(unfenced, { identity, ttlSeconds: opts.leaseTtlSeconds ?? 5, log: (m) => log.info(m) }, signal, async (term, leadership) => {
    // every write of this term lands only while this process still leads
    const store = fencedStore(unfenced, leadership.fence);
    const caches = await startCaches(store, (what, err) => log.warn(`watch ${what}: ${(err as Error).message}; retrying`), term);
    const say = (m: string) => log.info(m);
    const files = [new Informer<Config | Secret>(store, kindPrefix('Config')), new Informer<Config | Secret>(store, kindPrefix('Secret'))];
    const networks = networkInformer(store, (err) => log.warn(`watch networks: ${(err as Error).message}; retrying`));
    for (const f of [...files, networks]) f.start();
    await untilAborted(Promise.all([...files, networks].map((f) => f.synced)), term);
    if (term.aborted) {
      for (const f of [...files, networks]) f.stop();
      stopCaches(caches);
      return;
    }
    setLeading(true);
    trackTaskStates(() => caches.tasks.list().map((t) => t.status?.state ?? 'new'));
    const controllers = [
      serviceController(store, caches, say),
      schedulerController(store, caches, say),
      nodeController(store, caches, say, opts.nodeGraceSeconds === undefined ? undefined : opts.nodeGraceSeconds * 1000),
      fileGcController(store, caches, files, say),
      networkController(store, caches, networks, say),
      ...(opts.gitops ? [gitOpsRunnable({ store, ...opts.gitops, log: say })] : []),
    ];
    try {
      await Promise.all(controllers.map((c) => c.start(term)));
    } finally {
      setLeading(false);
      trackTaskStates(undefined);
      for (const f of [...files, networks]) f.stop();
      stopCaches(caches);
    }
  });
}
