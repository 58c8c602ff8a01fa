// The names of what the agent makes in a host's kernel, per cluster: two clusters whose agents
// share a host (or one engine) each find, rewrite and remove only their own. A cluster's tag is
// four hex digits of its id's SHA-256 (stable, and short: Linux interface names hold 15 bytes,
// iptables chain names 28). Its VNIs and default subnets start at a place derived from the tag,
// so two clusters on one host rarely want the same (the kernel refuses two VXLAN devices of one
// VNI, the engine two networks of overlapping subnets). Pure.
import { createHash } from 'node:crypto';

export interface ClusterNames {
  /** 4 hex digits */
  tag: string;
  /** the comment on every iptables rule: `stackd <tag> ...` */
  comment: string;
  /** the routing mesh's chains (nat: DNAT, MASQUERADE; filter: forward) and the DNS redirect (nat) */
  chains: { ingress: string; snat: string; fwd: string; dns: string };
  /** the ingress network's name on the engine (the Store's Network spec.name) */
  ingressNetwork: string;
  /** the bridge of the network of `vni` (`sdb<tag><vni>`) */
  bridge(vni: number): string;
  /** matches every bridge of this cluster (iptables' `-i NAME+`) */
  bridgePrefix: string;
  /** the first VNI to try for a new network */
  firstVni: number;
  /** which /prefix block of the default pool to try first (wrapping) */
  firstBlock(blocks: number): number;
}

export const MAX_VNI = 2 ** 24 - 1;
/** devices of networks made before cluster tags: `sdbr<vni>` / `sdvx<vni>` */
const LEGACY_BRIDGE = /^sdbr(\d+)$/;

export function clusterTag(clusterId: string): string {
  return createHash('sha256').update(clusterId).digest('hex').slice(0, 4);
}

export function clusterNames(clusterId: string): ClusterNames {
  const tag = clusterTag(clusterId);
  const n = Number.parseInt(tag, 16);
  const chain = (what: string) => `STACKD-${tag.toUpperCase()}-${what}`;
  return {
    tag,
    comment: `stackd ${tag}`,
    chains: { ingress: chain('INGRESS'), snat: chain('INGRESS-SNAT'), fwd: chain('INGRESS-FWD'), dns: chain('DNS') },
    ingressNetwork: `stackd_ingress_${tag}`,
    bridge: (vni) => `sdb${tag}${vni}`,
    bridgePrefix: `sdb${tag}`,
    // 256 VNIs per tag: tag 0x0000 → 1.., 0xffff → 16776960..; a cluster that outgrows its
    // block goes on into the next tag's (lowestFree skips what is taken)
    firstVni: Math.max(1, n * 256),
    firstBlock: (blocks) => n % blocks,
  };
}

/** The VXLAN device enslaved to `bridge`: `sdx<tag><vni>`, or `sdvx<vni>` beside a legacy bridge. */
export function vxlanFor(bridge: string): string {
  const legacy = LEGACY_BRIDGE.exec(bridge);
  return legacy ? `sdvx${legacy[1]}` : `sdx${bridge.slice(3)}`;
}

/** The bridge of a network made before cluster tags. */
export const legacyBridge = (vni: number) => `sdbr${vni}`;

/** Whether `device` (a VXLAN device's name) is one of this cluster's, by name. */
export function isOwnVxlan(device: string, names: ClusterNames): boolean {
  return new RegExp(`^sdx${names.tag}\\d+$`).test(device);
}
