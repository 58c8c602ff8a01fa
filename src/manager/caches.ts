// The manager's view of the Store: one informer per kind it reconciles over.
import type { Node, Service, Stack, Task } from '../api/objects.js';
import { HEARTBEAT_PREFIX, kindPrefix } from '../api/keys.js';
import { Informer } from '../controller/informer.js';
import type { Store } from '../store/store.js';
import { KeySet } from '../controller/key-set.js';
import { untilAborted } from '../controller/abort.js';
import type { OnError } from '../controller/outage-log.js';
import { NodeUsageIndex } from '../scheduler/node-usage.js';

export interface ManagerCaches {
  stacks: Informer<Stack>;
  services: Informer<Service>;
  tasks: Informer<Task>;
  nodes: Informer<Node>;
  /** nodes whose agent is alive (heartbeat key present) */
  heartbeats: KeySet;
  /** what each node's tasks use, kept change by change from `tasks` (and what this manager has
   *  placed and is writing: placement.ts); set once synced */
  usage: NodeUsageIndex;
}

/** Starts the informers and waits for their first list (or for `signal`: a store that is down
 *  keeps them listing, and a lost leadership must not wait for it). */
export async function startCaches(store: Store, onError: (what: string) => OnError, signal?: AbortSignal): Promise<ManagerCaches> {
  const caches: Omit<ManagerCaches, 'usage'> = {
    stacks: new Informer<Stack>(store, kindPrefix('Stack'), onError('stacks')),
    services: new Informer<Service>(store, kindPrefix('Service'), onError('services')),
    tasks: new Informer<Task>(store, kindPrefix('Task'), onError('tasks')),
    nodes: new Informer<Node>(store, kindPrefix('Node'), onError('nodes')),
    heartbeats: new KeySet(store, HEARTBEAT_PREFIX, onError('heartbeats')),
  };
  const all = [caches.stacks, caches.services, caches.tasks, caches.nodes, caches.heartbeats];
  for (const c of all) c.start();
  await untilAborted(Promise.all(all.map((c) => c.synced)), signal);
  // before any controller subscribes: each sees a task's change with the usage already counting it
  const usage = new NodeUsageIndex(() => caches.tasks.list());
  caches.tasks.changes$.subscribe((change) => usage.apply(change));
  return { ...caches, usage };
}

export function stopCaches(caches: ManagerCaches): void {
  for (const c of [caches.stacks, caches.services, caches.tasks, caches.nodes, caches.heartbeats]) c.stop();
}
