// What both orchestrators do to one slot (global: one node): fill it, restart it per policy,
// or retire tasks it no longer wants.
import type { Service, Task, TaskRestartRecord } from '../api/objects.js';
import type { OrchestratorAction } from './actions.js';
import { decideRestart } from './restart.js';
import type { SlotGroup } from './slots.js';
import { specHash } from './spec-hash.js';
import { isTerminal, isUnassigned, stateOf } from './task-state.js';

/** Stop a task the orchestrator no longer wants; one that never reached a node is simply deleted. */
export function retire(task: Task, reason: string): OrchestratorAction {
  return isUnassigned(stateOf(task))
    ? { type: 'delete', taskName: task.metadata.name, reason }
    : { type: 'setDesired', taskName: task.metadata.name, desiredState: 'shutdown', reason };
}

/** The record a task made for an empty slot carries: the slot's, unchanged, if still the same revision. */
function carriedRecord(service: Service, group: SlotGroup | undefined): TaskRestartRecord | undefined {
  const hash = specHash(service.spec.template);
  return group?.tasks.find((t) => t.spec.specHash === hash)?.spec.restart;
}

export interface SlotFill {
  actions: OrchestratorAction[];
  /** a restart is due later: ask to be called again at this time */
  wakeAt?: Date;
}

/**
 * Keep a wanted slot filled. Empty (never used, scaled up, or its task was shut down by the
 * manager: drained, orphaned) → a task at once. Its task ended on its own → restart_policy decides.
 * The service is stopped → neither (a scale up or a refill waits for `start`).
 */
export function fillSlot(service: Service, key: string, group: SlotGroup | undefined, now: Date, make: (record?: TaskRestartRecord) => Task): SlotFill {
  const actions: OrchestratorAction[] = (group?.extra ?? []).map((t) => retire(t, `duplicate task in slot ${key}`));
  // a stopped service (Compose `stop`) keeps its slots as they are: nothing new, no restart
  if (service.spec.stopped) return { actions };
  const current = group?.current;
  if (!current) return { actions: [...actions, { type: 'create', task: make(carriedRecord(service, group)) }] };
  if (!isTerminal(stateOf(current))) return { actions };
  const decision = decideRestart(service, key, current, now);
  if (!decision.restart) return { actions };
  if (decision.at!.getTime() > now.getTime()) return { actions, wakeAt: decision.at };
  actions.push(retire(current, `restarted: ${decision.reason}`), { type: 'create', task: make(decision.record) });
  return { actions };
}
