// Cluster networks (`stackctl network create`) on one node's engine apart from what its tasks
// ask for: an attachable one is made on every node, so a standalone `docker run --network NAME`
// joins it there with that node's share of the subnet; one removed from the Store, or whose slot
// for this node the manager gave back, goes from the engine. Planning is pure; the agent's net
// controller applies it.
import type { Network } from '../api/objects.js';
import { LABEL } from '../runtime/labels.js';
import type { DockerRuntime } from '../runtime/docker.js';
import { clusterNetworkSettings, NET_LABEL } from './engine-network.js';
import { clusterNames } from './host-names.js';
import { isIngress } from './plan-alloc.js';

export interface EngineNetwork {
  name: string;
  labels: Record<string, string>;
}

/** @param clusterId only this cluster's networks are removed (the engine may serve several) */
export function planSharedOnNode(networks: Network[], local: EngineNetwork[], nodeName: string, clusterId: string): { create: Network[]; remove: string[] } {
  const shared = networks.filter((n) => n.metadata.namespace === '' && !isIngress(n));
  const ingressName = networks.find(isIngress)?.spec.name;
  const here = local.filter(
    (l) =>
      l.labels[LABEL.node] === nodeName &&
      l.labels[LABEL.cluster] === clusterId &&
      l.labels[LABEL.stack] === '' &&
      l.labels[NET_LABEL.vni] !== undefined &&
      l.name !== ingressName &&
      !l.name.startsWith('stackd_ingress'),
  );
  const create = shared.filter(
    (n) => n.spec.attachable && n.status?.subnet && n.status.nodes?.[nodeName] !== undefined && !here.some((l) => l.name === n.spec.name),
  );
  // kept while the network is the cluster's and this node holds a slot on it (the manager gives
  // a slot back once no task here may be on the network: plan-alloc.ts's releasable)
  const kept = (l: EngineNetwork) =>
    shared.some((n) => n.spec.name === l.name && String(n.status?.vni) === l.labels[NET_LABEL.vni] && n.status?.nodes?.[nodeName] !== undefined);
  const remove = here.filter((l) => !kept(l)).map((l) => l.name);
  return { create, remove };
}

/** Applies the plan; returns the networks the engine would not remove (a container still on them). */
export async function applySharedOnNode(
  runtime: DockerRuntime,
  nodeName: string,
  clusterId: string,
  plan: { create: Network[]; remove: string[] },
): Promise<string[]> {
  for (const net of plan.create) {
    const settings = clusterNetworkSettings(net, nodeName, clusterNames(clusterId));
    await runtime.ensureNetwork(net.spec.name, { ...settings, labels: { ...settings.labels, [LABEL.node]: nodeName, [LABEL.cluster]: clusterId } });
  }
  const kept: string[] = [];
  for (const name of plan.remove) await runtime.removeNetwork(name).catch(() => kept.push(name));
  return kept;
}
