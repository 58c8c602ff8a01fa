// What the planners decide, for the reconcilers to apply in batched Store transactions.
// Every action names one task; a plan never names the same task twice, so each action is one
// compare-and-swap write on the task as it was read (its resourceVersion). Task names are unique
// across the cluster (the `ids` function must make them so), which lets the scheduler and the
// node planner, which span stacks, name tasks without their namespace.
import type { Task } from '../api/objects.js';

export type OrchestratorAction =
  /** create this task (a complete object: metadata, spec and status {state new|pending}) */
  | { type: 'create'; task: Task }
  /** set spec.desiredState = 'shutdown' and spec.shutdownReason = reason; the agent stops the container */
  | { type: 'setDesired'; taskName: string; desiredState: 'shutdown'; reason: string }
  /** Compose stop/start: spec.desiredState = 'stopped' (keep the container, stopped, within
   *  stopTimeoutSeconds) or back to 'running' (start the same container) */
  | { type: 'setRunState'; taskName: string; desiredState: 'running' | 'stopped'; stopTimeoutSeconds?: number; reason: string }
  /** status new → pending: the task's dependencies are met, the scheduler may place it */
  | { type: 'admit'; taskName: string; message: string }
  /** the manager gives up on a task whose node is lost: status.state = 'orphaned' and
   *  spec.desiredState = 'shutdown' (so the agent stops it should the node come back) */
  | { type: 'orphan'; taskName: string; reason: string }
  /** delete the task object (history beyond the limit, or a task that never reached a node) */
  | { type: 'delete'; taskName: string; reason: string };

export type ActionType = OrchestratorAction['type'];

/** The task an action is about. */
export function actionTaskName(action: OrchestratorAction): string {
  return action.type === 'create' ? action.task.metadata.name : action.taskName;
}

/** The task as it should be written after a setDesired, setRunState, admit or orphan action (create and delete
 *  need no object). The reconciler writes it with compare-and-swap on the task it read. */
export function applyToTask(task: Task, action: Exclude<OrchestratorAction, { type: 'create' | 'delete' }>, now: Date): Task {
  const timestamp = now.toISOString();
  switch (action.type) {
    case 'setDesired':
      return { ...task, spec: { ...task.spec, desiredState: 'shutdown', shutdownReason: action.reason } };
    case 'setRunState': {
      const { stopTimeoutSeconds: _, ...spec } = task.spec;
      const timeout = action.desiredState === 'stopped' && action.stopTimeoutSeconds !== undefined ? { stopTimeoutSeconds: action.stopTimeoutSeconds } : {};
      return { ...task, spec: { ...spec, desiredState: action.desiredState, ...timeout } };
    }
    case 'admit':
      return { ...task, status: { ...task.status, state: 'pending', timestamp, message: action.message } };
    case 'orphan':
      return {
        ...task,
        spec: { ...task.spec, desiredState: 'shutdown', shutdownReason: action.reason },
        status: { ...task.status, state: 'orphaned', timestamp, message: action.reason },
      };
  }
}
