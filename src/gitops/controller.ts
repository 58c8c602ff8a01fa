// The GitOps controller: one reconcile per GitSource key at a time (the work queue dedupes, so a
// trigger during a sync queues exactly one more). A sync runs when the interval has passed, when
// stackd.io/requestedAt has a value not yet handled, or when the spec changed; in between, a
// rollout the last sync started is followed (without fetching) until it settles.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { map } from 'rxjs';
import { kindPrefix, objectKey } from '../api/keys.js';
import type { GitSource, GitSourceStatus } from '../api/objects.js';
import { untilAborted } from '../controller/abort.js';
import { Controller, type ReconcileResult, type Runnable } from '../controller/controller.js';
import { Informer } from '../controller/informer.js';
import { canonicalJson, encodeObject } from '../client/codec.js';
import { getObject } from '../client/objects.js';
import { durationMs } from '../stackfile/units.js';
import type { Store } from '../store/store.js';
import { withTransitionTimes } from '../manager/status.js';
import { scrubUrls } from './git-auth.js';
import { requestedAt } from './request.js';
import { recheckRollouts, syncSource, type GitOpsContext } from './sync.js';
import { gitopsSyncTotal } from '../metrics/metrics.js';
import { outageLog } from '../controller/outage-log.js';

/** How often a rollout the source started is looked at again. */
const ROLLOUT_POLL_MS = 1000;
const WRITE_ATTEMPTS = 5;

/** Whether a full sync is due now, and if not, in how long. Pure. */
export function syncDue(src: GitSource, lastSyncMs: number | undefined, nowMs: number): { due: boolean; inMs: number } {
  const intervalMs = durationMs(src.spec.interval);
  const requested = requestedAt(src);
  if (lastSyncMs === undefined || (requested !== '' && requested !== src.status?.lastHandledRequestedAt)) return { due: true, inMs: 0 };
  if ((src.status?.observedGeneration ?? 0) !== src.metadata.generation) return { due: true, inMs: 0 };
  const left = lastSyncMs + intervalMs - nowMs;
  return left <= 0 ? { due: true, inMs: 0 } : { due: false, inMs: left };
}

/** The status on the freshest copy of the source (a CLI may have annotated or suspended it meanwhile). */
async function writeSourceStatus(store: Store, name: string, status: GitSourceStatus): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const src = await getObject<GitSource>(store, 'GitSource', '', name);
    if (!src || canonicalJson(src.status ?? null) === canonicalJson(status)) return;
    const res = await store.txn([
      { op: 'update', key: objectKey('GitSource', '', name), value: encodeObject({ ...src, status }), revision: Number(src.metadata.resourceVersion) },
    ]);
    if (res.succeeded) return;
    if (attempt >= WRITE_ATTEMPTS) throw new Error(`gitsource ${name} keeps changing while its status is written`);
  }
}

/** An unexpected error (the Store, the file system) is reported on the source; the next interval tries again. */
function failedStatus(src: GitSource, err: Error): GitSourceStatus {
  const planned = [{ type: 'Ready', status: 'False' as const, reason: 'SyncFailed', message: scrubUrls(err.message) }];
  return { ...src.status, conditions: withTransitionTimes(planned, src.status?.conditions, new Date()) };
}

/** A sync's result for stackd_gitops_sync_total: the Ready condition's reason (Succeeded,
 *  Progressing, FetchFailed, ValidationFailed, RolloutFailed...). Pure. */
export function syncResult(status: GitSourceStatus): string {
  return status.conditions?.find((c) => c.type === 'Ready')?.reason ?? 'Unknown';
}

export function gitOpsController(ctx: GitOpsContext, sources: Informer<GitSource>): Controller {
  const lastSync = new Map<string, number>();
  const nameOf = (key: string) => key.slice(kindPrefix('GitSource').length);

  async function reconcile(name: string): Promise<ReconcileResult | void> {
    const src = await getObject<GitSource>(ctx.store, 'GitSource', '', name);
    if (!src) {
      lastSync.delete(name);
      await rm(join(ctx.cacheDir, name), { recursive: true, force: true });
      return;
    }
    if (src.spec.suspend) return;
    const { due, inMs } = syncDue(src, lastSync.get(name), Date.now());
    const rolling = (s?: GitSourceStatus) => (s?.stacks ?? []).some((r) => r.result === 'rolling out');
    if (!due && !rolling(src.status)) return { requeueAfterMs: inMs };
    const status = await (due ? syncSource(ctx, src) : recheckRollouts(ctx, src)).catch((err: Error) => failedStatus(src, err));
    if (due) {
      lastSync.set(name, Date.now());
      gitopsSyncTotal.inc({ source: name, result: syncResult(status) });
    }
    await writeSourceStatus(ctx.store, name, status);
    const next = due ? durationMs(src.spec.interval) : inMs;
    return { requeueAfterMs: rolling(status) ? Math.min(ROLLOUT_POLL_MS, next) : next };
  }

  return new Controller({
    name: 'gitops',
    keys$: sources.changes$.pipe(map((c) => nameOf(c.key))),
    allKeys: () => sources.list().map((s) => s.metadata.name),
    reconcile,
    concurrency: 2,
    log: ctx.log,
  });
}

/** The controller with its own GitSource informer, for the manager's list of runnables. */
export function gitOpsRunnable(ctx: GitOpsContext): Runnable {
  return {
    async start(signal: AbortSignal): Promise<void> {
      const sources = new Informer<GitSource>(ctx.store, kindPrefix('GitSource'), outageLog('watch gitsources', ctx.log));
      sources.start();
      try {
        await untilAborted(sources.synced, signal);
        if (!signal.aborted) await gitOpsController(ctx, sources).start(signal);
      } finally {
        sources.stop();
      }
    },
  };
}
