// GitOpsSecret: the credentials a GitSource names (secretRef, webhookSecretRef). Keys as in Flux:
// username + password (HTTPS basic or token), identity + known_hosts (SSH deploy key), token (webhook).
import { objectKey } from '../api/keys.js';
import type { GitOpsSecret } from '../api/objects.js';
import { materialize } from '../client/materialize.js';
import { systemClock } from '../client/clock.js';
import { getObject } from '../client/objects.js';
import type { Store } from '../store/store.js';

export const SECRET_KEYS = ['username', 'password', 'identity', 'known_hosts', 'token'] as const;

/** The secret's values, decoded; undefined when there is no such secret. */
export async function readGitOpsSecret(store: Store, name: string): Promise<Record<string, Buffer> | undefined> {
  const secret = await getObject<GitOpsSecret>(store, 'GitOpsSecret', '', name);
  if (!secret) return undefined;
  return Object.fromEntries(Object.entries(secret.spec.data).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
}

/** Create or replace the secret (kubectl create secret ... semantics, but replacing is allowed). */
export async function writeGitOpsSecret(store: Store, name: string, data: Record<string, Buffer>): Promise<'created' | 'updated' | 'unchanged'> {
  const spec = { data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.toString('base64')])) };
  for (let attempt = 1; ; attempt++) {
    const existing = await getObject<GitOpsSecret>(store, 'GitOpsSecret', '', name);
    const m = materialize({ kind: 'GitOpsSecret', metadata: { name, namespace: '' }, spec }, existing, systemClock);
    if (!m.op) return m.change;
    const res = await store.txn([m.op]);
    if (res.succeeded) return m.change;
    if (attempt >= 5) throw new Error(`gitopssecret ${name} keeps changing; try again`);
  }
}

/** Delete the secret; false when there was none. */
export async function deleteGitOpsSecret(store: Store, name: string): Promise<boolean> {
  const key = objectKey('GitOpsSecret', '', name);
  const existing = await store.get(key);
  if (!existing) return false;
  await store.txn([{ op: 'delete', key }]);
  return true;
}
