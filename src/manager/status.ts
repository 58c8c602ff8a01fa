// Writing an object's status: only when it changed, compare-and-swap on what was read.
import type { Condition, Resource } from '../api/meta.js';
import { objectKey } from '../api/keys.js';
import { canonicalJson, encodeObject } from '../client/codec.js';
import type { PlannedCondition } from '../orchestrator/service-status.js';
import type { Store } from '../store/store.js';

/** Conditions with lastTransitionTime kept from before unless the status flipped. */
export function withTransitionTimes(planned: PlannedCondition[], previous: Condition[] = [], now: Date): Condition[] {
  return planned.map((c) => {
    const prev = previous.find((p) => p.type === c.type);
    const lastTransitionTime = prev && prev.status === c.status ? prev.lastTransitionTime : now.toISOString();
    return { ...c, lastTransitionTime };
  });
}

/** Write `status` on `obj` if it differs; returns the revision written, 0 if unchanged. Throws on conflict. */
export async function writeStatus<T extends Resource>(store: Store, obj: T, status: T['status']): Promise<number> {
  if (canonicalJson(obj.status ?? null) === canonicalJson(status ?? null)) return 0;
  const key = objectKey(obj.kind, obj.metadata.namespace, obj.metadata.name);
  const res = await store.txn([{ op: 'update', key, value: encodeObject({ ...obj, status }), revision: Number(obj.metadata.resourceVersion) }]);
  if (!res.succeeded) throw new Error(`${key} changed while its status was written; retrying`);
  return res.revision;
}

/** Replace `obj` by `next` (spec and status), compare-and-swap on what was read. Throws on conflict. */
export async function writeObject<T extends Resource>(store: Store, obj: T, next: T): Promise<number> {
  const key = objectKey(obj.kind, obj.metadata.namespace, obj.metadata.name);
  const res = await store.txn([{ op: 'update', key, value: encodeObject(next), revision: Number(obj.metadata.resourceVersion) }]);
  if (!res.succeeded) throw new Error(`${key} changed while it was written; retrying`);
  return res.revision;
}
