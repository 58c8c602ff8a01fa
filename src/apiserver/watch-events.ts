// Store watch events → Kubernetes watch events for one watcher. Pure: keeps what the watcher has
// been sent, so that an object leaving the selector is DELETED for it and one entering is ADDED.
// Generic over what the keys hold: the Store's objects (objectCodec) or events (events.ts).
import type { Resource } from '../api/meta.js';
import { ROOT } from '../api/keys.js';
import { decodeObject } from '../client/codec.js';
import type { KeyValue, WatchEvent } from '../store/store.js';
import type { ApiResource } from './resources.js';
import { GROUP_VERSION } from './resources.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';
/** What a watch sends: anything with Kubernetes' metadata. */
export interface Watched {
  metadata: { name: string; namespace?: string; resourceVersion?: string };
}
export interface ApiEvent<T extends Watched = Resource> {
  type: EventType;
  object: T;
}

/** How a watched prefix's values read: decode (undefined: not one, skip it), and the bare
 *  object a deletion names when the watcher never saw it. */
export interface WatchCodec<T extends Watched> {
  decode(kv: KeyValue): T | undefined;
  tombstone(key: string, revision: number): T;
}

/** The bare object a deletion names when the watcher never saw it. */
function tombstone(resource: ApiResource, key: string, revision: number): Resource {
  const parts = key.slice(ROOT.length).split('/');
  const [namespace, name] = resource.namespaced ? [parts[1], parts[2]] : ['', parts[1]];
  return {
    apiVersion: GROUP_VERSION,
    kind: resource.kind,
    metadata: {
      name,
      namespace,
      uid: '',
      generation: 0,
      resourceVersion: String(revision),
      labels: {},
      annotations: {},
      creationTimestamp: '',
      ownerReferences: [],
    },
    spec: {},
  };
}

/** Objects decoded from a watch's KeyValues: watchers of one prefix share the Store's events
 *  (shared-watch.ts), so each event is parsed once, and the objects are read-only. */
const decoded = new WeakMap<KeyValue, Resource>();

export function objectCodec(resource: ApiResource): WatchCodec<Resource> {
  const decode = (kv: KeyValue): Resource => {
    let obj = decoded.get(kv);
    if (!obj) decoded.set(kv, (obj = decodeObject(kv)));
    return obj;
  };
  return { decode, tombstone: (key, revision) => tombstone(resource, key, revision) };
}

export class WatchTranslator<T extends Watched = Resource> {
  /** key → the object last seen and whether the watcher was sent it */
  private readonly seen = new Map<string, { obj: T; sent: boolean }>();

  constructor(
    private readonly codec: WatchCodec<T>,
    private readonly keep: (obj: T) => boolean,
  ) {}

  /** Objects the watcher already holds (its list, or the state at the watch's start). */
  seed(obj: T, key: string): void {
    this.seen.set(key, { obj, sent: this.keep(obj) });
  }

  translate(ev: WatchEvent): ApiEvent<T> | undefined {
    const key = ev.kv.key;
    const prev = this.seen.get(key);
    if (ev.type === 'delete') {
      this.seen.delete(key);
      if (prev && !prev.sent) return undefined;
      const obj = prev
        ? { ...prev.obj, metadata: { ...prev.obj.metadata, resourceVersion: String(ev.kv.modRevision) } }
        : this.codec.tombstone(key, ev.kv.modRevision);
      return { type: 'DELETED', object: obj };
    }
    const obj = this.codec.decode(ev.kv);
    if (!obj) return undefined;
    const kept = this.keep(obj);
    this.seen.set(key, { obj, sent: kept });
    if (!kept) return prev?.sent ? { type: 'DELETED', object: obj } : undefined;
    if (ev.kv.createRevision === ev.kv.modRevision) return { type: 'ADDED', object: obj };
    return { type: prev && !prev.sent ? 'ADDED' : 'MODIFIED', object: obj };
  }
}
