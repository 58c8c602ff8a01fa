// The replicated orchestrator: slots 1..replicas, each with one current task.
import type { Service, Task } from '../api/objects.js';
import type { OrchestratorAction } from './actions.js';
import { newTask } from './new-task.js';
import { fillSlot, retire } from './slot-actions.js';
import { groupSlots, slotKey } from './slots.js';

export interface ReplicatedPlan {
  actions: OrchestratorAction[];
  /** the earliest delayed restart, if any */
  wakeAt?: Date;
}

/**
 * Fill slots 1..N (create; restart ended tasks per restart_policy), shut down the current tasks
 * of slots above N (scale down), shut down duplicates. Finished tasks stay as history.
 * @param tasks every task of this service
 */
export function planReplicatedDetailed(service: Service, tasks: Task[], now: Date, ids: () => string): ReplicatedPlan {
  const replicas = service.spec.template.deploy.replicas;
  const { slots, strays } = groupSlots(tasks, 'replicated');
  const actions: OrchestratorAction[] = strays.filter((t) => t.spec.desiredState !== 'shutdown').map((t) => retire(t, 'task has no slot'));
  let wakeAt: Date | undefined;
  for (const group of slots.values()) {
    if (Number(group.key) <= replicas) continue;
    for (const t of [group.current, ...group.extra]) if (t) actions.push(retire(t, `scaled down to ${replicas}`));
  }
  for (let slot = 1; slot <= replicas; slot++) {
    const key = slotKey(slot);
    const fill = fillSlot(service, key, slots.get(key), now, (restart) => newTask(service, ids(), now, { slot, restart }));
    actions.push(...fill.actions);
    if (fill.wakeAt && (!wakeAt || fill.wakeAt < wakeAt)) wakeAt = fill.wakeAt;
  }
  return { actions, wakeAt };
}

export function planReplicated(service: Service, tasks: Task[], now: Date, ids: () => string): OrchestratorAction[] {
  return planReplicatedDetailed(service, tasks, now, ids).actions;
}
