// Changing a Service from the CLI: compare-and-swap on what was read; spec changes bump generation.
import { objectKey } from '../api/keys.js';
import type { Service } from '../api/objects.js';
import { encodeObject } from '../client/codec.js';
import { canonicalJson } from '../client/codec.js';
import type { Store } from '../store/store.js';
import { CommandError } from './errors.js';

export async function writeService(store: Store, prev: Service, next: Service): Promise<void> {
  const specChanged = canonicalJson(prev.spec) !== canonicalJson(next.spec);
  const value: Service = { ...next, metadata: { ...next.metadata, generation: prev.metadata.generation + (specChanged ? 1 : 0) } };
  const key = objectKey('Service', prev.metadata.namespace, prev.metadata.name);
  const res = await store.txn([{ op: 'update', key, value: encodeObject(value), revision: Number(prev.metadata.resourceVersion) }]);
  if (!res.succeeded) throw new CommandError(`service ${prev.metadata.namespace}_${prev.metadata.name} changed meanwhile; try again`);
}
