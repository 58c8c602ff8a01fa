// Rewrites every sealed-prefix value under the first key (rotation, or encrypting a store that
// kept secrets in the clear), like `kubectl get secrets -A -o json | kubectl replace -f -`.
// Each value is replaced by compare-and-swap, so a concurrent write is never lost.
import type { SealedStore } from './sealed-store.js';
import { valueKeyId } from './sealed-values.js';

export interface ReencryptResult {
  rewritten: number;
  /** already sealed under the first key */
  current: number;
}

export async function reencryptAll(store: SealedStore, prefixes: string[]): Promise<ReencryptResult> {
  const primary = store.sealer.primary;
  if (!primary) throw new Error('no encryption key: give the key file with --encryption-key-file or STACKD_ENCRYPTION_KEY_FILE');
  const result: ReencryptResult = { rewritten: 0, current: 0 };
  for (const prefix of prefixes) {
    const { items } = await store.inner.list(prefix);
    for (const first of items) {
      for (let kv = first, attempt = 1; ; attempt++) {
        if (valueKeyId(kv.value) === primary.id) {
          result.current += 1;
          break;
        }
        // open with any listed key; the txn seals under the first
        const res = await store.txn([{ op: 'update', key: kv.key, value: store.open(kv).value, revision: kv.modRevision }]);
        if (res.succeeded) {
          result.rewritten += 1;
          break;
        }
        const now = await store.inner.get(kv.key);
        if (!now) break; // deleted meanwhile
        if (attempt >= 5) throw new Error(`${kv.key} keeps changing; run the command again`);
        kv = now;
      }
    }
  }
  return result;
}
