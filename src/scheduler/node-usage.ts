// What the tasks on each node use, kept change by change (an informer index) so that a placement
// round starts from it instead of from a pass over every task of the cluster: in a rolling update
// of 100,000 tasks on 1,000 nodes that pass (buildNodeInfos) was the manager's largest cost, each
// round walking 200,000 tasks while old and new coexist.
import { Subject } from 'rxjs';
import type { Node, Task } from '../api/objects.js';
import { occupiesNode } from '../orchestrator/task-state.js';
import { hostPorts, type NodeInfo, serviceKey, toNano } from './node-info.js';

interface Usage {
  nanoCpus: number;
  memory: number;
  total: number;
  byService: Map<string, number>;
  /** its tasks that publish ports, by name (what a port means depends on the node: hostPorts) */
  publishing: Map<string, Task>;
}

export class NodeUsageIndex {
  private readonly byNode = new Map<string, Usage>();
  /** tasks placed and being written, counted before the store has them (kube-scheduler's assume
   *  cache), so that a placement made meanwhile sees them; by name */
  private readonly assumed = new Map<string, Task>();
  /** an assumption taken back that the store never confirmed (its write failed): capacity that
   *  no watch event announces, so the scheduler controller listens here to look again at once
   *  instead of at its next resync */
  readonly released$ = new Subject<void>();

  constructor(list: () => Task[]) {
    for (const t of list()) this.count(t, 1);
  }

  /** an informer's change (old and new object, either absent): the store's word on a task
   *  replaces what was assumed of it */
  apply(change: { object?: Task; old?: Task }): void {
    this.drop((change.object ?? change.old)!.metadata.name);
    if (change.old) this.count(change.old, -1);
    if (change.object) this.count(change.object, 1);
  }

  /** Count a task placed by this process before its write reaches the informer. */
  assume(task: Task): void {
    this.drop(task.metadata.name);
    this.assumed.set(task.metadata.name, task);
    this.count(task, 1);
  }

  /** Its write failed or is over: no longer counted unless the store says so (apply). */
  unassume(name: string): void {
    if (this.drop(name)) this.released$.next();
  }

  private drop(name: string): boolean {
    const task = this.assumed.get(name);
    if (!task) return false;
    this.assumed.delete(name);
    this.count(task, -1);
    return true;
  }

  /** Each node's usage as buildNodeInfos makes it (same order: by name), fresh objects the
   *  scheduler may change. */
  infos(nodes: Node[]): Map<string, NodeInfo> {
    const infos = new Map<string, NodeInfo>();
    for (const node of [...nodes].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))) {
      const name = node.metadata.name;
      const u = this.byNode.get(name);
      infos.set(name, {
        node,
        name,
        nanoCpus: u?.nanoCpus ?? 0,
        memory: u?.memory ?? 0,
        total: u?.total ?? 0,
        byService: new Map(u?.byService),
        ports: u ? [...u.publishing.values()].flatMap((t) => hostPorts(t, node)) : [],
      });
    }
    return infos;
  }

  private count(task: Task, by: 1 | -1): void {
    if (!occupiesNode(task)) return;
    const name = task.spec.nodeName!;
    let u = this.byNode.get(name);
    if (!u) this.byNode.set(name, (u = { nanoCpus: 0, memory: 0, total: 0, byService: new Map(), publishing: new Map() }));
    const reservations = task.spec.template.deploy.resources.reservations;
    if (reservations.cpus) u.nanoCpus += by * toNano(reservations.cpus);
    if (reservations.memory) u.memory += by * reservations.memory;
    if (task.spec.template.ports.some((p) => p.published !== undefined)) {
      if (by > 0) u.publishing.set(task.metadata.name, task);
      else u.publishing.delete(task.metadata.name);
    }
    if (task.spec.desiredState === 'running') {
      u.total += by;
      const key = serviceKey(task);
      const n = (u.byService.get(key) ?? 0) + by;
      if (n > 0) u.byService.set(key, n);
      else u.byService.delete(key);
    }
    if (u.total === 0 && u.nanoCpus === 0 && u.memory === 0 && u.publishing.size === 0 && u.byService.size === 0) this.byNode.delete(name);
  }
}
