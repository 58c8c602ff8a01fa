// Orchestrator actions → Store operations, and batched application of them.
import type { Task } from '../api/objects.js';
import { applyToTask, type OrchestratorAction } from '../orchestrator/actions.js';
import type { Store, TxnOp, TxnResult } from '../store/store.js';
import { createTaskOps, deleteTaskOps, updateTaskOps } from '../tasks/writes.js';

/** Writes per transaction, under etcd's default --max-txn-ops (128), which also counts the
 *  compares: one per conditional write plus the leader's fence (store/fenced.ts). */
export const MAX_TXN_OPS = 120;
/** Bytes of values per transaction, under etcd's default --max-request-bytes (1.5 MiB); counted
 *  before templates are taken out by reference, so the request sent is smaller still. */
export const MAX_TXN_BYTES = 1 << 20;

/** The writes for each action (one group per task; a group is never split across transactions).
 *  `find` looks an action's task up by name in the snapshot the plan was made from. */
export function actionOps(actions: OrchestratorAction[], find: (taskName: string) => Task | undefined, now: Date): TxnOp[][] {
  return actions.flatMap((action): TxnOp[][] => {
    if (action.type === 'create') return [createTaskOps(action.task)];
    const task = find(action.taskName);
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

/** What shows a caller its own writes: the informer of what it wrote. */
export interface WriteCache {
  waitFor(revision: number): Promise<void>;
}

/** Groups packed into as few transactions as etcd's limits allow (a group is never split): 10,000
 *  new tasks are 84 transactions, not 200 of 50 tasks each. */
export function packBatches(groups: TxnOp[][]): TxnOp[][] {
  const batches: TxnOp[][] = [];
  let batch: TxnOp[] = [];
  let bytes = 0;
  for (const group of groups) {
    const size = group.reduce((n, op) => n + op.key.length + ('value' in op ? op.value.length : 0), 0);
    if (batch.length > 0 && (batch.length + group.length > MAX_TXN_OPS || bytes + size > MAX_TXN_BYTES)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(...group);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** Transactions of one apply in flight at once: enough to keep etcd busy, few enough that another
 *  controller's writes are not queued behind all of them (the scheduler's first assignments waited
 *  for every one of 10,000 creations: placement did not start until creation ended). */
export const TXNS_IN_FLIGHT = 4;

/** Apply groups of writes in as few transactions as fit (packBatches), TXNS_IN_FLIGHT at a time,
 *  then wait until `cache` shows what was written: a reconcile never plans again on a cache
 *  without its own writes. A transaction that fails (the store unreachable, say) stops the rest
 *  (those in flight settle) and its error is thrown once the cache shows what was written before
 *  it: planning again without those writes would repeat them, and a placer would count the
 *  resources they take as free. */
export async function applyInBatches(store: Store, groups: TxnOp[][], cache: WriteCache): Promise<BatchOutcome> {
  const batches = packBatches(groups);
  const results: TxnResult[] = [];
  let failed: { error: unknown } | undefined;
  let next = 0;
  const worker = async () => {
    while (!failed && next < batches.length) {
      try {
        results.push(await store.txn(batches[next++]));
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(TXNS_IN_FLIGHT, batches.length) }, worker));
  const revision = Math.max(0, ...results.filter((r) => r.succeeded).map((r) => r.revision));
  if (revision) await cache.waitFor(revision);
  if (failed) throw failed.error;
  return { revision, conflicts: results.filter((r) => !r.succeeded).length };
}
