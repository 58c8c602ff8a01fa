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
import { setLeading, trackRollouts, trackTaskStates } from '../metrics/metrics.js';
import { ManagerPresence } from './presence.js';
import { outageLog } from '../controller/outage-log.js';
import { EventRecorder } from '../events/recorder.js';
import { eventWatcher } from './event-watcher.js';
import { DEFAULT_COMPACTION_INTERVAL_MS, historyCompactor, needsCompaction } from './history-compactor.js';

export interface ManagerOptions {
  identity?: string;
  /** leadership lease: a dead leader is replaced within about this long */
  leaseTtlSeconds?: number;
  log: Logger;
  /** a node whose heartbeat is gone this long is down and its tasks are replaced (default 5 s) */
  nodeGraceSeconds?: number;
  /** run the GitOps controller (src/gitops) with these settings */
  gitops?: GitOpsOptions;
  /** where this manager's /metrics answer, shown by `stackctl cluster status` */
  address?: string;
  /** how long an event outlives its last occurrence (--event-ttl; default 1 h) */
  eventTtlMs?: number;
  /** --default-addr-pool (src/net/addr-pool.ts) */
  defaultAddrPool?: string;
  /** compact etcd's history this often (--compaction-interval; default 5 m; 0: never) */
  compactionIntervalMs?: number;
}

export async function runManager(unfenced: Store, opts: ManagerOptions, signal: AbortSignal): Promise<void> {
  const identity = opts.identity ?? `${hostname()}-${process.pid}`;
  const log = opts.log;
  setLeading(false);
  const ttl = opts.leaseTtlSeconds ?? 5;
  const compactionMs = opts.compactionIntervalMs ?? DEFAULT_COMPACTION_INTERVAL_MS;
  const presence = new ManagerPresence(
    unfenced,
    { identity, host: hostname(), pid: process.pid, address: opts.address, startedAt: new Date().toISOString() },
    ttl,
    outageLog('manager presence', (m) => log.warn(m)),
  );
  const announcing = presence.run(signal);
  await runWhenLeader(unfenced, { identity, ttlSeconds: ttl, log: (m) => log.info(m) }, signal, async (term, leadership) => {
    // every write of this term lands only while this process still leads
    const store = fencedStore(unfenced, leadership.fence);
    const caches = await startCaches(store, (what) => outageLog(`watch ${what}`, (m) => log.warn(m)), term);
    const say = (m: string) => log.info(m);
    const files = [new Informer<Config | Secret>(store, kindPrefix('Config')), new Informer<Config | Secret>(store, kindPrefix('Secret'))];
    const networks = networkInformer(
      store,
      outageLog('watch networks', (m) => log.warn(m)),
    );
    for (const f of [...files, networks]) f.start();
    await untilAborted(Promise.all([...files, networks].map((f) => f.synced)), term);
    if (term.aborted) {
      for (const f of [...files, networks]) f.stop();
      stopCaches(caches);
      return;
    }
    setLeading(true);
    void presence.setLeading(true);
    trackTaskStates(() => caches.tasks.list().map((t) => t.status?.state ?? 'new'));
    trackRollouts(() => caches.services.list().map((s) => s.status?.update?.state));
    const events = new EventRecorder(store, { ttlMs: opts.eventTtlMs, source: { component: 'manager', host: identity }, log });
    const controllers = [
      eventWatcher(store, caches, events),
      serviceController(store, caches, say),
      schedulerController(store, caches, say),
      nodeController(store, caches, say, opts.nodeGraceSeconds === undefined ? undefined : opts.nodeGraceSeconds * 1000),
      fileGcController(store, caches, files, say),
      networkController(store, caches, networks, say, opts.defaultAddrPool),
      ...(compactionMs > 0 && needsCompaction(unfenced) ? [historyCompactor(unfenced, compactionMs, say)] : []),
      ...(opts.gitops ? [gitOpsRunnable({ store, ...opts.gitops, log: say })] : []),
    ];
    try {
      await Promise.all(controllers.map((c) => c.start(term)));
    } finally {
      setLeading(false);
      void presence.setLeading(false);
      await events.close().catch(() => undefined);
      trackTaskStates(undefined);
      trackRollouts(undefined);
      for (const f of [...files, networks]) f.stop();
      stopCaches(caches);
    }
  });
  await announcing;
}
