// Writing a Node's spec (stackctl node update, the web console's drain/activate): one
// compare-and-swap on the revision read; a lost race is the caller's to retry.
import { objectKey } from '../api/keys.js';
import type { Node } from '../api/objects.js';
import { encodeObject } from '../client/codec.js';
import { CommandError } from '../errors.js';
import type { Store } from '../store/store.js';
import { findNode } from './find.js';

export async function writeNode(store: Store, prev: Node, next: Node): Promise<void> {
  const key = objectKey('Node', '', prev.metadata.name);
  const res = await store.txn([{ op: 'update', key, value: encodeObject(next), revision: Number(prev.metadata.resourceVersion) }]);
  if (!res.succeeded) throw new CommandError(`node ${prev.metadata.name} changed meanwhile; try again`);
}

/** A node's spec changed by `change` (a new generation). */
export async function updateNodeSpec(store: Store, name: string, change: (spec: Node['spec']) => Node['spec']): Promise<Node> {
  const prev = await findNode(store, name);
  const next: Node = { ...prev, metadata: { ...prev.metadata, generation: prev.metadata.generation + 1 }, spec: change(prev.spec) };
  await writeNode(store, prev, next);
  return next;
}
