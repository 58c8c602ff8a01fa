// Placing tasks as they are created. The service controller's new pending tasks go through the
// scheduler before their first write, so each is written once with its node (and its assignment
// copy) instead of created pending and then assigned: one write, and one watch event for every
// watcher, less per task, and no wait for the scheduler's next round (Nomad's scheduler writes its
// allocations with their node the same way). A task that fits nowhere is created pending with the
// reason; the scheduler controller tries it again when nodes or tasks change.
import type { Node, Task } from '../api/objects.js';
import type { OrchestratorAction } from '../orchestrator/actions.js';
import { stateOf } from '../orchestrator/task-state.js';
import type { NodeUsageIndex } from '../scheduler/node-usage.js';
import { schedule } from '../scheduler/schedule.js';

/** The task placed on `nodeName`: the scheduler's one write of it. */
export function assignedTo(task: Task, nodeName: string, timestamp: string): Task {
  return {
    ...task,
    spec: { ...task.spec, nodeName },
    status: { ...task.status!, state: 'assigned', timestamp, message: `scheduled on ${nodeName}` },
  };
}

export interface PlacedCreations {
  actions: OrchestratorAction[];
  /** names of the tasks placed: counted in `usage` until the store has them (unassume after the write) */
  assumed: string[];
}

/** The creations among `actions` placed (assumed in `usage`) or, where nothing fits, given the
 *  reason; every other action as it was. */
export function placeCreations(actions: OrchestratorAction[], nodes: Node[], usage: NodeUsageIndex, now: Date): PlacedCreations {
  const fresh = actions.flatMap((a) => (a.type === 'create' && stateOf(a.task) === 'pending' && a.task.spec.desiredState === 'running' ? [a.task] : []));
  if (fresh.length === 0) return { actions, assumed: [] };
  const result = schedule(fresh, nodes, usage);
  const placed = new Map(result.assignments.map((a) => [a.taskName, a.nodeName]));
  const reasons = new Map(result.unschedulable.map((u) => [u.taskName, u.reason]));
  const timestamp = now.toISOString();
  const placedActions = actions.map((a): OrchestratorAction => {
    if (a.type !== 'create') return a;
    const nodeName = placed.get(a.task.metadata.name);
    if (nodeName !== undefined) {
      const task = assignedTo(a.task, nodeName, timestamp);
      usage.assume(task);
      return { type: 'create', task };
    }
    const reason = reasons.get(a.task.metadata.name);
    return reason === undefined ? a : { type: 'create', task: { ...a.task, status: { ...a.task.status!, message: reason } } };
  });
  return { actions: placedActions, assumed: [...placed.keys()] };
}
