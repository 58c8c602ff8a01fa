// The manager's IPAM: a subnet and a VNI for every cluster network, a slot per node on each, and a
// virtual IP per service attached to it. Pure: Store objects in, the statuses to write out.
// Allocations only grow while their owner lives, so a running task's address never moves.
import type { Network, NetworkStatus, Service, Stack, Task } from '../api/objects.js';
import { canonicalJson } from '../client/codec.js';
import { attachedServices, endpointKey, isClusterScoped } from './attach.js';
import {
  allocateSubnet,
  chunkPrefixFor,
  DEFAULT_POOL,
  DEFAULT_PREFIX,
  FIRST_VNI,
  firstOverlap,
  lowestFree,
  slotCount,
  subnetProblem,
  vipCandidates,
} from './ipam.js';
import { ingressPrefixIn } from './addr-pool.js';
import { placedTasks, type PlacedTasks } from './placed-tasks.js';
import { MAX_VNI } from './host-names.js';

/** engineName: the ingress's name on the engine in clusters made before cluster tags (now
 *  stackd_ingress_<tag>: host-names.ts) */
export const INGRESS = { namespace: '', name: 'ingress', engineName: 'stackd_ingress' } as const;

/** Where a cluster's new VNIs and default subnets come from: its VNI block and subnet offset
 *  (host-names.ts; absent: the start of each), and its default address pool (addr-pool.ts). */
export interface AllocationStart {
  firstVni: number;
  firstBlock(blocks: number): number;
  /** absent: DEFAULT_POOL */
  pool?: string;
}

export function isIngress(n: Network): boolean {
  return n.metadata.namespace === INGRESS.namespace && n.metadata.name === INGRESS.name;
}

export { networkKeys } from './attach.js';

export interface AllocationWrite {
  network: Network;
  status: NetworkStatus;
}

/** @param nodes the names of every registered node
 *  @param stacks to find which stacks name a cluster network as external
 *  @param tasks to give a node a slot on a network only once a task of it is there (the ingress
 *    and attachable networks: every node); absent: every node gets one. The manager passes its
 *    index (placed-tasks.ts), kept up to date change by change.
 *  @param ready the nodes whose agent is alive: only those give back the slot of a stack network
 *    they no longer use (see releasable); absent: no slot is given back
 *  @param start the cluster's own VNI block and subnet offset (recorded allocations never move) */
