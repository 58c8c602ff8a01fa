// The node controller: a node is ready while its agent's heartbeat lease lives; when it lapses
// the node is marked down and its tasks are let go (see orchestrator/node-liveness.ts).
import { map, merge } from 'rxjs';
import { heartbeatKey } from '../api/keys.js';
import type { Node, Task } from '../api/objects.js';
import { Controller } from '../controller/controller.js';
import { planNodeLiveness } from '../orchestrator/node-liveness.js';
import type { Store } from '../store/store.js';
import type { ManagerCaches } from './caches.js';
import { writeStatus } from './status.js';
import { actionOps, applyInBatches } from './task-ops.js';

const KEY = 'cluster';

export function nodeController(store: Store, caches: ManagerCaches, log: (msg: string) => void): Controller {
  async function reconcile(): Promise<void> {
    const nodes = caches.nodes.list();
    const tasks = caches.tasks.list();
    const heartbeats = Object.fromEntries(nodes.map((n) => [n.metadata.name, caches.heartbeats.has(heartbeatKey(n.metadata.name))]));
    const plan = planNodeLiveness(nodes, heartbeats, tasks);
    const now = new Date();
    for (const action of plan.nodeActions) {
      const node = nodes.find((n) => n.metadata.name === action.nodeName)!;
      log(`node ${action.nodeName} is ${action.state}${action.message ? `: ${action.message}` : ''}`);
      const written = await writeStatus<Node>(store, node, { ...node.status!, state: action.state, message: action.message });
      if (written) await caches.nodes.waitFor(written);
    }
    if (plan.taskActions.length === 0) return;
    const out = await applyInBatches(store, actionOps(plan.taskActions, new Map<string, Task>(tasks.map((t) => [t.metadata.name, t])), now));
    if (out.revision) await caches.tasks.waitFor(out.revision);
    if (out.conflicts) throw new Error(`${out.conflicts} task batch(es) lost a compare-and-swap`);
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
