// The cluster's identity: a random id created once per store, atomically (a create-if-absent
// transaction: of two processes opening a fresh store together, one creates it and both read it).
// A store made before identities existed gets one the first time a daemon opens it.
import { randomUUID } from 'node:crypto';
import { CLUSTER_ID_KEY } from '../api/keys.js';
import type { Store } from './store.js';

/** The store's cluster id, created if it has none yet. */
export async function ensureClusterId(store: Store, newId: () => string = randomUUID): Promise<string> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await store.get(CLUSTER_ID_KEY);
    if (existing?.value) return existing.value;
    const res = await store.txn([{ op: 'create', key: CLUSTER_ID_KEY, value: newId() }]);
    if (res.succeeded) return (await store.get(CLUSTER_ID_KEY))!.value;
  }
  throw new Error(`cluster id at ${CLUSTER_ID_KEY} in ${store.endpoint} keeps changing`);
}
