// `stackd leave`: takes one cluster's host objects off a host its agent has left for good (an agent
// that stops keeps them, so a restart has no blip): its iptables chains and their jumps, its VXLAN
// devices, and its networks on the engine (their bridges go with them). Only what carries this
// cluster's tag or id (host-names.ts); another cluster's on the same host stays. Planning is pure.
import type { ContainerRuntime } from '../runtime/container-runtime.js';
import { LABEL } from '../runtime/labels.js';
import { dnsJumps } from './dns-redirect.js';
import type { HostNet } from './host.js';
import { type ClusterNames, isOwnVxlan } from './host-names.js';
import { ingressJumps } from './ingress-rules.js';
import { readVxlan } from './vxlan.js';

const q = (a: string) => (/^[\w./:-]+$/.test(a) ? a : `'${a}'`);

/** A shell script removing the cluster's jumps (every copy), then its chains; missing ones are fine. */
export function leaveScript(names: ClusterNames): string {
  const jumps = [...ingressJumps(names), ...dnsJumps(names)].map(([, table, chain, ...rule]) => {
    const r = rule.map(q).join(' ');
    return `while iptables -t ${table} -D ${chain} ${r} 2>/dev/null; do :; done`;
  });
  const { ingress, snat, dns, fwd } = names.chains;
  const chains = [
    ['nat', ingress],
    ['nat', snat],
    ['nat', dns],
    ['filter', fwd],
  ].map(([table, chain]) => `{ iptables -t ${table} -F ${chain} 2>/dev/null && iptables -t ${table} -X ${chain}; true; }`);
  return [...jumps, ...chains].join('\n');
}

export interface LeaveResult {
  chains: string[];
  devices: string[];
  networks: string[];
  /** engine networks the engine would not remove (a container still on them) */
  kept: string[];
}

export async function leaveHost(host: HostNet, runtime: ContainerRuntime, clusterId: string, nodeName: string, names: ClusterNames): Promise<LeaveResult> {
  const nets = (await runtime.listManagedResources()).networks.filter((n) => n.labels[LABEL.cluster] === clusterId && n.labels[LABEL.node] === nodeName);
  const removed: string[] = [];
  const kept: string[] = [];
  for (const n of nets)
    await runtime.removeNetwork(n.name).then(
      () => removed.push(n.name),
      () => kept.push(n.name),
    );
  const devices = (await readVxlan(host)).map((d) => d.name).filter((d) => isOwnVxlan(d, names));
  for (const d of devices) await host.run(['ip', 'link', 'del', d]).catch(() => undefined);
  await host.run(['sh', '-c', leaveScript(names)]);
  return { chains: Object.values(names.chains), devices, networks: removed, kept };
}
