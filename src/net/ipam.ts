// How a cluster network's subnet is shared out, and allocation without overlap. Pure.
//
// The first 1/32 of a subnet holds the services' virtual IPs; the rest is cut into equal chunks,
// one per node that has a slot on the network: a chunk's first address is that node's gateway
// (its bridge), the rest are its tasks' addresses, handed out by the node's engine. So no two
// nodes ever hand out one address, with no coordination per task. The chunk size comes from the
// subnet's (chunkPrefix, recorded in the network's status): at most /26 (63 tasks per node per
// network), and small enough for 32 chunks, so a /24 has 31 node slots of 8 addresses, a /20 62 of
// 64, a /16 992. Networks allocated before chunkPrefix existed keep the old layout (32 chunks).
import { type Cidr, contains, formatCidr, intToIp, ipToInt, overlaps, parseCidr, size } from './cidr.js';

export const DEFAULT_POOL = '10.128.0.0/10';
export const DEFAULT_PREFIX = 20;
/** the ingress network spans every node: a /15 has 1,984 node slots (/26 chunks: 63 tasks with
 *  ingress ports per node), for fleets of a thousand nodes and more; a /20 had 62 */
export const INGRESS_PREFIX = 15;
/** the largest chunk a node gets: 64 addresses (a gateway and 63 tasks on one network) */
export const MAX_CHUNK_BITS = 6;
/** the smallest subnet with room for a gateway and a task per node chunk (/24: chunks of 8) */
export const MAX_PREFIX = 24;
/** where networks' VNIs started before each cluster had its own block (host-names.ts) */
export const FIRST_VNI = 4097;

/** The chunk size a new network of `subnet` gets (as a prefix length). */
export function chunkPrefixFor(subnet: string): number {
  const c = mustParse(subnet);
  return 32 - Math.min(MAX_CHUNK_BITS, 32 - c.prefix - 5);
}

/** How many node slots `subnet` has with chunks of /chunkPrefix (absent: the old layout). */
export function slotCount(subnet: string, chunkPrefix?: number): number {
  const c = mustParse(subnet);
  const p = chunkPrefix ?? c.prefix + 5;
  return 2 ** (p - c.prefix) - vipChunks(c, p);
}

/** The part of `subnet` that node slot `slot` (1..slotCount) owns: its engine's --ip-range and --gateway. */
export function nodeRange(subnet: string, slot: number, chunkPrefix?: number): { ipRange: string; gateway: string } {
  const c = mustParse(subnet);
  const p = chunkPrefix ?? c.prefix + 5;
  const base = c.base + (vipChunks(c, p) - 1 + slot) * 2 ** (32 - p);
  return { ipRange: formatCidr({ base, prefix: p }), gateway: intToIp(base + 1) };
}

/** the chunks the VIPs' 1/32 of the subnet spans */
function vipChunks(c: Cidr, chunkPrefix: number): number {
  return Math.max(1, 2 ** (chunkPrefix - c.prefix - 5));
}

/** The virtual-IP chunk's addresses, the network address excluded. */
export function vipCandidates(subnet: string): string[] {
  const c = mustParse(subnet);
  const out: string[] = [];
  for (let i = 1; i < size(c) / 32; i++) out.push(intToIp(c.base + i));
  return out;
}

/** Why `subnet` can't be a cluster network's (undefined when it can). */
export function subnetProblem(subnet: string): string | undefined {
  const c = parseCidr(subnet);
  if (!c) return `"${subnet}" is not an IPv4 subnet (a.b.c.d/n, no host bits set)`;
  if (c.prefix > MAX_PREFIX) return `subnet ${subnet} is too small: a cluster network needs /${MAX_PREFIX} or larger`;
  return undefined;
}

/** The first /prefix block of `pool` that overlaps none of `used`, from block `first(blocks)` on
 *  (wrapping round): each cluster starts at its own place, so two clusters on one engine rarely
 *  want overlapping subnets. */
export function allocateSubnet(used: string[], pool = DEFAULT_POOL, prefix = DEFAULT_PREFIX, first: (blocks: number) => number = () => 0): string | undefined {
  const p = mustParse(pool);
  const taken = used.map(parseCidr).filter((c): c is Cidr => c !== undefined);
  const step = 2 ** (32 - prefix);
  const blocks = Math.max(1, size(p) / step);
  const start = first(blocks) % blocks;
  for (let i = 0; i < blocks; i++) {
    const candidate = { base: p.base + ((start + i) % blocks) * step, prefix };
    if (!taken.some((t) => overlaps(t, candidate))) return formatCidr(candidate);
  }
  return undefined;
}

export function firstOverlap(subnet: string, others: { name: string; subnet: string }[]): string | undefined {
  const c = mustParse(subnet);
  return others.find((o) => {
    const oc = parseCidr(o.subnet);
    return oc !== undefined && overlaps(c, oc);
  })?.name;
}

/** The lowest number from `from` up to `max` not in `used`. */
export function lowestFree(used: Iterable<number>, from: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const taken = new Set(used);
  for (let n = from; n <= max; n++) if (!taken.has(n)) return n;
  return undefined;
}

export function inSubnet(subnet: string, ip: string): boolean {
  const c = parseCidr(subnet);
  const n = ipToInt(ip);
  return c !== undefined && n !== undefined && contains(c, n);
}

function mustParse(subnet: string): Cidr {
  const c = parseCidr(subnet);
  if (!c) throw new Error(`bad subnet ${subnet}`);
  return c;
}
