// The manager's view of the Store: one informer per kind it reconciles over.
import type { Node, Service, Stack, Task } from '../api/objects.js';
import { HEARTBEAT_PREFIX, kindPrefix } from '../api/keys.js';
import { Informer } from '../controller/informer.js';
import type { Store } from '../store/store.js';
import { KeySet } from '../controller/key-set.js';
import { untilAborted } from '../controller/abort.js';
import type { OnError } from '../controller/outage-log.js';

export interface ManagerCaches {
  stacks: Informer<Stack>;
  services: Informer<Service>;
  tasks: Informer<Task>;
  nodes: Informer<Node>;
  /** nodes whose agent is alive (heartbeat key present) */
  heartbeats: KeySet;
}

/** Starts the informers and waits for their first list (or for `signal`: a store that is down
 *  keeps them listing, and a lost leadership must not wait for it). */
export async function startCaches(store: Store, onError: (what: string) => OnError, signal?: AbortSignal): Promise<ManagerCaches> {
  const caches: ManagerCaches = {
    stacks: new Informer<Stack>(store, kindPrefix('Stack'), onError('stacks')),
    services: new Informer<Service>(store, kindPrefix('Service'), onError('services')),
    tasks: new Informer<Task>(store, kindPrefix('Task'), onError('tasks')),
    nodes: new Informer<Node>(store, kindPrefix('Node'), onError('nodes')),
    heartbeats: new KeySet(store, HEARTBEAT_PREFIX, onError('heartbeats')),
  };
  const all = [caches.stacks, caches.services, caches.tasks, caches.nodes, caches.heartbeats];
  for (const c of all) c.start();
  await untilAborted(Promise.all(all.map((c) => c.synced)), signal);
  return caches;
}

export function stopCaches(caches: ManagerCaches): void {
  for (const c of [caches.stacks, caches.services, caches.tasks, caches.nodes, caches.heartbeats]) c.stop();
}
