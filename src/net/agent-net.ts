// The agent's cluster networking (`stackd agent --netns`): keeps this host's VXLAN devices joined
// to every other node, every local container's VIP rules in step with the services' ready tasks,
// the routing mesh's rules (mesh.ts), and serves the node's DNS resolver. Everything it programs is
// replaced atomically and idempotently, so a restarted agent re-applies it without a blip, and is
// named after the cluster (host-names.ts), so agents of several clusters can share a host.
import { outageLog } from '../controller/outage-log.js';
import { map, merge, type Observable } from 'rxjs';
import { kindPrefix } from '../api/keys.js';
import type { Network, Node, Service, Stack, Task } from '../api/objects.js';
import { Controller } from '../controller/controller.js';
import { exponentialBackoff } from '../controller/backoff.js';
import { Informer } from '../controller/informer.js';
import { untilAborted } from '../controller/abort.js';
import type { Logger } from '../log.js';
import type { DockerRuntime } from '../runtime/docker.js';
import { LABEL } from '../runtime/labels.js';
import type { Store } from '../store/store.js';
import { bridgeOf, NET_LABEL } from './engine-network.js';
import { clusterNames, isOwnVxlan } from './host-names.js';
import { dnsJumps, dnsRedirectRules } from './dns-redirect.js';
import { jumpScript } from './ingress-rules.js';
import type { AddressInfo } from 'node:net';
import { HostNet } from './host.js';
import { bindUdp, listenTcp } from './netns-socket.js';
import { hostNameservers, Resolver } from './resolver.js';
import { applyContainerRules, type ContainerNet } from './container-rules.js';
import { applyVxlan, planVxlan, readVxlan } from './vxlan.js';
import { applySharedOnNode, planSharedOnNode } from './shared-on-node.js';
import { ensureClusterNetwork, forgetEnsured } from '../agent/prepare.js';
import { Mesh } from './mesh.js';
import { ingressRef } from './engine-network.js';

export interface ClusterNetDeps {
  store: Store;
  runtime: DockerRuntime;
  nodeName: string;
  /** the cluster's identity, on what the agent makes */
  clusterId: string;
  /** the engine host's network namespace */
  netns: string;
  /** this node's address on the underlay (VXLAN's local end) */
  address: string;
  /** any container event on this node: a started container needs its rules */
  events$: Observable<unknown>;
  log: Logger;
}

const RESYNC_MS = 30_000;

