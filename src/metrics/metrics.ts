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

const queues = new Map<string, () => number>();
/** Counts a controller's queue in stackd_workqueue_depth until the returned function is called. */
export function trackQueue(controller: string, depth: () => number): () => void {
  queues.set(controller, depth);
  return () => queues.delete(controller);
}
new Gauge({
  name: 'stackd_workqueue_depth',
  help: 'Keys waiting in a controller work queue',
  labelNames: ['controller'] as const,
  registers,
  collect() {
    this.reset();
    for (const [controller, depth] of queues) this.set({ controller }, depth());
  },
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
