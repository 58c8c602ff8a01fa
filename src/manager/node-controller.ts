// The node controller: a node is ready while its agent's heartbeat lease lives; when it has been
// gone for the grace period (orchestrator/node-grace.ts) the node is marked down and its tasks are
// let go (orchestrator/node-liveness.ts).
import { map, merge } from 'rxjs';
import { heartbeatKey } from '../api/keys.js';
import type { Node, Task } from '../api/objects.js';
import { Controller, type ReconcileResult } from '../controller/controller.js';
import { applyGrace, DEFAULT_NODE_GRACE_MS, graceCandidates } from '../orchestrator/node-grace.js';
import { planNodeLiveness } from '../orchestrator/node-liveness.js';
import type { Store } from '../store/store.js';
import type { ManagerCaches } from './caches.js';
import { planGap } from './plan-gap.js';
import { statusOp } from './status.js';
import { actionOps, applyInBatches } from './task-ops.js';

const KEY = 'cluster';

export function nodeController(store: Store, caches: ManagerCaches, log: (msg: string) => void, graceMs = DEFAULT_NODE_GRACE_MS): Controller {
  // in memory: a new leader gives every node without a heartbeat a whole grace again (it may be late, never early)
  const missingSince = new Map<string, number>();
  async function reconcile(): Promise<ReconcileResult> {
    const nodes = caches.nodes.list();
    const tasks = caches.tasks.list();
    const present = graceCandidates(nodes, (name) => caches.heartbeats.has(heartbeatKey(name)));
    const suspects = nodes.filter((n) => present[n.metadata.name] === false && !missingSince.has(n.metadata.name));
    const grace = applyGrace(present, missingSince, Date.now(), graceMs);
    for (const n of suspects) log(`node ${n.metadata.name}: heartbeat missing; down in ${graceMs / 1000}s unless its agent returns`);
    const requeue: ReconcileResult = grace.recheckAfterMs === undefined ? {} : { requeueAfterMs: grace.recheckAfterMs + 10 };
    const planStart = performance.now();
    const plan = planNodeLiveness(nodes, grace.alive, tasks);
    // a scan of every task: 100 heartbeats lapsing one after another (etcd expires leases at its own
    // pace) were 100 scans of 100,000 tasks back to back (bench:scale)
    const paced = { minGapMs: planGap(performance.now() - planStart) };
    const now = new Date();
    // every node's state in as few transactions as fit: 100 nodes lost at once were 100 writes, each
    // awaited and seen by the cache before the next, on a manager busy with 100,000 tasks (bench:scale)
    const byName = new Map(nodes.map((n) => [n.metadata.name, n]));
    const nodeOps = plan.nodeActions.flatMap((action) => {
      const node = byName.get(action.nodeName)!;
      log(`node ${action.nodeName} is ${action.state}${action.message ? `: ${action.message}` : ''}`);
      const op = statusOp<Node>(node, { ...node.status!, state: action.state, message: action.message });
      return op ? [[op]] : [];
    });
    if (nodeOps.length > 0) {
      const written = await applyInBatches(store, nodeOps, caches.nodes);
      if (written.conflicts) throw new Error(`${written.conflicts} node batch(es) changed while their state was written; retrying`);
    }
    if (plan.taskActions.length === 0) return { ...requeue, ...paced };
    const tasksByName = new Map<string, Task>(tasks.map((t) => [t.metadata.name, t]));
    const ops = actionOps(plan.taskActions, (taskName) => tasksByName.get(taskName), now);
    const out = await applyInBatches(store, ops, caches.tasks);
    if (out.conflicts) throw new Error(`${out.conflicts} task batch(es) lost a compare-and-swap`);
    return { ...requeue, ...paced };
  }

  return new Controller({
    name: 'node',
    keys$: merge(caches.nodes.changes$, caches.heartbeats.changes$).pipe(map(() => KEY)),
    allKeys: () => [KEY],
    reconcile,
    resyncMs: 5_000,
    log,
  });
}
