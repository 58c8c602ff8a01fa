// The manager's IPAM: a subnet and a VNI for every cluster network, a slot per node on each, and a
// virtual IP per service attached to it. Pure: Store objects in, the statuses to write out.
// Allocations only grow while their owner lives, so a running task's address never moves.
import type { Network, NetworkStatus, Service } from '../api/objects.js';
import type { ServiceSpec } from '../stackfile/types.js';
import { canonicalJson } from '../client/codec.js';
import { allocateSubnet, FIRST_VNI, firstOverlap, lowestFree, MAX_SLOTS, subnetProblem, vipCandidates } from './ipam.js';

export const INGRESS = { namespace: '', name: 'ingress', engineName: 'stackd_ingress' } as const;

export function isIngress(n: Network): boolean {
  return n.metadata.namespace === INGRESS.namespace && n.metadata.name === INGRESS.name;
}

/** The stack-level network keys a service's tasks join ('default' when it names none). */
export function networkKeys(t: ServiceSpec): string[] {
  if (t.network_mode) return [];
  const keys = Object.keys(t.networks);
  return keys.length ? keys : ['default'];
}

export interface AllocationWrite {
  network: Network;
  status: NetworkStatus;
}

/** @param nodes the names of every registered node */
export function planAllocations(networks: Network[], services: Service[], nodes: string[]): AllocationWrite[] {
  const cluster = networks.filter((n) => !n.spec.external);
  const subnets = cluster.filter((n) => n.status?.subnet).map((n) => ({ name: label(n), subnet: n.status!.subnet! }));
  const vnis = new Set(cluster.map((n) => n.status?.vni).filter((v): v is number => v !== undefined));
  const writes: AllocationWrite[] = [];
  // oldest first: of two networks asking for one subnet, the older keeps it
  for (const net of [...cluster].sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp))) {
    const before = net.status ?? {};
    const next: NetworkStatus = { ...before };
    if (!next.subnet) {
      const wanted = net.spec.subnet;
      const problem = wanted ? subnetProblem(wanted) ?? overlapProblem(wanted, subnets) : undefined;
      const subnet = problem ? undefined : wanted ?? allocateSubnet(subnets.map((s) => s.subnet));
      if (subnet) {
        next.subnet = subnet;
        subnets.push({ name: label(net), subnet });
        delete next.message;
      } else {
        next.message = problem ?? 'the default address pool is exhausted';
      }
    }
    if (next.vni === undefined) {
      next.vni = lowestFree(vnis, FIRST_VNI)!;
      vnis.add(next.vni);
    }
    next.nodes = slots(before.nodes ?? {}, nodes);
    if (next.subnet && !isIngress(net)) next.vips = vips(next.subnet, before.vips ?? {}, attachedVipServices(net, services));
    if (canonicalJson(next) !== canonicalJson(before)) writes.push({ network: net, status: next });
  }
  return writes;
}

function label(n: Network): string {
  return n.metadata.namespace ? `${n.metadata.namespace}_${n.metadata.name}` : n.metadata.name;
}

function overlapProblem(subnet: string, taken: { name: string; subnet: string }[]): string | undefined {
  const other = firstOverlap(subnet, taken);
  return other ? `subnet ${subnet} overlaps network ${other}'s` : undefined;
}

function slots(current: Record<string, number>, nodes: string[]): Record<string, number> {
  const kept = Object.fromEntries(Object.entries(current).filter(([name]) => nodes.includes(name)));
  for (const name of [...nodes].sort()) {
    if (kept[name] !== undefined) continue;
    const slot = lowestFree(Object.values(kept), 1, MAX_SLOTS);
    if (slot !== undefined) kept[name] = slot; // a 32nd node gets none: its tasks there can't start
  }
  return kept;
}

/** Services of the network's stack on it with endpoint_mode vip. */
function attachedVipServices(net: Network, services: Service[]): string[] {
  return services
    .filter((s) => s.spec.stack === net.spec.stack && s.spec.template.deploy.endpoint_mode === 'vip')
    .filter((s) => networkKeys(s.spec.template).includes(net.metadata.name))
    .map((s) => s.metadata.name)
    .sort();
}

function vips(subnet: string, current: Record<string, string>, wanted: string[]): Record<string, string> {
  const kept = Object.fromEntries(Object.entries(current).filter(([svc]) => wanted.includes(svc)));
  const free = vipCandidates(subnet).filter((ip) => !Object.values(kept).includes(ip));
  for (const svc of wanted) if (!kept[svc] && free.length) kept[svc] = free.shift()!;
  return kept;
}
