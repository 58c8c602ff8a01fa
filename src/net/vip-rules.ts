// Virtual IPs, load-balanced by the kernel in each container's own network namespace (as Swarm
// does with IPVS): a connection to a service's VIP is DNAT-ed in the sender's OUTPUT chain to one
// of the service's ready tasks, picked with `statistic --mode random`. The task sees the client's
// real address and answers it directly; conntrack undoes the DNAT on the way back. Pure.
import type { Network, Task } from '../api/objects.js';
import { isClusterScoped } from './attach.js';
import { endpointAddresses } from './endpoints.js';

export const VIP_CHAIN = 'STACKD-VIP';

export interface VipTarget {
  vip: string;
  /** "stack_service" */
  service: string;
  backends: string[];
}

/** The VIPs a container on `engineNetworks` reaches, with their backends. */
export function vipTargets(engineNetworks: string[], networks: Network[], tasks: Task[]): VipTarget[] {
  const out: VipTarget[] = [];
  for (const net of networks) {
    if (!engineNetworks.includes(net.spec.name)) continue;
    for (const [key, vip] of Object.entries(net.status?.vips ?? {}).sort()) {
      out.push({ vip, service: isClusterScoped(net) ? key : `${net.spec.stack}_${key}`, backends: endpointAddresses(net, key, tasks) });
    }
  }
  return out;
}

/** `iptables-restore --noflush` input replacing the chain's rules with `targets`' (atomically). */
export function dnatRules(chain: string, targets: { match: string; comment: string; backends: string[]; port?: number }[], tag: string): string {
  const lines = ['*nat', `:${chain} - [0:0]`];
  for (const t of targets) {
    const n = t.backends.length;
    t.backends.forEach((ip, i) => {
      const pick = i < n - 1 ? ` -m statistic --mode random --probability ${(1 / (n - i)).toFixed(8)}` : '';
      const to = t.port ? `${ip}:${t.port}` : ip;
      lines.push(`-A ${chain} ${t.match} -m comment --comment "${tag} ${t.comment}"${pick} -j DNAT --to-destination ${to}`);
    });
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/** The nat chain's DNATs, and a filter chain that refuses at once (TCP reset, ICMP port
 *  unreachable) what goes to a VIP with no ready task: nat's OUTPUT hook runs before filter's, so
 *  only packets no DNAT took still have a VIP as destination. */
export function vipRules(targets: VipTarget[], tag: string): string {
  const nat = dnatRules(
    VIP_CHAIN,
    targets.map((t) => ({ match: `-d ${t.vip}/32`, comment: `vip ${t.service}`, backends: t.backends })),
    tag,
  );
  const filter = ['*filter', `:${VIP_CHAIN} - [0:0]`];
  for (const t of targets.filter((x) => x.backends.length === 0)) {
    const rule = `-A ${VIP_CHAIN} -d ${t.vip}/32 -m comment --comment "${tag} vip ${t.service} has no ready task"`;
    filter.push(`${rule} -p tcp -j REJECT --reject-with tcp-reset`, `${rule} -j REJECT --reject-with icmp-port-unreachable`);
  }
  filter.push('COMMIT', '');
  return nat + filter.join('\n');
}
