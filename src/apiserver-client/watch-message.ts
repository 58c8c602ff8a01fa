// One API watch event → the Store's watch message (what the agent's informer reads). Pure.
import type { Resource } from '../api/meta.js';
import { encodeObject } from '../client/codec.js';
import type { WatchMessage } from '../store/store.js';

export type Translated = WatchMessage | { type: 'error'; message: string };

interface Status {
  kind?: string;
  code?: number;
  message?: string;
}

export function watchEvent(type: string, obj: unknown, keyOf: (o: Resource) => string): Translated {
  if (type === 'ERROR') {
    const s = obj as Status;
    // 410: the revision was compacted away: list again (the Store says "relist")
    if (s?.code === 410) return { type: 'relist', reason: s.message ?? 'resource version too old' };
    return { type: 'error', message: s?.message ?? JSON.stringify(obj) };
  }
  const o = obj as Resource;
  const revision = Number(o.metadata.resourceVersion);
  // a bookmark moves the revision on (the informer's waitFor) with no change
  if (type === 'BOOKMARK') return { type: 'events', revision, events: [] };
  const key = keyOf(o);
  if (type === 'DELETED') return { type: 'events', revision, events: [{ type: 'delete', kv: { key, value: '', createRevision: 0, modRevision: revision } }] };
  return { type: 'events', revision, events: [{ type: 'put', kv: { key, value: encodeObject(o), createRevision: 0, modRevision: revision } }] };
}
