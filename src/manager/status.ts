// Writing an object's status: only when it changed, compare-and-swap on what was read.
import type { Condition, Resource } from '../api/meta.js';
import { objectKey } from '../api/keys.js';
import { encodeObject } from '../client/codec.js';
import type { PlannedCondition } from '../orchestrator/service-status.js';
import type { Store, TxnOp } from '../store/store.js';

/** Conditions with lastTransitionTime kept from before unless the status flipped. */
export function withTransitionTimes(planned: PlannedCondition[], previous: Condition[] = [], now: Date): Condition[] {
  return planned.map((c) => {
    const prev = previous.find((p) => p.type === c.type);
    const lastTransitionTime = prev && prev.status === c.status ? prev.lastTransitionTime : now.toISOString();
    return { ...c, lastTransitionTime };
  });
}

/** Equal as JSON (key order aside), compared in place: no text is built, shared parts (the
 *  templates a service's status keeps, the same objects in the status read and the one planned)
 *  are equal at once, and a difference stops the walk. Stringifying both, and canonical forms when
 *  the texts differed, was 17 s of the manager's 240 s in a 10,000-task rolling update. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    // JSON writes an undefined element as null
    return a.every((v, i) => sameJson(v ?? null, b[i] ?? null));
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  // JSON leaves out undefined properties: equal counts of defined ones, each equal, is equal key sets
  const keys = Object.keys(x).filter((k) => x[k] !== undefined);
  if (keys.length !== Object.keys(y).filter((k) => y[k] !== undefined).length) return false;
  return keys.every((k) => sameJson(x[k], y[k]));
}

/** The compare-and-swap write of `status` on `obj`; undefined if it would change nothing. */
export function statusOp<T extends Resource>(obj: T, status: T['status']): TxnOp | undefined {
  if (sameJson(obj.status ?? null, status ?? null)) return undefined;
  const key = objectKey(obj.kind, obj.metadata.namespace, obj.metadata.name);
  return { op: 'update', key, value: encodeObject({ ...obj, status }), revision: Number(obj.metadata.resourceVersion) };
}

/** Write `status` on `obj` if it differs; returns the revision written, 0 if unchanged. Throws on conflict. */
export async function writeStatus<T extends Resource>(store: Store, obj: T, status: T['status']): Promise<number> {
  const op = statusOp(obj, status);
  if (!op) return 0;
  const res = await store.txn([op]);
  if (!res.succeeded) throw new Error(`${op.key} changed while its status was written; retrying`);
  return res.revision;
}

/** Replace `obj` by `next` (spec and status), compare-and-swap on what was read. Throws on conflict. */
export async function writeObject<T extends Resource>(store: Store, obj: T, next: T): Promise<number> {
  const key = objectKey(obj.kind, obj.metadata.namespace, obj.metadata.name);
  const res = await store.txn([{ op: 'update', key, value: encodeObject(next), revision: Number(obj.metadata.resourceVersion) }]);
  if (!res.succeeded) throw new Error(`${key} changed while it was written; retrying`);
  return res.revision;
}
