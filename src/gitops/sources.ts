// GitSource writes the CLI makes: create, suspend/resume, remove.
import { objectKey } from '../api/keys.js';
import type { GitSource, GitSourceSpec } from '../api/objects.js';
import { canonicalJson, encodeObject } from '../client/codec.js';
import { systemClock } from '../client/clock.js';
import { materialize } from '../client/materialize.js';
import { getObject } from '../client/objects.js';
import type { Store } from '../store/store.js';

const ATTEMPTS = 5;

/** Create the source; false when one of that name exists already. */
export async function createGitSource(store: Store, name: string, spec: GitSourceSpec): Promise<boolean> {
  const m = materialize({ kind: 'GitSource', metadata: { name, namespace: '' }, spec }, undefined, systemClock);
  const res = await store.txn([m.op!]);
  return res.succeeded;
}

/** Apply `change` to the source's spec (compare-and-swap, retried); undefined when there is no such source. */
export async function updateGitSourceSpec(store: Store, name: string, change: (spec: GitSourceSpec) => GitSourceSpec): Promise<GitSource | undefined> {
  for (let attempt = 1; ; attempt++) {
    const src = await getObject<GitSource>(store, 'GitSource', '', name);
    if (!src) return undefined;
    const spec = change(src.spec);
    if (canonicalJson(spec) === canonicalJson(src.spec)) return src;
    const next: GitSource = { ...src, spec, metadata: { ...src.metadata, generation: src.metadata.generation + 1 } };
    const res = await store.txn([
      { op: 'update', key: objectKey('GitSource', '', name), value: encodeObject(next), revision: Number(src.metadata.resourceVersion) },
    ]);
    if (res.succeeded) return next;
    if (attempt >= ATTEMPTS) throw new Error(`gitsource ${name} keeps changing; try again`);
  }
}

/** Delete the source; returns it as it was (its inventory names the stacks it applied). */
export async function deleteGitSource(store: Store, name: string): Promise<GitSource | undefined> {
  for (let attempt = 1; ; attempt++) {
    const src = await getObject<GitSource>(store, 'GitSource', '', name);
    if (!src) return undefined;
    const res = await store.txn([{ op: 'delete', key: objectKey('GitSource', '', name), revision: Number(src.metadata.resourceVersion) }]);
    if (res.succeeded) return src;
    if (attempt >= ATTEMPTS) throw new Error(`gitsource ${name} keeps changing; try again`);
  }
}
