// The labels stackd puts on every container it creates, and the container names it gives them.
// They are how an agent finds its containers again after a restart (adoption) without any state
// of its own: the engine is the record of what runs. The cluster label (the store's id:
// src/store/cluster-id.ts) is on every container, network and volume, so that agents of two
// clusters sharing one engine tell theirs from the other's.
import type { Task } from '../api/objects.js';

export const LABEL = {
  stack: 'io.stackd.stack',
  service: 'io.stackd.service',
  task: 'io.stackd.task',
  slot: 'io.stackd.slot',
  node: 'io.stackd.node',
  specHash: 'io.stackd.spec-hash',
  cluster: 'io.stackd.cluster',
} as const;

/** Whose an engine object is: this cluster's, another cluster's, or made by a stackd from before
 *  cluster ids (no cluster label: see ownership in src/agent/gc-ownership.ts). Pure. */
export function ownerOf(labels: Record<string, string> | undefined, clusterId: string): 'mine' | 'other' | 'legacy' {
  const cluster = labels?.[LABEL.cluster];
  if (!cluster) return 'legacy';
  return cluster === clusterId ? 'mine' : 'other';
}

/** What a managed container's labels say about the task it runs. */
export interface TaskRef {
  stack: string;
  service: string;
  /** the Task's metadata.name */
  taskId: string;
  /** absent for global services */
  slot?: number;
  node: string;
  specHash: string;
  /** '' on containers made before cluster ids */
  cluster: string;
}

/** stackd's labels for a task's container on `nodeName` in cluster `clusterId`. */
export function taskLabels(task: Task, nodeName: string, clusterId: string): Record<string, string> {
  const labels: Record<string, string> = {
    [LABEL.cluster]: clusterId,
    [LABEL.stack]: task.spec.stack,
    [LABEL.service]: task.spec.service,
    [LABEL.task]: task.metadata.name,
    [LABEL.node]: nodeName,
    [LABEL.specHash]: task.spec.specHash,
  };
  if (task.spec.slot !== undefined) labels[LABEL.slot] = String(task.spec.slot);
  return labels;
}

/** The task a container runs, read from its labels; undefined when stackd did not create it. */
export function taskRefFromLabels(labels: Record<string, string> | undefined): TaskRef | undefined {
  if (!labels?.[LABEL.task] || !labels[LABEL.stack] || !labels[LABEL.service]) return undefined;
  const slot = labels[LABEL.slot];
  return {
    stack: labels[LABEL.stack],
    service: labels[LABEL.service],
    taskId: labels[LABEL.task],
    slot: slot === undefined || slot === '' ? undefined : Number(slot),
    node: labels[LABEL.node] ?? '',
    specHash: labels[LABEL.specHash] ?? '',
    cluster: labels[LABEL.cluster] ?? '',
  };
}

/** Swarm's container name, `<stack>_<service>.<slot or node>.<task id>`, unless the service sets
 *  container_name (then at most one task of it can run per engine, as with Compose). */
export function containerName(task: Task, nodeName: string): string {
  const custom = task.spec.template.container_name;
  if (custom) return custom;
  const middle = task.spec.slot !== undefined ? String(task.spec.slot) : nodeName;
  return sanitizeName(`${task.spec.stack}_${task.spec.service}.${middle}.${task.metadata.name}`);
}

/** Docker accepts [a-zA-Z0-9][a-zA-Z0-9_.-]* as a container name. */
function sanitizeName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_.-]/g, '-').replace(/^[^a-zA-Z0-9]+/, '');
}
