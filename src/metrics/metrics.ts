// The process's Prometheus metrics (prom-client), all named stackd_*. One registry per process:
// a process is one daemon (stackd, stackd manager or stackd agent).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'stackd_' });
const registers = [registry];

export const reconcileTotal = new Counter({
  name: 'stackd_reconcile_total',
  help: 'Reconciles by controller and result (success, error, terminal)',
  labelNames: ['controller', 'result'] as const,
  registers,
});

export const reconcileDuration = new Histogram({
  name: 'stackd_reconcile_duration_seconds',
  help: 'Time one reconcile took, by controller',
  labelNames: ['controller'] as const,
  buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
  registers,
});

export const storeRequestDuration = new Histogram({
  name: 'stackd_store_request_duration_seconds',
  help: 'Store requests by operation (get, list, txn) and result (ok, error)',
  labelNames: ['op', 'result'] as const,
  buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
  registers,
});

interface QueueStats {
  depth: () => number;
  /** how long the key that has waited longest has waited, 0 when none waits */
  oldestAgeMs: () => number;
}
const queues = new Map<string, QueueStats>();
/** Counts a controller's queue in stackd_workqueue_depth and _oldest_age_seconds until the
 *  returned function is called. */
export function trackQueue(controller: string, stats: QueueStats): () => void {
  queues.set(controller, stats);
  return () => queues.delete(controller);
}
new Gauge({
  name: 'stackd_workqueue_depth',
  help: 'Keys waiting in a controller work queue',
  labelNames: ['controller'] as const,
  registers,
  collect() {
    this.reset();
    for (const [controller, q] of queues) this.set({ controller }, q.depth());
  },
});
new Gauge({
  name: 'stackd_workqueue_oldest_age_seconds',
  help: 'How long the key that has waited longest in a controller work queue has waited (0 when empty)',
  labelNames: ['controller'] as const,
  registers,
  collect() {
    this.reset();
    for (const [controller, q] of queues) this.set({ controller }, q.oldestAgeMs() / 1000);
  },
});

export const workqueueWait = new Histogram({
  name: 'stackd_workqueue_wait_seconds',
  help: 'Time a key waited in a controller work queue before its reconcile started',
  labelNames: ['controller'] as const,
  buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
  registers,
});

// Watch lag: from a write this process made (its revision known) until the informer over that
// prefix has seen it. A reconciler waits for exactly this before planning again, so it is the lag
// that slows reconciles down; etcd's events carry no time, so other writers' lag is not measurable.
export const watchLag = new Histogram({
  name: 'stackd_watch_lag_seconds',
  help: "Time from this process's own write until its informer's watch delivered it, by informer kind",
  labelNames: ['kind'] as const,
  buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
  registers,
});

let rolloutStates: (() => (string | undefined)[]) | undefined;
/** The leading manager's services' update states, for stackd_rollouts_in_flight. */
export function trackRollouts(source: (() => (string | undefined)[]) | undefined): void {
  rolloutStates = source;
}
new Gauge({
  name: 'stackd_rollouts_in_flight',
  help: 'Services updating or rolling back now (paused ones by their own state), as the leading manager sees them',
  labelNames: ['state'] as const,
  registers,
  collect() {
    this.reset();
    if (!rolloutStates) return;
    // both moving states always appear (0 when none) so an alert can compare them
    const counts = new Map<string, number>([
      ['updating', 0],
      ['rollback_started', 0],
    ]);
    for (const s of rolloutStates())
      if (s === 'updating' || s === 'rollback_started' || s === 'paused' || s === 'rollback_paused') counts.set(s, (counts.get(s) ?? 0) + 1);
    for (const [state, n] of counts) this.set({ state }, n);
  },
});

export const gitopsSyncTotal = new Counter({
  name: 'stackd_gitops_sync_total',
  help: 'GitOps syncs by source and result (the Ready condition: applied, or the reason it is not)',
  labelNames: ['source', 'result'] as const,
  registers,
});

let taskStates: (() => string[]) | undefined;
/** The leading manager's task cache, for stackd_tasks (undefined when not leading). */
export function trackTaskStates(source: (() => string[]) | undefined): void {
  taskStates = source;
}
new Gauge({
  name: 'stackd_tasks',
  help: 'Tasks by current state, as the leading manager sees them',
  labelNames: ['state'] as const,
  registers,
  collect() {
    this.reset();
    const counts = new Map<string, number>();
    for (const s of taskStates?.() ?? []) counts.set(s, (counts.get(s) ?? 0) + 1);
    for (const [state, n] of counts) this.set({ state }, n);
  },
});

let leading: boolean | undefined;
/** The manager's leadership, for stackd_manager_leader and /readyz. */
export function setLeading(value: boolean): void {
  leading = value;
  leaderGauge.set(value ? 1 : 0);
}
export function isLeading(): boolean | undefined {
  return leading;
}
const leaderGauge = new Gauge({ name: 'stackd_manager_leader', help: '1 while this manager leads', registers });
