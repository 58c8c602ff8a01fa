// The routing mesh's I/O on one node: the ingress network on the engine even with no task here
// (its bridge holds the node's address on the ingress overlay; the VXLAN device follows from
// agent-net.ts), and the rules of ingress-rules.ts in the node's netns, rewritten when they change
// and every resync. iptables-restore --noflush swaps the chains atomically, and conntrack keeps
// every established connection's translation, so a restarted agent rewrites them without a blip.
import type { Network, Service, Task } from '../api/objects.js';
import type { HostNet } from './host.js';
import type { ClusterNames } from './host-names.js';
import { ingressJumps, ingressRules, jumpScript, meshPorts } from './ingress-rules.js';
import { isIngress } from './plan-alloc.js';

export interface MeshDeps {
  host: HostNet;
  nodeName: string;
  /** creates the ingress network on this node's engine (idempotent; prepare.ts's, shared with
   *  tasks); resolves its bridge */
  ensureIngress: () => Promise<{ bridge: string }>;
  names: ClusterNames;
  resyncMs: number;
}

export class Mesh {
  private applied = '';
  private at = 0;
  constructor(private readonly deps: MeshDeps) {}

  /** @returns false while the manager has not yet given this node a slot on the ingress network */
  async reconcile(networks: Network[], services: Service[], tasks: Task[]): Promise<boolean> {
    const ingress = networks.find(isIngress);
    const vni = ingress?.status?.vni;
    if (vni === undefined || !ingress?.status?.subnet || ingress.status.nodes?.[this.deps.nodeName] === undefined) return false;
    const { bridge } = await this.deps.ensureIngress();
    const rules = ingressRules(meshPorts(services, tasks, ingress.spec.name), bridge, this.deps.names);
    if (rules === this.applied && Date.now() - this.at < this.deps.resyncMs) return true;
    await this.deps.host.run(['sh', '-c', `iptables-restore --noflush && ${jumpScript(ingressJumps(this.deps.names))}`], rules);
    this.applied = rules;
    this.at = Date.now();
    return true;
  }
}