export function planAllocations(
  networks: Network[],
  services: Service[],
  nodes: string[],
  stacks: Stack[] = [],
  tasks?: Task[] | PlacedTasks,
  ready?: string[],
  start: AllocationStart = { firstVni: FIRST_VNI, firstBlock: () => 0 },
): AllocationWrite[] {
  const cluster = networks.filter((n) => !n.spec.external);
  const subnets = cluster.filter((n) => n.status?.subnet).map((n) => ({ name: label(n), subnet: n.status!.subnet! }));
  const vnis = new Set(cluster.map((n) => n.status?.vni).filter((v): v is number => v !== undefined));
  const writes: AllocationWrite[] = [];
  const placed = Array.isArray(tasks) ? placedTasks(tasks) : tasks;
  // oldest first: of two networks asking for one subnet, the older keeps it
  for (const net of [...cluster].sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp))) {
    const before = net.status ?? {};
    const next: NetworkStatus = { ...before };
    if (!next.subnet) {
      const wanted = net.spec.subnet;
      const problem = wanted ? (subnetProblem(wanted) ?? overlapProblem(wanted, subnets)) : undefined;
      const pool = start.pool ?? DEFAULT_POOL;
      const prefix = isIngress(net) ? ingressPrefixIn(pool) : DEFAULT_PREFIX;
      const taken = subnets.map((s) => s.subnet);
      const subnet = problem ? undefined : (wanted ?? allocateSubnet(taken, pool, prefix, start.firstBlock));
      if (subnet) {
        next.subnet = subnet;
        next.chunkPrefix = chunkPrefixFor(subnet);
        subnets.push({ name: label(net), subnet });
        delete next.message;
      } else {
        next.message = problem ?? 'the default address pool is exhausted';
      }
    }
    if (next.vni === undefined) {
      // past the 24 bits, round from 1 (taken ones are skipped)
      next.vni = lowestFree(vnis, start.firstVni, MAX_VNI) ?? lowestFree(vnis, 1, MAX_VNI)!;
      vnis.add(next.vni);
    }
    if (next.subnet) {
      const attached = attachedServices(net, services, stacks);
      const wanting = !placed || isIngress(net) || net.spec.attachable ? nodes : nodesWithTasks(attached, placed, nodes);
      const freed = releasable(net, before.nodes ?? {}, wanting, stacks, placed, ready);
      const { kept, unplaced } = slots(
        before.nodes ?? {},
        nodes.filter((n) => !freed.includes(n)),
        wanting,
        slotCount(next.subnet, next.chunkPrefix),
      );
      next.nodes = kept;
      if (unplaced.length) next.message = fullMessage(next.subnet, next.chunkPrefix, unplaced);
      else delete next.message;
    }
    if (next.subnet && !isIngress(net)) next.vips = vips(next.subnet, before.vips ?? {}, attachedVipServices(net, services, stacks));
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

/** Slots stay while their node lives (a running task's address never moves); nodes that want one
 *  get the lowest free; those that find none are `unplaced`. Linear in the nodes: 1,000 nodes per
 *  network on every plan. */
function slots(current: Record<string, number>, nodes: string[], wanting: string[], max: number): { kept: Record<string, number>; unplaced: string[] } {
  const alive = new Set(nodes);
  const kept = Object.fromEntries(Object.entries(current).filter(([name]) => alive.has(name)));
  const used = new Set(Object.values(kept));
  const unplaced: string[] = [];
  let free = 1; // the lowest free slot only rises: slots are only taken here
  for (const name of [...wanting].sort()) {
    if (kept[name] !== undefined) continue;
    while (free <= max && used.has(free)) free++;
    if (free > max) unplaced.push(name);
    else used.add((kept[name] = free));
  }
  return { kept, unplaced };
}

/** The nodes whose slot on `net` goes back to the pool: they want none (no task of the network
 *  wanted running there), hold no task that may still be on it (any state), and are ready (a dead
 *  agent collects nothing, and its bridge would still hold the slot's gateway on the overlay).
 *  On a stack network: no task of the stack at all, exactly when the agent's garbage collector
 *  removes the stack's engine networks, bridge and gateway with them (src/agent/gc-plan.ts). On a
 *  cluster network (`network create`): no task with an address on it and none of a stack naming
 *  it; its agent then removes the engine network (shared-on-node.ts). The ingress and attachable
 *  networks keep their slots: every node is on them. The engine network also carries its range
 *  (NET_LABEL.ipRange), so a node given another slot later never reuses a stale one. */
function releasable(net: Network, current: Record<string, number>, wanting: string[], stacks: Stack[], placed?: PlacedTasks, ready?: string[]): string[] {
  if (!placed || !ready || isIngress(net) || net.spec.attachable) return [];
  const want = new Set(wanting);
  const alive = new Set(ready);
  const candidates = Object.keys(current).filter((n) => !want.has(n) && alive.has(n));
  if (candidates.length === 0) return []; // the usual case: no scan of the tasks
  const holds = isClusterScoped(net) ? holdsClusterNetwork(net, stacks) : (t: Task) => t.spec.stack === net.spec.stack;
  const busy = new Set<string>();
  for (const t of placed.all()) if (t.spec.nodeName && holds(t)) busy.add(t.spec.nodeName);
  return candidates.filter((n) => !busy.has(n));
}

/** A task that may be on cluster network `net`: it has an address there, or its stack names it. */
function holdsClusterNetwork(net: Network, stacks: Stack[]): (t: Task) => boolean {
  const naming = new Set(
    stacks.filter((s) => Object.values(s.spec.networks ?? {}).some((n) => n?.external && n.name === net.spec.name)).map((s) => s.metadata.name),
  );
  return (t) => t.status?.addresses?.[net.spec.name] !== undefined || naming.has(t.spec.stack);
}

/** Registered nodes running a task (desired running) of one of `services`. */
function nodesWithTasks(services: Service[], placed: PlacedTasks, nodes: string[]): string[] {
  const registered = new Set(nodes);
  const wanted = new Set<string>();
  for (const s of services) for (const node of placed.nodesRunning(s.spec.stack, s.metadata.name)) if (registered.has(node)) wanted.add(node);
  return [...wanted];
}

/** What a task on a node without a slot is told (the agent rejects it with this). */
function fullMessage(subnet: string, chunkPrefix: number | undefined, unplaced: string[]): string {
  const n = slotCount(subnet, chunkPrefix);
  return `subnet ${subnet} is full: its ${n} node slots are taken, so node${unplaced.length > 1 ? 's' : ''} ${unplaced.join(', ')} cannot join (give the network a larger subnet: a /16 holds 992 nodes)`;
}

/** The endpoint keys of the services on the network with endpoint_mode vip. */
function attachedVipServices(net: Network, services: Service[], stacks: Stack[]): string[] {
  return attachedServices(net, services, stacks)
    .filter((s) => s.spec.template.deploy.endpoint_mode === 'vip')
    .map((s) => endpointKey(net, s.spec.stack, s.metadata.name))
    .sort();
}

function vips(subnet: string, current: Record<string, string>, wanted: string[]): Record<string, string> {
  const kept = Object.fromEntries(Object.entries(current).filter(([svc]) => wanted.includes(svc)));
  const free = vipCandidates(subnet).filter((ip) => !Object.values(kept).includes(ip));
  for (const svc of wanted) if (!kept[svc] && free.length) kept[svc] = free.shift()!;
  return kept;
}
