// Task states only move forward (SwarmKit's rule): new → pending → assigned → accepted → preparing
// → ready → starting → running → complete | shutdown | failed | rejected | orphaned.
import { TASK_STATE_ORDER, type Task, type TaskState } from '../api/objects.js';

const TERMINAL: ReadonlySet<TaskState> = new Set(['complete', 'shutdown', 'failed', 'rejected', 'orphaned']);

/** The container is gone or never will be: nothing more happens to the task. */
export function isTerminal(state: TaskState): boolean {
  return TERMINAL.has(state);
}

/** A state may only be replaced by a later one, and a terminal state by none. */
export function canAdvance(from: TaskState, to: TaskState): boolean {
  if (isTerminal(from)) return false;
  return TASK_STATE_ORDER.indexOf(to) > TASK_STATE_ORDER.indexOf(from);
}

/** Never reached a node: new or pending. Such a task can be deleted outright instead of shut down. */
export function isUnassigned(state: TaskState): boolean {
  return state === 'new' || state === 'pending';
}

export function stateOf(task: Task): TaskState {
  return task.status?.state ?? 'new';
}

/** Assigned and not ended: holds (or will soon hold) a container on its node, so its resources and
 *  ports count against the node. A pending global task names its node but holds nothing yet. */
export function occupiesNode(task: Task): boolean {
  const state = stateOf(task);
  return task.spec.nodeName !== undefined && !isUnassigned(state) && !isTerminal(state);
}

/** Ended without being asked to: anything terminal except a clean exit. */
export function endedInFailure(task: Task): boolean {
  const state = stateOf(task);
  return isTerminal(state) && state !== 'complete';
}
