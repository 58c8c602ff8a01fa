// Asking for a sync now, in Flux's manner (reconcile.fluxcd.io/requestedAt): any new value of the
// annotation stackd.io/requestedAt makes the controller sync; when that sync finishes it copies the
// value to status.lastHandledRequestedAt, which is how a waiter knows its request was served.
import { objectKey } from '../api/keys.js';
import type { GitSource } from '../api/objects.js';
import { encodeObject } from '../client/codec.js';
import { getObject } from '../client/objects.js';
import type { Store } from '../store/store.js';
import { DELIVERIES_ANNOTATION, parseDeliveries, recordDelivery } from './webhook-replay.js';

export const REQUESTED_AT_ANNOTATION = 'stackd.io/requestedAt';
/** On each Stack a GitSource applied: the source's name. */
export const GITSOURCE_LABEL = 'stackd.io/gitsource';

const ATTEMPTS = 5;

/** A webhook delivery: its ids (webhook-replay.ts) and when it arrived. */
export interface Delivery {
  ids: string[];
  now: number;
}

/** Compare-and-swap the annotation onto the GitSource; throws if the source does not exist. With
 *  a `delivery`, records it in the same write, or writes nothing and says `duplicate` if seen. */
export async function requestSync(store: Store, name: string, at: string = new Date().toISOString(), delivery?: Delivery): Promise<'requested' | 'duplicate'> {
  for (let attempt = 1; ; attempt++) {
    const src = await getObject<GitSource>(store, 'GitSource', '', name);
    if (!src) throw new Error(`gitsource ${name} not found (stackctl gitops ls lists them)`);
    const annotations: Record<string, string> = { ...src.metadata.annotations, [REQUESTED_AT_ANNOTATION]: at };
    if (delivery) {
      const recorded = recordDelivery(parseDeliveries(annotations[DELIVERIES_ANNOTATION]), delivery.ids, delivery.now);
      if (recorded.duplicate) return 'duplicate';
      annotations[DELIVERIES_ANNOTATION] = JSON.stringify(recorded.next);
    }
    const next: GitSource = { ...src, metadata: { ...src.metadata, annotations } };
    const res = await store.txn([
      { op: 'update', key: objectKey('GitSource', '', name), value: encodeObject(next), revision: Number(src.metadata.resourceVersion) },
    ]);
    if (res.succeeded) return 'requested';
    if (attempt >= ATTEMPTS) throw new Error(`gitsource ${name} keeps changing; try again`);
  }
}

/** The request value a sync of `src` should record as handled ('' when none was made). */
export function requestedAt(src: GitSource): string {
  return src.metadata.annotations[REQUESTED_AT_ANNOTATION] ?? '';
}
