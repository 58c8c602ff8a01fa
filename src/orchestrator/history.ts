// The task reaper: finished tasks are kept as history (for `ps`), 5 per slot (global: per node)
// as in Swarm, and older ones deleted. Tasks the manager still wants running are never deleted,
// whatever their state (a finished current task awaits its restart decision). A task the manager
// shut down before it ever reached a node has no history worth keeping and goes at once.
import type { Task } from '../api/objects.js';
import { newestFirst } from './slots.js';
import { isTerminal, isUnassigned, stateOf } from './task-state.js';

export const TASK_HISTORY_LIMIT = 5;

function historyKey(task: Task): string {
  const where = task.spec.slot !== undefined ? `slot:${task.spec.slot}` : `node:${task.spec.nodeName ?? ''}`;
  return `${task.spec.stack}/${task.spec.service}/${where}`;
}

/** @returns the names of the tasks to delete */
export function planTaskHistory(tasks: Task[], keep = TASK_HISTORY_LIMIT): string[] {
  const doomed: string[] = [];
  const finishedBySlot = new Map<string, Task[]>();
  for (const task of tasks) {
    const state = stateOf(task);
    if (task.spec.desiredState === 'shutdown' && isUnassigned(state)) doomed.push(task.metadata.name);
    if (!isTerminal(state)) continue;
    const key = historyKey(task);
    finishedBySlot.set(key, [...(finishedBySlot.get(key) ?? []), task]);
  }
  for (const finished of finishedBySlot.values()) {
    const old = finished.sort(newestFirst).slice(keep);
    doomed.push(...old.filter((t) => t.spec.desiredState === 'shutdown').map((t) => t.metadata.name));
  }
  return doomed.sort();
}