export async function runClusterNet(deps: ClusterNetDeps, signal: AbortSignal): Promise<void> {
  const { store, runtime, nodeName, log } = deps;
  const host = new HostNet(deps.netns);
  // every rule's comment is `stackd <tag> ...` (iptables -S | grep 'stackd <tag>')
  const names = clusterNames(deps.clusterId);
  const onError = (what: string) => outageLog(`watch ${what}`, (m) => log.warn(m));
  const networks = new Informer<Network>(store, kindPrefix('Network'), onError('networks'));
  const services = new Informer<Service>(store, kindPrefix('Service'), onError('services'));
  const tasks = new Informer<Task>(store, kindPrefix('Task'), onError('tasks'));
  const nodes = new Informer<Node>(store, kindPrefix('Node'), onError('nodes'));
  const stacks = new Informer<Stack>(store, kindPrefix('Stack'), onError('stacks'));
  const informers: { start(): void; stop(): void; synced: Promise<void> }[] = [networks, services, tasks, nodes, stacks];
  for (const i of informers) i.start();
  try {
    await untilAborted(Promise.all(informers.map((i) => i.synced)), signal);
    if (signal.aborted) return;
    const view = () => ({ networks: networks.list(), services: services.list(), tasks: tasks.list(), stacks: stacks.list() });
    const hostServers = hostNameservers();
    // ports of its own: the cluster's DNS chain redirects queries to its gateways here (dns-redirect.ts)
    const [udp, tcp] = await Promise.all([bindUdp(deps.netns, 0), listenTcp(deps.netns, 0)]);
    const ports = { udp: udp.address().port, tcp: (tcp.address() as AddressInfo).port };
    const resolver = new Resolver(
      udp,
      {
        view,
        // through the API other nodes' tasks come without their template (apiserver/network-view.ts)
        upstreams: (client) => tasks.list().find((t) => Object.values(t.status?.addresses ?? {}).includes(client))?.spec.template?.dns ?? hostServers,
        onError: (err) => log.warn(`dns: ${err.message}`),
      },
      tcp,
    );
    log.info(
      `cluster networking on ${deps.address} as ${names.tag} (devices ${names.bridgePrefix}*, chains STACKD-${names.tag.toUpperCase()}-*): resolver on ports ${ports.udp}/udp, ${ports.tcp}/tcp in ${deps.netns}, redirected from port 53 of the gateways`,
    );

    let hostKey = '';
    let hostAt = 0;
    const rulesApplied = new Map<string, ContainerNet>();
    const mesh = new Mesh({
      host,
      nodeName,
      names,
      resyncMs: RESYNC_MS,
      ensureIngress: () => ensureClusterNetwork(store, runtime, ingressRef.namespace, ingressRef.key, { nodeName, clusterId: deps.clusterId }),
    });
    const warnedKept = new Set<string>();
    async function reconcile(): Promise<void> {
      // endpoints first, both at once: a task that left them must stop getting connections now;
      // the ingress network comes with the mesh, so its VXLAN device is made in this same pass.
      // Either failing (the engine refusing the ingress's subnet) leaves the overlays and DNS
      // below in step all the same; the failure is thrown at the end (and retried)
      const [meshOn, rules] = await Promise.allSettled([
        mesh.reconcile(networks.list(), services.list(), tasks.list()),
        applyContainerRules(runtime, nodeName, rulesApplied, networks.list(), tasks.list(), names.comment),
      ]);
      let engineNets = (await runtime.listManagedResources()).networks;
      const shared = planSharedOnNode(networks.list(), engineNets, nodeName, deps.clusterId);
      if (shared.create.length || shared.remove.length) {
        if (shared.remove.length) forgetEnsured(runtime.endpoint);
        for (const name of await applySharedOnNode(runtime, nodeName, deps.clusterId, shared)) {
          if (!warnedKept.has(name)) log.warn(`network ${name} is gone from the cluster but a container is still on it here; removed once it leaves`);
          warnedKept.add(name);
        }
        engineNets = (await runtime.listManagedResources()).networks;
      }
      const local = engineNets.filter((n) => n.labels[LABEL.node] === nodeName && n.labels[LABEL.cluster] === deps.clusterId && n.labels[NET_LABEL.vni]);
      const overlays = local.map((n) => ({ vni: Number(n.labels[NET_LABEL.vni]), bridge: bridgeOf(n.labels) })).sort((a, b) => a.vni - b.vni);
      const legacy = overlays.map((o) => o.bridge).filter((b) => !b.startsWith(names.bridgePrefix));
      const peers = nodes
        .list()
        .filter((n) => n.metadata.name !== nodeName && n.status?.address)
        .map((n) => n.status!.address!)
        .sort();
      const key = JSON.stringify({ overlays, peers });
      if (key !== hostKey || Date.now() - hostAt > RESYNC_MS) {
        await applyVxlan(
          host,
          planVxlan(overlays, await readVxlan(host), deps.address, peers, (dev) => isOwnVxlan(dev, names)),
        );
        await host.run(['sh', '-c', `iptables-restore --noflush && ${jumpScript(dnsJumps(names))}`], dnsRedirectRules(names, ports, legacy));
        hostKey = key;
        hostAt = Date.now();
      }
      for (const r of [meshOn, rules]) if (r.status === 'rejected') throw r.reason;
      if (meshOn.status === 'fulfilled' && !meshOn.value) throw new Error('the ingress network has no slot for this node yet (routing mesh off until it does)');
    }

    const controller = new Controller({
      name: 'net',
      keys$: merge(networks.changes$, services.changes$, tasks.changes$, nodes.changes$, deps.events$).pipe(map(() => 'net')),
      allKeys: () => ['net'],
      reconcile,
      resyncMs: RESYNC_MS,
      backoff: exponentialBackoff(100, 10_000),
      log: (m) => log.warn(m),
    });
    try {
      await controller.start(signal);
    } finally {
      resolver.close();
    }
  } finally {
    for (const i of informers) i.stop();
  }
}
