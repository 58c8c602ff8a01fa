// The scheduler controller: one key for the whole cluster. Whenever tasks or nodes change, place
// every pending task at once (decisions in memory, committed in batches) and record why the
// others fit nowhere.
import { filter, map, merge } from 'rxjs';
import type { Task } from '../api/objects.js';
import { coalesce } from '../controller/coalesce.js';
import { Controller } from '../controller/controller.js';
import type { CacheChange } from '../controller/informer.js';
import { isTerminal, stateOf } from '../orchestrator/task-state.js';
import { schedule } from '../scheduler/schedule.js';
import { objectKey } from '../api/keys.js';
import type { Store, TxnOp } from '../store/store.js';
import { updateTaskOps } from '../tasks/writes.js';
import type { ManagerCaches } from './caches.js';
import { assignedTo } from './placement.js';
import { applyInBatches } from './task-ops.js';

const KEY = 'cluster';
const objectKeyOf = (t: Task) => objectKey('Task', t.metadata.namespace, t.metadata.name);
/** at most one placement round per this many ms while tasks keep coming (controller/coalesce.ts) */
const COALESCE_MS = 50;

/** The writes of a placement round, and the tasks it placed as they will be stored. */
export function schedulingOps(pendingSince: Map<string, Task>, result: ReturnType<typeof schedule>, now: Date): { groups: TxnOp[][]; placed: Task[] } {
  const timestamp = now.toISOString();
  const groups: TxnOp[][] = [];
  const placed: Task[] = [];
  for (const { taskName, nodeName } of result.assignments) {
    const task = pendingSince.get(taskName)!;
    const next = assignedTo(task, nodeName, timestamp);
    placed.push(next);
    groups.push(updateTaskOps(task, next));
  }
  for (const { taskName, reason } of result.unschedulable) {
    const task = pendingSince.get(taskName)!;
    if (task.status?.message === reason) continue;
    groups.push(updateTaskOps(task, { ...task, status: { ...task.status!, message: reason } }));
  }
  return { groups, placed };
}

/** A change the scheduler must look at: a task that is pending now, or one that ended or went
 *  (its resources and ports are free again). The agents' progress reports (assigned → running),
 *  most of the changes at scale, are not. */
export function mayNeedScheduling(change: CacheChange<Task>): boolean {
  const now = change.object ? stateOf(change.object) : undefined;
  if (now === 'pending') return true;
  const before = change.old ? stateOf(change.old) : undefined;
  return before !== undefined && !isTerminal(before) && (now === undefined || isTerminal(now));
}

export function schedulerController(store: Store, caches: ManagerCaches, log: (msg: string) => void): Controller {
  // the tasks waiting for a node: listed, then kept up to date (the subscription ends with the
  // caches' term), not found by a pass over every task; what each node's tasks use: caches.usage
  const pending = new Map<string, Task>();
  const track = (key: string, task?: Task) => {
    if (task?.status?.state === 'pending' && task.spec.desiredState === 'running') pending.set(key, task);
    else pending.delete(key);
  };
  for (const task of caches.tasks.list()) track(objectKeyOf(task), task);
  caches.tasks.changes$.subscribe((change) => track(change.key, change.object));

  async function reconcile(): Promise<void> {
    if (pending.size === 0) return;
    const waiting = [...pending.values()];
    const result = schedule(waiting, caches.nodes.list(), caches.usage);
    const { groups, placed } = schedulingOps(new Map(waiting.map((t) => [t.metadata.name, t])), result, new Date());
    if (groups.length === 0) return;
    // counted as placed until the cache has them: the service controller places new tasks meanwhile (placement.ts)
    for (const task of placed) caches.usage.assume(task);
    try {
      const out = await applyInBatches(store, groups, caches.tasks);
      if (out.conflicts) throw new Error(`${out.conflicts} scheduling batch(es) lost a compare-and-swap`);
    } finally {
      for (const task of placed) caches.usage.unassume(task.metadata.name);
    }
  }

  return new Controller({
    name: 'scheduler',
    keys$: merge(caches.tasks.changes$.pipe(filter(mayNeedScheduling)), caches.nodes.changes$, caches.usage.released$).pipe(
      coalesce(COALESCE_MS),
      map(() => KEY),
    ),
    allKeys: () => [KEY],
    reconcile,
    log,
  });
}
