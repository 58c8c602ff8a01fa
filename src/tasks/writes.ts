// Writing tasks. The manager's view of an assigned task is copied under its node's assignment
// prefix in the same transaction, so each agent watches only its own tasks.
import { assignmentKey, objectKey } from '../api/keys.js';
import type { Task } from '../api/objects.js';
import { encodeStoredTask } from '../client/codec.js';
import type { TxnOp } from '../store/store.js';

function taskKey(task: Task): string {
  return objectKey('Task', task.metadata.namespace, task.metadata.name);
}

/** Create a task (and its assignment, if it already has a node). */
export function createTaskOps(task: Task): TxnOp[] {
  const value = encodeStoredTask(task);
  const ops: TxnOp[] = [{ op: 'create', key: taskKey(task), value }];
  if (task.spec.nodeName) ops.push({ op: 'put', key: assignmentKey(task.spec.nodeName, task.metadata.namespace, task.metadata.name), value });
  return ops;
}

/** Replace `prev` by `next` if nobody wrote it since `prev` was read; keep the assignment in step. */
export function updateTaskOps(prev: Task, next: Task): TxnOp[] {
  const value = encodeStoredTask(next);
  const ops: TxnOp[] = [{ op: 'update', key: taskKey(next), value, revision: Number(prev.metadata.resourceVersion) }];
  const { namespace, name } = next.metadata;
  if (prev.spec.nodeName && prev.spec.nodeName !== next.spec.nodeName) {
    ops.push({ op: 'delete', key: assignmentKey(prev.spec.nodeName, namespace, name) });
  }
  if (next.spec.nodeName) ops.push({ op: 'put', key: assignmentKey(next.spec.nodeName, namespace, name), value });
  return ops;
}

export function deleteTaskOps(task: Task): TxnOp[] {
  const ops: TxnOp[] = [{ op: 'delete', key: taskKey(task), revision: Number(task.metadata.resourceVersion) }];
  if (task.spec.nodeName) ops.push({ op: 'delete', key: assignmentKey(task.spec.nodeName, task.metadata.namespace, task.metadata.name) });
  return ops;
}

/** A status-only write by the agent: the assignment copy is the manager's and is left alone. */
export function updateTaskStatusOp(task: Task): TxnOp {
  return { op: 'update', key: taskKey(task), value: encodeStoredTask(task), revision: Number(task.metadata.resourceVersion) };
}
