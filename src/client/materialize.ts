// Turn a desired object into the object to store, given what the Store holds now. Pure.
// generation moves only when spec changes; identical input leaves the stored object untouched.
import { API_VERSION, type NewObject, type Resource } from '../api/meta.js';
import { objectKey } from '../api/keys.js';
import type { TxnOp } from '../store/store.js';
import { canonicalJson, encodeObject } from './codec.js';

export type Change = 'created' | 'updated' | 'unchanged';

export interface Materialized {
  object: Resource;
  change: Change;
  /** the write to make; absent when unchanged */
  op?: TxnOp;
}

export interface Clock {
  now(): Date;
  uid(): string;
}

export function materialize(desired: NewObject, existing: Resource | undefined, clock: Clock): Materialized {
  const meta = desired.metadata;
  const key = objectKey(desired.kind, meta.namespace, meta.name);
  const labels = meta.labels ?? {};
  const annotations = meta.annotations ?? {};
  const ownerReferences = meta.ownerReferences ?? [];

  if (!existing) {
    const object: Resource = {
      apiVersion: API_VERSION,
      kind: desired.kind,
      metadata: {
        name: meta.name,
        namespace: meta.namespace,
        uid: clock.uid(),
        generation: 1,
        resourceVersion: '',
        labels,
        annotations,
        creationTimestamp: clock.now().toISOString(),
        ownerReferences,
      },
      spec: desired.spec,
    };
    return { object, change: 'created', op: { op: 'create', key, value: encodeObject(object) } };
  }

  const specChanged = canonicalJson(existing.spec) !== canonicalJson(desired.spec);
  const metaChanged =
    canonicalJson(existing.metadata.labels) !== canonicalJson(labels) ||
    canonicalJson(existing.metadata.annotations) !== canonicalJson(annotations) ||
    canonicalJson(existing.metadata.ownerReferences) !== canonicalJson(ownerReferences);
  if (!specChanged && !metaChanged) return { object: existing, change: 'unchanged' };

  const object: Resource = {
    ...existing,
    metadata: {
      ...existing.metadata,
      generation: existing.metadata.generation + (specChanged ? 1 : 0),
      labels,
      annotations,
      ownerReferences,
    },
    spec: desired.spec,
  };
  const revision = Number(existing.metadata.resourceVersion);
  return { object, change: 'updated', op: { op: 'update', key, value: encodeObject(object), revision } };
}

/** Delete an object only if nobody changed it since it was read. */
export function deleteOp(obj: Resource): TxnOp {
  return {
    op: 'delete',
    key: objectKey(obj.kind, obj.metadata.namespace, obj.metadata.name),
    revision: Number(obj.metadata.resourceVersion),
  };
}
