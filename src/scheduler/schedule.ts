// The scheduler: assigns pending tasks to nodes. Decisions are made in memory one after another,
// each counting for the next, and returned together so the caller commits them in batches.
import type { Node, Task } from '../api/objects.js';
import { stateOf } from '../orchestrator/task-state.js';
import { parseConstraints, type ParsedConstraints } from './constraints.js';
import { applyFilters, filtersFor } from './filters.js';
import { addTask, buildNodeInfos, serviceKey } from './node-info.js';
import { pickNode, SpreadGroups } from './rank.js';

export interface ScheduleResult {
  /** set spec.nodeName and status assigned */
  assignments: { taskName: string; nodeName: string }[];
  /** leave pending, with the reason as status.message */
  unschedulable: { taskName: string; reason: string }[];
}

/** Batch order: by stack, service, slot, then name, so a service's tasks are placed together. */
function batchOrder(a: Task, b: Task): number {
  const ka = [a.spec.stack, a.spec.service];
  const kb = [b.spec.stack, b.spec.service];
  for (let i = 0; i < 2; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
  const slots = (a.spec.slot ?? 0) - (b.spec.slot ?? 0);
  if (slots !== 0) return slots;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

/**
 * @param pending tasks to place: state pending, desiredState running (others are ignored). A task
 *   that already names its node (global services) is checked against that node only.
 * @param nodes   every node
 * @param tasks   every task of the cluster: those assigned and not ended hold resources and ports
 */
export function schedule(pending: Task[], nodes: Node[], tasks: Task[]): ScheduleResult {
  const infos = buildNodeInfos(nodes, tasks);
  const parsed = new Map<string, ParsedConstraints>();
  /** by service and preferences (a rolling update's two templates may spread differently) */
  const spread = new Map<string, SpreadGroups>();
  const result: ScheduleResult = { assignments: [], unschedulable: [] };
  const todo = pending.filter((t) => stateOf(t) === 'pending' && t.spec.desiredState === 'running').sort(batchOrder);
  for (const task of todo) {
    const name = task.metadata.name;
    const constraintTexts = task.spec.template.deploy.placement.constraints;
    const cacheKey = JSON.stringify(constraintTexts);
    if (!parsed.has(cacheKey)) parsed.set(cacheKey, parseConstraints(constraintTexts));
    const constraints = parsed.get(cacheKey)!;
    if (!constraints.ok) {
      result.unschedulable.push({ taskName: name, reason: constraints.error });
      continue;
    }
    let candidates = [...infos.values()];
    if (task.spec.nodeName !== undefined) {
      const own = infos.get(task.spec.nodeName);
      if (!own) {
        result.unschedulable.push({ taskName: name, reason: `node ${task.spec.nodeName} not found` });
        continue;
      }
      candidates = [own];
    }
    const { passed, reason } = applyFilters(candidates, filtersFor(task, constraints.constraints));
    if (reason !== undefined) {
      result.unschedulable.push({ taskName: name, reason });
      continue;
    }
    const spreadKey = `${serviceKey(task)} ${JSON.stringify(task.spec.template.deploy.placement.preferences)}`;
    let groups = spread.get(spreadKey);
    if (!groups) spread.set(spreadKey, (groups = new SpreadGroups(task, infos.values())));
    const chosen = pickNode(task, passed, groups);
    addTask(chosen, { ...task, spec: { ...task.spec, nodeName: chosen.name } });
    for (const g of spread.values()) if (g.service === groups.service) g.added(chosen);
    result.assignments.push({ taskName: name, nodeName: chosen.name });
  }
  return result;
}
