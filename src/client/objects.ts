// Typed reads of objects over any Store.
import type { Kind, Resource } from '../api/meta.js';
import { kindPrefix, objectKey } from '../api/keys.js';
import type { Store } from '../store/store.js';
import { decodeObject } from './codec.js';

export interface ObjectList<T> {
  items: T[];
  revision: number;
}

export async function getObject<T extends Resource>(store: Store, kind: Kind, namespace: string, name: string): Promise<T | undefined> {
  const kv = await store.get(objectKey(kind, namespace, name));
  return kv ? decodeObject<T>(kv) : undefined;
}

/** Every object of a kind, or of a kind in one namespace (stack). */
export async function listObjects<T extends Resource>(store: Store, kind: Kind, namespace?: string): Promise<ObjectList<T>> {
  const { items, revision } = await store.list(kindPrefix(kind, namespace));
  return { items: items.map((kv) => decodeObject<T>(kv)), revision };
}

export function displayName(obj: Resource): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}_${obj.metadata.name}` : obj.metadata.name;
}
