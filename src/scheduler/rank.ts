// Ranking the nodes that passed the filters, as SwarmKit does: placement preferences
// `spread=node.labels.X` first (a tree over label values: balance the service's tasks across
// values, then within each value across the next preference; nodes without the label form one
// group of their own), then fewest tasks of the same service, then fewest tasks overall, then
// the node name so the choice is deterministic.
import type { Node, Task } from '../api/objects.js';
import { IndexedHeap } from './node-heap.js';
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
 * One service's spread groups over every node, for one set of preferences: each node's place in
 * the spread tree (computed once per schedule(), not per task and node) and the service's tasks
 * per group, kept in step with the decisions (`added`). At 1,000 nodes, recomputing both for
 * every task held the scheduler alone to 313 tasks/s.
 */
export class SpreadGroups {
  private readonly keys = new Map<NodeInfo, string[]>();
  private readonly counts = new Map<string, number>();
  readonly service: string;

  /** @param all every node's infos: a group's count takes in the service's tasks on all its nodes,
   *  not only on those that pass the filters */
  constructor(task: Task, all: Iterable<NodeInfo>) {
    this.service = serviceKey(task);
    for (const info of all) {
      const path = spreadPath(task, info.node);
      const keys = path.map((_, i) => JSON.stringify(path.slice(0, i + 1)));
      this.keys.set(info, keys);
      const n = info.byService.get(this.service) ?? 0;
      if (n > 0) for (const key of keys) this.counts.set(key, (this.counts.get(key) ?? 0) + n);
    }
  }

  /** the service's tasks in each group the node belongs to, outermost first */
  countsOf(info: NodeInfo): number[] {
    return (this.keys.get(info) ?? []).map((key) => this.counts.get(key) ?? 0);
  }

  /** the innermost group the node belongs to ('' without preferences) */
  leafOf(info: NodeInfo): string {
    return this.keys.get(info)?.at(-1) ?? '';
  }

  /** a task of the service was placed on `info` */
  added(info: NodeInfo): void {
    for (const key of this.keys.get(info) ?? []) this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
}

/**
 * The nodes a run of alike tasks (one service, one template) may still go to, ranked as above
 * without a pass over every node per task: one heap per leaf of the spread tree, ordered by the
 * service's tasks, then all tasks, then name; the best node is the best of the leaves' tops, the
 * leaves compared by their groups' counts. Placing a task changes its node and that node's groups
 * only, so only that node moves (SwarmKit keeps such a heap per service group).
 */
export class Candidates {
  private readonly leaves = new Map<string, IndexedHeap<NodeInfo>>();
  private readonly less: (a: NodeInfo, b: NodeInfo) => boolean;

  /** @param nodes the nodes that pass the run's filters */
  constructor(
    private readonly groups: SpreadGroups,
    nodes: Iterable<NodeInfo>,
  ) {
    const svc = groups.service;
    this.less = (a, b) => {
      const d = (a.byService.get(svc) ?? 0) - (b.byService.get(svc) ?? 0) || a.total - b.total;
      return d < 0 || (d === 0 && a.name < b.name);
    };
    for (const info of nodes) {
      const leaf = groups.leafOf(info);
      let heap = this.leaves.get(leaf);
      if (!heap) this.leaves.set(leaf, (heap = new IndexedHeap(this.less)));
      heap.push(info);
    }
  }

  /** the node the next task goes to; undefined when none is left */
  best(): NodeInfo | undefined {
    let best: NodeInfo | undefined;
    let bestCounts: number[] = [];
    for (const heap of this.leaves.values()) {
      const top = heap.top();
      if (!top) continue;
      const counts = this.groups.countsOf(top);
      const cmp = best ? compareCounts(counts, bestCounts) : -1;
      if (cmp < 0 || (cmp === 0 && this.less(top, best!))) {
        best = top;
        bestCounts = counts;
      }
    }
    return best;
  }

  /** `info` took a task: it moves in its heap, or leaves it when it passes the filters no more */
  placed(info: NodeInfo, stillPasses: boolean): void {
    const heap = this.leaves.get(this.groups.leafOf(info));
    if (stillPasses) heap?.update(info);
    else heap?.remove(info);
  }
}

function compareCounts(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
