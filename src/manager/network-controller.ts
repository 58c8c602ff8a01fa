// The network controller: keeps every cluster network allocated (src/net/plan-alloc.ts) as
// networks, services and nodes come and go, and makes the cluster's ingress network once.
import type { OnError } from '../controller/outage-log.js';
import { filter, map, merge } from 'rxjs';
import type { CacheChange } from '../controller/informer.js';
import { kindPrefix, objectKey } from '../api/keys.js';
import type { Network, Task } from '../api/objects.js';
import { encodeObject } from '../client/codec.js';
import { systemClock } from '../client/clock.js';
import { materialize } from '../client/materialize.js';
import { coalesce } from '../controller/coalesce.js';
import { Controller, type ReconcileResult } from '../controller/controller.js';
import { Informer } from '../controller/informer.js';
import { type AllocationStart, INGRESS, isIngress, planAllocations } from '../net/plan-alloc.js';
import { PlacedTaskIndex } from '../net/placed-tasks.js';
import type { Store } from '../store/store.js';
import { ensureClusterId } from '../store/cluster-id.js';
import { clusterNames } from '../net/host-names.js';
import { ensureAddressPool } from '../net/addr-pool.js';
import type { ManagerCaches } from './caches.js';
import { planGap } from './plan-gap.js';
import { writeStatus } from './status.js';

const KEY = 'networks';

/** @param defaultAddrPool `--default-addr-pool`: recorded unless the cluster has one (addr-pool.ts) */
export function networkController(
  store: Store,
  caches: ManagerCaches,
  networks: Informer<Network>,
  log: (msg: string) => void,
  defaultAddrPool?: string,
): Controller {
  let start: (AllocationStart & { ingressNetwork: string }) | undefined;
  // listed and then kept up to date in one go (the subscription ends with the caches' term)
  const placed = new PlacedTaskIndex(() => caches.tasks.list());
  caches.tasks.changes$.subscribe((change) => placed.apply(change));
  async function reconcile(): Promise<ReconcileResult> {
    if (!start) {
      const [id, pool] = await Promise.all([ensureClusterId(store), ensureAddressPool(store, defaultAddrPool)]);
      const names = clusterNames(id);
      start = { firstVni: names.firstVni, firstBlock: names.firstBlock, pool, ingressNetwork: names.ingressNetwork };
    }
    const all = networks.list();
    if (!all.some(isIngress)) await createIngress(store, networks, start.ingressNetwork);
    const planStart = performance.now();
    const writes = planAllocations(
      all,
      caches.services.list(),
      caches.nodes.list().map((n) => n.metadata.name),
      caches.stacks.list(),
      placed,
      caches.nodes
        .list()
        .filter((n) => n.status?.state === 'ready')
        .map((n) => n.metadata.name),
      start,
    );
    const minGapMs = planGap(performance.now() - planStart);
    for (const w of writes) {
      const before = w.network.status;
      if (w.status.subnet && w.status.subnet !== before?.subnet) log(`network ${w.network.spec.name}: subnet ${w.status.subnet}, vni ${w.status.vni}`);
      if (w.status.message && w.status.message !== before?.message) log(`network ${w.network.spec.name}: ${w.status.message}`);
      const written = await writeStatus<Network>(store, w.network, w.status);
      if (written) await networks.waitFor(written);
    }
    return { minGapMs };
  }

  return new Controller({
    name: 'network',
    keys$: merge(
      networks.changes$,
      caches.services.changes$,
      caches.nodes.changes$,
      caches.stacks.changes$,
      caches.tasks.changes$.pipe(filter(mayChangeNodeSlots)),
    ).pipe(
      coalesce(50),
      map(() => KEY),
    ),
    allKeys: () => [KEY],
    reconcile,
    resyncMs: 10_000,
    log,
  });
}

/** A task change that can change which nodes want a slot on a network: a task on a node created or
 *  removed, moved to a node, or wanted running or not. The agents' progress reports (assigned →
 *  running) cannot, nor a task created or removed before it had a node (the service controller's
 *  new tasks): at scale each of those used to cost a scan of every task per network. */
export function mayChangeNodeSlots(change: CacheChange<Task>): boolean {
  const { object: now, old } = change;
  if (!now || !old) return (now ?? old)?.spec.nodeName !== undefined;
  return now.spec.nodeName !== old.spec.nodeName || now.spec.desiredState !== old.spec.desiredState;
}

/** The ingress network, as Swarm's: every node joins it; tasks with ingress ports are on it. Its
 *  engine name carries the cluster's tag: clusters sharing an engine each have their own. */
async function createIngress(store: Store, networks: Informer<Network>, engineName: string): Promise<void> {
  const { object } = materialize(
    {
      kind: 'Network',
      metadata: { namespace: INGRESS.namespace, name: INGRESS.name },
      spec: { name: engineName, stack: '', driver: 'overlay', driver_opts: {}, external: false, labels: {} },
    },
    undefined,
    systemClock,
  );
  const res = await store.txn([{ op: 'create', key: objectKey('Network', INGRESS.namespace, INGRESS.name), value: encodeObject(object) }]);
  if (res.succeeded) await networks.waitFor(res.revision);
}

export function networkInformer(store: Store, onError: OnError): Informer<Network> {
  return new Informer<Network>(store, kindPrefix('Network'), onError);
}
