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

/** Equal as JSON. Plain JSON.stringify first: a status planned from the one read keeps its key
 *  order, so the common case (nothing changed) needs no canonical form, which costs a JS callback
 *  per value (a service's status carries its last templates: 14 s of a 10,000-task run). */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b) || canonicalJson(a) === canonicalJson(b);
}

/** Write `status` on `obj` if it differs; returns the revision written, 0 if unchanged. Throws on conflict. */
export async function writeStatus<T extends Resource>(store: Store, obj: T, status: T['status']): Promise<number> {
  if (sameJson(obj.status ?? null, status ?? null)) return 0;
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
