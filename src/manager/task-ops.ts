// Orchestrator actions → Store operations, and batched application of them.
import type { Task } from '../api/objects.js';
import { applyToTask, type OrchestratorAction } from '../orchestrator/actions.js';
import type { Store, TxnOp } from '../store/store.js';
import { createTaskOps, deleteTaskOps, updateTaskOps } from '../tasks/writes.js';

/** Tasks per transaction: keeps each one well under etcd's default --max-txn-ops (128). */
export const TASKS_PER_TXN = 50;

/** The writes for each action (one group per task; a group is never split across transactions). */
export function actionOps(actions: OrchestratorAction[], tasks: Map<string, Task>, now: Date): TxnOp[][] {
  return actions.flatMap((action): TxnOp[][] => {
    if (action.type === 'create') return [createTaskOps(action.task)];
    const task = tasks.get(action.taskName);
    if (!task) return []; // gone since the snapshot: the next reconcile plans without it
    if (action.type === 'delete') return [deleteTaskOps(task)];
    return [updateTaskOps(task, applyToTask(task, action, now))];
  });
}

export interface BatchOutcome {
  /** highest revision written (0 when nothing was written) */
  revision: number;
  /** transactions whose compare-and-swap failed (someone wrote first: plan again) */
  conflicts: number;
}

/** Apply groups of writes in transactions of at most TASKS_PER_TXN groups, a few in flight. */
export async function applyInBatches(store: Store, groups: TxnOp[][]): Promise<BatchOutcome> {
  const batches: TxnOp[][] = [];
  for (let i = 0; i < groups.length; i += TASKS_PER_TXN) batches.push(groups.slice(i, i + TASKS_PER_TXN).flat());
  const results = await Promise.all(batches.map((ops) => store.txn(ops)));
  return {
    revision: Math.max(0, ...results.filter((r) => r.succeeded).map((r) => r.revision)),
    conflicts: results.filter((r) => !r.succeeded).length,
  };
}
