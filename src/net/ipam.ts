// How a cluster network's subnet is shared out, and allocation without overlap. Pure.
//
// A subnet is cut into 32 equal chunks: chunk 0 holds the services' virtual IPs, chunk k (1..31)
// belongs to the node given slot k on that network: its first address is that node's gateway (its
// bridge), the rest are its tasks' addresses, handed out by the node's engine. So no two nodes
// ever hand out one address, with no coordination per task; the price is 31 nodes per network.
import { type Cidr, contains, formatCidr, intToIp, ipToInt, overlaps, parseCidr, size } from './cidr.js';

export const DEFAULT_POOL = '10.128.0.0/10';
export const DEFAULT_PREFIX = 20;
export const MAX_SLOTS = 31;
/** the smallest subnet with room for a gateway and a task per node chunk (/24: chunks of 8) */
export const MAX_PREFIX = 24;
export const FIRST_VNI = 4097;

/** The part of `subnet` that node slot `slot` owns: its engine's --ip-range and --gateway. */
export function nodeRange(subnet: string, slot: number): { ipRange: string; gateway: string } {
  const c = mustParse(subnet);
  const chunk = size(c) / 32;
  const base = c.base + slot * chunk;
  return { ipRange: formatCidr({ base, prefix: c.prefix + 5 }), gateway: intToIp(base + 1) };
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

/** The first /prefix block of `pool` that overlaps none of `used`. */
export function allocateSubnet(used: string[], pool = DEFAULT_POOL, prefix = DEFAULT_PREFIX): string | undefined {
  const p = mustParse(pool);
  const taken = used.map(parseCidr).filter((c): c is Cidr => c !== undefined);
  const step = 2 ** (32 - prefix);
  for (let base = p.base; base + step <= p.base + size(p); base += step) {
    const candidate = { base, prefix };
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
