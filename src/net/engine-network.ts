// A cluster network as this node's engine holds it: a bridge named after the cluster and the VNI
// (host-names.ts), with the
// network's whole subnet (so every node's tasks are on-link) and only this node's share of it to
// hand out. The VXLAN device that joins it to the other nodes is the agent's (vxlan.ts).
import type { Network, Task } from '../api/objects.js';
import { getObject } from '../client/objects.js';
import { LABEL } from '../runtime/labels.js';
import type { NetworkSettings } from '../runtime/resource-spec.js';
import type { Store } from '../store/store.js';
import type { NetworkSpec } from '../stackfile/types.js';
import { nodeRange } from './ipam.js';
import { type ClusterNames, legacyBridge } from './host-names.js';
import { INGRESS } from './plan-alloc.js';
import { OVERLAY_MTU } from './vxlan.js';

/** vni: the overlay it joins; ipRange: this node's slot when it was made (a slot given back and
 *  another taken later makes it stale: ensureClusterNetwork then makes it anew); bridge: its
 *  bridge's name (absent on networks made before cluster tags: legacyBridge) */
export const NET_LABEL = { vni: 'io.stackd.vni', ipRange: 'io.stackd.iprange', bridge: 'io.stackd.bridge' } as const;

/** The bridge of an engine network the agent made (from its labels). */
export function bridgeOf(labels: Record<string, string>): string {
  return labels[NET_LABEL.bridge] ?? legacyBridge(Number(labels[NET_LABEL.vni]));
}

/** Stack networks the cluster carries (others, e.g. macvlan, stay the engine's own). */
export function isClusterNetwork(spec: NetworkSpec): boolean {
  return !spec.external && (spec.driver === undefined || spec.driver === 'overlay' || spec.driver === 'bridge');
}

export function clusterNetworkSettings(net: Network, nodeName: string, names: ClusterNames): NetworkSettings {
  const { subnet, vni, nodes } = net.status ?? {};
  const slot = nodes?.[nodeName];
  if (!subnet || vni === undefined || slot === undefined) throw new Error(`network ${net.spec.name} has no allocation for node ${nodeName} yet`);
  const range = nodeRange(subnet, slot, net.status?.chunkPrefix);
  const bridge = names.bridge(vni);
  return {
    driver: 'bridge',
    labels: { ...net.spec.labels, [LABEL.stack]: net.spec.stack, [NET_LABEL.vni]: String(vni), [NET_LABEL.ipRange]: range.ipRange, [NET_LABEL.bridge]: bridge },
    options: { 'com.docker.network.bridge.name': bridge, 'com.docker.network.driver.mtu': String(OVERLAY_MTU) },
    ...(net.spec.internal !== undefined ? { internal: net.spec.internal } : {}),
    ...(net.spec.attachable !== undefined ? { attachable: net.spec.attachable } : {}),
    ipam: { subnet, ...range },
  };
}

/** The network once the manager allocated it for this node (a task can be assigned a moment
 *  before); throws after `timeoutMs`. */
export async function allocatedNetwork(store: Store, namespace: string, key: string, nodeName: string, timeoutMs = 15_000): Promise<Network> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const net = await getObject<Network>(store, 'Network', namespace, key);
    if (net?.status?.subnet && net.status.nodes?.[nodeName] !== undefined) return net;
    if (Date.now() > deadline) {
      throw new Error(
        net?.status?.message
          ? `network ${net.spec.name}: ${net.status.message}`
          : `network ${namespace ? `${namespace}_` : ''}${key} is not allocated for node ${nodeName}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Services publishing a port in ingress mode join the ingress network (the routing mesh). */
export function needsIngress(task: Task): boolean {
  return task.spec.template.ports.some((p) => p.mode === 'ingress' && p.published !== undefined) && !task.spec.template.network_mode;
}

export const ingressRef = { namespace: INGRESS.namespace, key: INGRESS.name };
