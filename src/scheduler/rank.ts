// Ranking the nodes that passed the filters, as SwarmKit does: placement preferences
// `spread=node.labels.X` first (a tree over label values: balance the service's tasks across
// values, then within each value across the next preference; nodes without the label form one
// group of their own), then fewest tasks of the same service, then fewest tasks overall, then
// the node name so the choice is deterministic.
import type { Node, Task } from '../api/objects.js';
import { serviceKey, type NodeInfo } from './node-info.js';

/** The label a spread preference reads, or undefined when it names none we know. */
function spreadValue(descriptor: string, node: Node): string | undefined {
  const d = descriptor.trim();
  if (d.startsWith('node.labels.') && d.length > 12) return node.spec.labels[d.slice(12)] ?? '';
  if (d.startsWith('engine.labels.') && d.length > 14) return node.status?.engineLabels?.[d.slice(14)] ?? '';
  return undefined;
}

/** The node's place in the spread tree: one path element per preference. */
function spreadPath(task: Task, node: Node): string[] {
  const path: string[] = [];
  for (const pref of task.spec.template.deploy.placement.preferences) {
    const v = spreadValue(pref.spread, node);
    if (v !== undefined) path.push(v);
  }
  return path;
}

/**
 * The best node for `task` among `candidates`. `all` are every node's infos: a spread group's
 * count takes in the service's tasks on all its nodes, not only on those that passed the filters.
 */
export function pickNode(task: Task, candidates: NodeInfo[], all: Iterable<NodeInfo>): NodeInfo {
  const svc = serviceKey(task);
  const groupCounts = new Map<string, number>();
  for (const info of all) {
    const n = info.byService.get(svc) ?? 0;
    if (n === 0) continue;
    const path = spreadPath(task, info.node);
    for (let depth = 1; depth <= path.length; depth++) {
      const key = JSON.stringify(path.slice(0, depth));
      groupCounts.set(key, (groupCounts.get(key) ?? 0) + n);
    }
  }
  const score = (info: NodeInfo): number[] => {
    const path = spreadPath(task, info.node);
    const groups = path.map((_, i) => groupCounts.get(JSON.stringify(path.slice(0, i + 1))) ?? 0);
    return [...groups, info.byService.get(svc) ?? 0, info.total];
  };
  let best = candidates[0];
  let bestScore = score(best);
  for (const info of candidates.slice(1)) {
    const s = score(info);
    const cmp = compareScores(s, bestScore);
    if (cmp < 0 || (cmp === 0 && info.name < best.name)) {
      best = info;
      bestScore = s;
    }
  }
  return best;
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
