// The scheduler as it was before runs and heaps (src/scheduler/schedule.ts until its rewrite), kept
// as the reference the fast one must agree with task for task: every task filters every node and
// ranks every node that passed. A test oracle, not used by stackd.
import type { Node, Task } from '../../../src/api/objects.js';
import { parseConstraints, type ParsedConstraints } from '../../../src/scheduler/constraints.js';
import { applyFilters, filtersFor } from '../../../src/scheduler/filters.js';
import { addTask, buildNodeInfos, type NodeInfo, serviceKey } from '../../../src/scheduler/node-info.js';
import { SpreadGroups } from '../../../src/scheduler/rank.js';
import { batchOrder, type ScheduleResult } from '../../../src/scheduler/schedule.js';
import { stateOf } from '../../../src/orchestrator/task-state.js';

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function pickNode(task: Task, candidates: NodeInfo[], groups: SpreadGroups): NodeInfo {
  const svc = serviceKey(task);
  const score = (info: NodeInfo): number[] => [...groups.countsOf(info), info.byService.get(svc) ?? 0, info.total];
  let best = candidates[0];
  let bestScore = score(best);
  for (let i = 1; i < candidates.length; i++) {
    const info = candidates[i];
    const s = score(info);
    const cmp = compareScores(s, bestScore);
    if (cmp < 0 || (cmp === 0 && info.name < best.name)) {
      best = info;
      bestScore = s;
    }
  }
  return best;
}

export function naiveSchedule(pending: Task[], nodes: Node[], tasks: Task[]): ScheduleResult {
  const infos = buildNodeInfos(nodes, tasks);
  const parsed = new Map<string, ParsedConstraints>();
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
