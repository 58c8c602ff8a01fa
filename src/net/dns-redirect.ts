// The node's resolver (resolver.ts) on port 53 of every gateway of the cluster's networks, shared
// by clusters whose agents run on one host: each agent's resolver listens on a port of its own,
// and the cluster's nat chain redirects DNS queries that arrive on its bridges for a local address
// (the gateway) to that port. Queries to other servers pass untouched. Pure.
import type { ClusterNames } from './host-names.js';

export interface ResolverPorts {
  udp: number;
  tcp: number;
}

/** `iptables-restore --noflush` input replacing the cluster's DNS chain. Its bridges are matched
 *  by name prefix (a network made a moment ago is covered at once); `legacyBridges` (made before
 *  cluster tags, sdbr<vni>) one by one. */
export function dnsRedirectRules(names: ClusterNames, ports: ResolverPorts, legacyBridges: string[] = []): string {
  const chain = names.chains.dns;
  const lines = ['*nat', `:${chain} - [0:0]`];
  for (const dev of [`${names.bridgePrefix}+`, ...legacyBridges]) {
    for (const proto of ['udp', 'tcp'] as const) {
      lines.push(
        `-A ${chain} -i ${dev} -p ${proto} -m ${proto} --dport 53 -m addrtype --dst-type LOCAL -m comment --comment "${names.comment} dns" -j REDIRECT --to-ports ${ports[proto]}`,
      );
    }
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/** The jump into the chain (for ingress-rules.ts' jumpScript). */
export function dnsJumps(names: ClusterNames): string[][] {
  return [['-t', 'nat', 'PREROUTING', '-m', 'comment', '--comment', `${names.comment} dns`, '-j', names.chains.dns]];
}
