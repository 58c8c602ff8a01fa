// What the agent's garbage collector removes, decided without I/O. An agent collects only objects
// of its own cluster (the io.stackd.cluster label) and its own node; another cluster's objects on a
// shared engine are never touched, even under the same node and stack names.
//
// Objects made before cluster ids (no cluster label, "legacy") cannot be told apart from another
// cluster's by their labels. One is treated as this agent's only with proof from its own store: a
// legacy container whose task is assigned to this node is adopted (it keeps running, its task
// continues), and this agent remembers it; once the task is no longer assigned, the container is
// removed, and the stack's legacy networks go with the stack. Legacy objects never seen assigned
// in this agent's life are left alone (an upgrade must not destroy what another cluster runs).
import type { Task } from '../api/objects.js';
import { LABEL, ownerOf } from '../runtime/labels.js';
import type { ManagedContainer } from '../runtime/types.js';

export interface EngineResource {
  name: string;
  labels: Record<string, string>;
}

/** Legacy objects proven this agent's (see above): grows over the agent's life. */
export interface LegacyAdoptions {
  tasks: Set<string>;
  stacks: Set<string>;
}

export interface GarbagePlan {
  containers: { container: ManagedContainer; why: string }[];
  networks: string[];
  /** task ids whose secrets stay (every task still wanted here) */
  wantedTasks: Set<string>;
  /** a stack's volumes may be gone: forget what was ensured on the engine */
  volumesMayBeGone: boolean;
}

/**
 * @param containers this node's containers on the engine (listed first)
 * @param networks   stackd's networks on the engine
 * @param volumes    stackd's volumes on the engine (never removed: only forget what was ensured)
 * @param assigned   the tasks assigned to this node, read from the store after the engine
 * @param legacy     updated in place with the legacy containers adopted now
 */
export function planGarbage(
  clusterId: string,
  nodeName: string,
  containers: ManagedContainer[],
  networks: EngineResource[],
  volumes: EngineResource[],
  assigned: Task[],
  legacy: LegacyAdoptions,
): GarbagePlan {
  const orphaned = new Set(assigned.filter((t) => t.status?.state === 'orphaned').map((t) => t.metadata.name));
  const wantedTasks = new Set(assigned.map((t) => t.metadata.name).filter((name) => !orphaned.has(name)));
  const stacksHere = new Set(assigned.map((t) => t.spec.stack));

  const ours = containers.filter((c) => c.task.node === nodeName && isOurs(c.labels, clusterId, (l) => legacy.tasks.has(l[LABEL.task])));
  for (const c of containers) {
    if (ownerOf(c.labels, clusterId) === 'legacy' && c.task.node === nodeName && (wantedTasks.has(c.task.taskId) || orphaned.has(c.task.taskId))) {
      legacy.tasks.add(c.task.taskId);
      legacy.stacks.add(c.task.stack);
      if (!ours.includes(c)) ours.push(c);
    }
  }
  // a running orphan is first stopped by the task controller, within its stop grace period
  const strays = ours.filter((c) => !wantedTasks.has(c.task.taskId) && !(orphaned.has(c.task.taskId) && c.state === 'running'));
  const inUse = new Set(ours.filter((c) => wantedTasks.has(c.task.taskId)).map((c) => c.task.stack));

  const mine = (r: EngineResource) => r.labels[LABEL.node] === nodeName && isOurs(r.labels, clusterId, (l) => legacy.stacks.has(l[LABEL.stack]));
  const gone = (r: EngineResource) => !stacksHere.has(r.labels[LABEL.stack]) && !inUse.has(r.labels[LABEL.stack]);
  // the ingress network (no stack) stays while the agent lives: the routing mesh needs it on every node
  const netsToRemove = networks.filter((r) => mine(r) && gone(r) && r.labels[LABEL.stack] !== '');
  return {
    containers: strays.map((c) => ({ container: c, why: orphaned.has(c.task.taskId) ? 'orphaned' : `no longer assigned to ${nodeName}` })),
    networks: netsToRemove.map((r) => r.name),
    wantedTasks,
    volumesMayBeGone: netsToRemove.length > 0 || volumes.some((v) => mine(v) && gone(v)),
  };
}

/** Nothing to remove or forget. */
export function isEmpty(plan: GarbagePlan): boolean {
  return plan.containers.length === 0 && plan.networks.length === 0 && !plan.volumesMayBeGone;
}

function isOurs(labels: Record<string, string>, clusterId: string, legacyProof: (labels: Record<string, string>) => boolean): boolean {
  const owner = ownerOf(labels, clusterId);
  return owner === 'mine' || (owner === 'legacy' && legacyProof(labels));
}
