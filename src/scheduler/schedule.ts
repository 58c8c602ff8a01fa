// The scheduler: assigns pending tasks to nodes. Decisions are made in memory one after another,
// each counting for the next, and returned together so the caller commits them in batches. Alike
// tasks (one service, one template: a run in batch order) are filtered once and ranked from heaps
// (rank.ts: Candidates), so a task costs O(log nodes), not a pass over every node.
import type { Node, Task } from '../api/objects.js';
import { stateOf } from '../orchestrator/task-state.js';
import { parseConstraints, type ParsedConstraints } from './constraints.js';
import { applyFilters, type Filter, filtersFor } from './filters.js';
import { addTask, buildNodeInfos, type NodeInfo, serviceKey } from './node-info.js';
import type { NodeUsageIndex } from './node-usage.js';
import { Candidates, SpreadGroups } from './rank.js';

export interface ScheduleResult {
  /** set spec.nodeName and status assigned */
  assignments: { taskName: string; nodeName: string }[];
  /** leave pending, with the reason as status.message */
  unschedulable: { taskName: string; reason: string }[];
}

/** Batch order: by stack, service, slot, then name, so a service's tasks are placed together. */
export function batchOrder(a: Task, b: Task): number {
  const ka = [a.spec.stack, a.spec.service];
  const kb = [b.spec.stack, b.spec.service];
  for (let i = 0; i < 2; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
  const slots = (a.spec.slot ?? 0) - (b.spec.slot ?? 0);
  if (slots !== 0) return slots;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

/** Consecutive tasks that filter and rank alike (one service, the same placement, reservations and
 *  ports); a task pinned to its node (global) is a run alone. */
function* runsOf(tasks: Task[]): Generator<Task[]> {
  /** what filtering and ranking read of a template, as text, once per template object */
  const texts = new Map<object, string>();
  const placementOf = ({ spec: { template } }: Task) => {
    let text = texts.get(template);
    if (text === undefined) {
      const { placement, resources } = template.deploy;
      texts.set(template, (text = JSON.stringify([placement, resources.reservations, template.ports, template.network_mode ?? null])));
    }
    return text;
  };
  let run: Task[] = [];
  let runKey = '';
  for (const task of tasks) {
    const key = task.spec.nodeName === undefined ? `${serviceKey(task)}\n${placementOf(task)}` : undefined;
    if (run.length > 0 && (key === undefined || key !== runKey)) {
      yield run;
      run = [];
    }
    run.push(task);
    runKey = key ?? '';
    if (key === undefined) {
      yield run;
      run = [];
    }
  }
  if (run.length > 0) yield run;
}

/**
 * @param pending tasks to place: state pending, desiredState running (others are ignored). A task
 *   that already names its node (global services) is checked against that node only.
 * @param nodes   every node
 * @param tasks   every task of the cluster: those assigned and not ended hold resources and ports;
 *   or the manager's index of what they use (node-usage.ts), the same kept change by change
 */
export function schedule(pending: Task[], nodes: Node[], tasks: Task[] | NodeUsageIndex): ScheduleResult {
  const infos = Array.isArray(tasks) ? buildNodeInfos(nodes, tasks) : tasks.infos(nodes);
  const parsed = new Map<string, ParsedConstraints>();
  /** by service and preferences (a rolling update's two templates may spread differently) */
  const spread = new Map<string, SpreadGroups>();
  /** the same, by service: a placement counts in each */
  const spreadOf = new Map<string, SpreadGroups[]>();
  const result: ScheduleResult = { assignments: [], unschedulable: [] };
  const unschedulable = (run: Task[], reason: string) => {
    for (const task of run) result.unschedulable.push({ taskName: task.metadata.name, reason });
  };
  const todo = pending.filter((t) => stateOf(t) === 'pending' && t.spec.desiredState === 'running').sort(batchOrder);
  for (const run of runsOf(todo)) {
    const first = run[0];
    const constraintTexts = first.spec.template.deploy.placement.constraints;
    const cacheKey = JSON.stringify(constraintTexts);
    if (!parsed.has(cacheKey)) parsed.set(cacheKey, parseConstraints(constraintTexts));
    const constraints = parsed.get(cacheKey)!;
    if (!constraints.ok) {
      unschedulable(run, constraints.error);
      continue;
    }
    let candidates = [...infos.values()];
    if (first.spec.nodeName !== undefined) {
      const own = infos.get(first.spec.nodeName);
      if (!own) {
        unschedulable(run, `node ${first.spec.nodeName} not found`);
        continue;
      }
      candidates = [own];
    }
    const spreadKey = `${serviceKey(first)} ${JSON.stringify(first.spec.template.deploy.placement.preferences)}`;
    let groups = spread.get(spreadKey);
    if (!groups) {
      spread.set(spreadKey, (groups = new SpreadGroups(first, infos.values())));
      spreadOf.set(groups.service, [...(spreadOf.get(groups.service) ?? []), groups]);
    }
    const serviceGroups = spreadOf.get(groups.service)!;
    const filters = filtersFor(first, constraints.constraints);
    const passes = (info: NodeInfo) => filters.every((f: Filter) => f.check(info) === undefined);
    const ranked = new Candidates(groups, candidates.filter(passes));
    for (const [i, task] of run.entries()) {
      const chosen = ranked.best();
      if (!chosen) {
        // nothing changes from here to the run's end: every task left fails for the same reason
        unschedulable(run.slice(i), applyFilters(candidates, filters).reason!);
        break;
      }
      addTask(chosen, { ...task, spec: { ...task.spec, nodeName: chosen.name } });
      for (const g of serviceGroups) g.added(chosen);
      ranked.placed(chosen, passes(chosen));
      result.assignments.push({ taskName: task.metadata.name, nodeName: chosen.name });
    }
  }
  return result;
}
