// Plan one deploy: desired objects against what the Store holds → one transaction. Pure.
import { API_VERSION, type Kind, type NewObject, type Resource } from '../api/meta.js';
import { objectKey } from '../api/keys.js';
import type { TxnOp } from '../store/store.js';
import { deleteOp, materialize, type Change, type Clock } from '../client/materialize.js';

export const STACK_CHILD_KINDS: readonly Kind[] = ['Network', 'Volume', 'Config', 'Secret', 'Service'];

export interface DeployResult {
  kind: Kind;
  name: string;
  namespace: string;
  change: Change | 'deleted';
}

export interface DeployPlan {
  ops: TxnOp[];
  results: DeployResult[];
}

/**
 * @param desired  Stack first, then its children (see desiredStackObjects)
 * @param existing the Stack (if any) and every child object in the stack's namespace
 * @param prune    delete children that are no longer in the stack file (Swarm's --prune)
 */
export function planDeploy(desired: NewObject[], existing: Resource[], prune: boolean, clock: Clock): DeployPlan {
  const byKey = new Map(existing.map((o) => [objectKey(o.kind, o.metadata.namespace, o.metadata.name), o]));
  const [stackWish, ...children] = desired;
  const stack = materialize(stackWish, byKey.get(objectKey('Stack', '', stackWish.metadata.name)), clock);
  const owner = {
    apiVersion: API_VERSION,
    kind: 'Stack' as const,
    name: stack.object.metadata.name,
    uid: stack.object.metadata.uid,
    controller: true,
  };
  const ops: TxnOp[] = [];
  const results: DeployResult[] = [];
  const record = (obj: Resource, change: DeployResult['change']) =>
    results.push({ kind: obj.kind, name: obj.metadata.name, namespace: obj.metadata.namespace, change });

  if (stack.op) ops.push(stack.op);
  record(stack.object, stack.change);

  const wanted = new Set<string>();
  for (const wish of children) {
    const key = objectKey(wish.kind, wish.metadata.namespace, wish.metadata.name);
    wanted.add(key);
    const m = materialize({ ...wish, metadata: { ...wish.metadata, ownerReferences: [owner] } }, byKey.get(key), clock);
    if (m.op) ops.push(m.op);
    record(m.object, m.change);
  }
  if (prune) {
    for (const [key, obj] of byKey) {
      if (obj.kind === 'Stack' || !STACK_CHILD_KINDS.includes(obj.kind) || wanted.has(key)) continue;
      // config and secret versions may still be mounted by tasks: the manager deletes unused ones
      if (obj.kind === 'Config' || obj.kind === 'Secret') continue;
      ops.push(deleteOp(obj));
      record(obj, 'deleted');
    }
  }
  return { ops, results };
}
