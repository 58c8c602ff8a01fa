// The task controller's periodic resync, as the kubelet's PLEG relists: one listing of the node's
// containers, and a reconcile only for the tasks that listing does not show settled. Every task
// reconciled (an engine inspect each) every 10 s was the busiest thing a hollow node did at 100
// tasks a node, and each real node asked its engine about every container that often. Events and
// assignment changes reconcile a task at once, as before. Pure.
import type { Task, TaskState } from '../api/objects.js';
import { isTerminal } from '../orchestrator/task-state.js';
import type { ManagedContainer } from '../runtime/types.js';

/**
 * A task for which a reconcile would plan no step (plan-step.ts), judged from a listing.
 * @param reported  the state the agent last reported (undefined: not yet known, so not settled)
 * @param container the task's container in the listing, if any
 */
export function isSettled(task: Task, reported: TaskState | undefined, container: ManagedContainer | undefined): boolean {
  if (reported === undefined) return false;
  const running = container?.state === 'running';
  // ended (or stopped by Compose) and not running: nothing is ever restarted by the agent
  if (isTerminal(reported) || (reported === 'stopped' && task.spec.desiredState === 'stopped')) return !running;
  // running as reported and wanted: an unhealthy one is to be stopped
  return task.spec.desiredState === 'running' && reported === 'running' && running && !container.status.includes('(unhealthy)');
}

/** The keys of the `assigned` tasks (key → task) to reconcile, given the node's containers of this cluster. */
export function unsettled(assigned: Map<string, Task>, containers: ManagedContainer[], reported: (key: string) => TaskState | undefined): string[] {
  const byTask = new Map(containers.map((c) => [c.task.taskId, c]));
  const keys: string[] = [];
  for (const [key, t] of assigned) if (!isSettled(t, reported(key), byTask.get(t.metadata.name))) keys.push(key);
  return keys;
}
