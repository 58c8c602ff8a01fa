// Asking for a sync now, in Flux's manner (reconcile.fluxcd.io/requestedAt): any new value of the
// annotation stackd.io/requestedAt makes the controller sync; when that sync finishes it copies the
// value to status.lastHandledRequestedAt, which is how a waiter knows its request was served.
import { objectKey } from '../api/keys.js';
import type { GitSource } from '../api/objects.js';
import { encodeObject } from '../client/codec.js';
import { getObject } from '../client/objects.js';
import type { Store } from '../store/store.js';

export const REQUESTED_AT_ANNOTATION = 'stackd.io/requestedAt';
/** On each Stack a GitSource applied: the source's name. */
export const GITSOURCE_LABEL = 'stackd.io/gitsource';

const ATTEMPTS = 5;

/** Compare-and-swap the annotation onto the GitSource; throws if the source does not exist. */
export async function requestSync(store: Store, name: string, at: string = new Date().toISOString()): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const src = await getObject<GitSource>(store, 'GitSource', '', name);
    if (!src) throw new Error(`gitsource ${name} not found (stackctl gitops ls lists them)`);
    const next: GitSource = {
      ...src,
      metadata: { ...src.metadata, annotations: { ...src.metadata.annotations, [REQUESTED_AT_ANNOTATION]: at } },
    };
    const res = await store.txn([
      { op: 'update', key: objectKey('GitSource', '', name), value: encodeObject(next), revision: Number(src.metadata.resourceVersion) },
    ]);
    if (res.succeeded) return;
    if (attempt >= ATTEMPTS) throw new Error(`gitsource ${name} keeps changing; try again`);
  }
}

/** The request value a sync of `src` should record as handled ('' when none was made). */
export function requestedAt(src: GitSource): string {
  return src.metadata.annotations[REQUESTED_AT_ANNOTATION] ?? '';
}
