// Task states only move forward (SwarmKit's rule): new → pending → assigned → accepted → preparing
// → ready → starting → running → stopped → complete | shutdown | failed | rejected | orphaned.
// The one exception: a task stopped on purpose (Compose `stop`, desiredState stopped) that is
// wanted running again starts over from its kept container (or prepares one, if it never had one).
import { TASK_STATE_ORDER, type Task, type TaskState } from '../api/objects.js';

const TERMINAL: ReadonlySet<TaskState> = new Set(['complete', 'shutdown', 'failed', 'rejected', 'orphaned']);

/** The container is gone or never will be: nothing more happens to the task. */
export function isTerminal(state: TaskState): boolean {
  return TERMINAL.has(state);
}

/** What a stopped task may move back to when it is started again. */
const RESTARTED: ReadonlySet<TaskState> = new Set(['preparing', 'ready', 'starting', 'running']);

/** A state may only be replaced by a later one, a terminal state by none, and `stopped` by a restart. */
export function canAdvance(from: TaskState, to: TaskState): boolean {
  if (isTerminal(from)) return false;
  if (from === 'stopped' && RESTARTED.has(to)) return true;
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
