// The routing mesh on one node, as libnetwork's ingress and kube-proxy's iptables mode do it, on
// the kernel's data path: a port published in `ingress` mode answers on every local address of the
// node (PREROUTING, and OUTPUT for the node itself) and is DNAT-ed to one ready task's address on
// the ingress overlay, on any node (`statistic --mode random`). The source becomes the node's own
// address on the ingress network (MASQUERADE out of its bridge), so the task answers through this
// node and conntrack undoes both translations. Docker's FORWARD policy is DROP: the forward chain
// lets the translated connections through, both ways. The chains and comments carry the cluster's
// tag (host-names.ts), so clusters sharing a host each rewrite only theirs. Pure: the rules from
// the Store's state.
import type { Service, Task } from '../api/objects.js';
import { taskAddresses } from './endpoints.js';
import type { ClusterNames } from './host-names.js';

export interface MeshPort {
  published: number;
  protocol: 'tcp' | 'udp';
  target: number;
  /** "stack_service" */
  service: string;
  /** the ready tasks' addresses on the ingress network */
  backends: string[];
}

/** Every ingress-mode published port of `services`, with its ready backends on `ingressNet` (the
 *  engine name of the ingress network). Of two services claiming one port (deploy refuses that,
 *  src/stacks/port-owners.ts), the older keeps it. */
export function meshPorts(services: Service[], tasks: Task[], ingressNet: string): MeshPort[] {
  const out: MeshPort[] = [];
  const taken = new Set<string>();
  const byAge = [...services].sort(
    (a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp) || a.metadata.uid.localeCompare(b.metadata.uid),
  );
  for (const s of byAge) {
    if (s.spec.template.network_mode) continue; // not on the ingress network: Docker publishes it
    for (const p of s.spec.template.ports) {
      if (p.mode !== 'ingress' || p.published === undefined) continue;
      const key = `${p.published}/${p.protocol}`;
      if (taken.has(key)) continue;
      taken.add(key);
      const backends = taskAddresses(tasks, s.spec.stack, s.metadata.name, ingressNet);
      out.push({ published: p.published, protocol: p.protocol, target: p.target, service: `${s.spec.stack}_${s.metadata.name}`, backends });
    }
  }
  return out.sort((a, b) => a.published - b.published || a.protocol.localeCompare(b.protocol));
}

/** `iptables-restore --noflush` input replacing the cluster's three ingress chains (atomically per
 *  table). A port with no ready task gets no rule: the node's own stack then refuses the connection. */
export function ingressRules(ports: MeshPort[], bridge: string, names: ClusterNames): string {
  const { ingress, snat, fwd } = names.chains;
  const tag = names.comment;
  const lines = ['*nat', `:${ingress} - [0:0]`, `:${snat} - [0:0]`];
  for (const p of ports) {
    const n = p.backends.length;
    p.backends.forEach((ip, i) => {
      const pick = i < n - 1 ? ` -m statistic --mode random --probability ${(1 / (n - i)).toFixed(8)}` : '';
      lines.push(
        `-A ${ingress} -p ${p.protocol} -m ${p.protocol} --dport ${p.published} -m comment --comment "${tag} ingress ${p.service} ${p.published}/${p.protocol}"${pick} -j DNAT --to-destination ${ip}:${p.target}`,
      );
    });
  }
  lines.push(`-A ${snat} -o ${bridge} -m conntrack --ctstate DNAT -m comment --comment "${tag} ingress snat" -j MASQUERADE`, 'COMMIT');
  lines.push('*filter', `:${fwd} - [0:0]`);
  for (const dir of ['-o', '-i']) {
    lines.push(`-A ${fwd} ${dir} ${bridge} -m conntrack --ctstate DNAT -m comment --comment "${tag} ingress forward" -j ACCEPT`);
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/** The jumps into the chains, each added once (checked with -C first): before Docker's own, so a
 *  mesh port is the mesh's even if a container also publishes it. */
export function ingressJumps(names: ClusterNames): string[][] {
  const { ingress, snat, fwd } = names.chains;
  const c = ['-m', 'comment', '--comment', `${names.comment} ingress`];
  return [
    ['-t', 'nat', 'PREROUTING', '-m', 'addrtype', '--dst-type', 'LOCAL', ...c, '-j', ingress],
    // not to 127.0.0.0/8: a DNAT from loopback to another host is dropped as a martian
    ['-t', 'nat', 'OUTPUT', '!', '-d', '127.0.0.0/8', '-m', 'addrtype', '--dst-type', 'LOCAL', ...c, '-j', ingress],
    ['-t', 'nat', 'POSTROUTING', ...c, '-j', snat],
    ['-t', 'filter', 'FORWARD', ...c, '-j', fwd],
  ];
}

/** One shell line: each jump checked, and inserted first when missing. */
export function jumpScript(jumps: string[][]): string {
  const q = (a: string) => (/^[\w./:-]+$/.test(a) ? a : `'${a}'`);
  return jumps
    .map(([, table, chain, ...rule]) => {
      const r = rule.map(q).join(' ');
      return `{ iptables -t ${table} -C ${chain} ${r} 2>/dev/null || iptables -t ${table} -I ${chain} 1 ${r}; }`;
    })
    .join(' && ');
}
