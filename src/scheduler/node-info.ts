// What the scheduler knows of each node: what its tasks reserve, which host ports they hold, how
// many tasks it runs per service. Kept in memory and updated after each decision, so every
// assignment of a batch counts for the next (SwarmKit's nodeInfo).
import type { Node, Task } from '../api/objects.js';
import { occupiesNode } from '../orchestrator/task-state.js';
import type { PortSpec } from '../stackfile/types.js';

export interface HostPort {
  /** "8080/tcp" */
  key: string;
  /** '' = every address */
  ip: string;
}

export interface NodeInfo {
  node: Node;
  name: string;
  /** reserved by its tasks: CPUs in nano-CPUs (integers, so sums stay exact), memory in bytes */
  nanoCpus: number;
  memory: number;
  /** tasks the manager wants running here, in all and per service ("stack/service") */
  total: number;
  byService: Map<string, number>;
  ports: HostPort[];
}

export const serviceKey = (task: Task) => `${task.spec.stack}/${task.spec.service}`;
export const toNano = (cpus: number | undefined) => Math.round((cpus ?? 0) * 1e9);

/**
 * Ports a task binds on its node's engine. On a node with the routing mesh (its agent runs
 * cluster networking: src/net/ingress-rules.ts) an `ingress` port is the mesh's, on every node at
 * once, and holds nothing; elsewhere Docker publishes it on the task's node, exactly like a `host`
 * port, so both kinds conflict with the same port on the same node.
 */
export function hostPorts(task: Task, node?: Node): HostPort[] {
  const mesh = node?.status?.mesh === true && !task.spec.template.network_mode;
  return task.spec.template.ports
    .filter((p): p is PortSpec & { published: number } => p.published !== undefined && !(mesh && p.mode === 'ingress'))
    .map((p) => ({ key: `${p.published}/${p.protocol}`, ip: p.host_ip && p.host_ip !== '0.0.0.0' && p.host_ip !== '::' ? p.host_ip : '' }));
}

export function portsClash(a: HostPort, b: HostPort): boolean {
  return a.key === b.key && (a.ip === '' || b.ip === '' || a.ip === b.ip);
}

export function addTask(info: NodeInfo, task: Task): void {
  const reservations = task.spec.template.deploy.resources.reservations;
  if (reservations.cpus) info.nanoCpus += toNano(reservations.cpus);
  if (reservations.memory) info.memory += reservations.memory;
  // every task of the cluster passes here each placement round (200,000 in a rolling update at
  // scale): nothing is allocated for the many without published ports
  if (task.spec.template.ports.length > 0) info.ports.push(...hostPorts(task, info.node));
  if (task.spec.desiredState !== 'running') return;
  info.total++;
  const key = serviceKey(task);
  info.byService.set(key, (info.byService.get(key) ?? 0) + 1);
}

/** @param tasks every task of the cluster; only the ones occupying a node count */
export function buildNodeInfos(nodes: Node[], tasks: Task[]): Map<string, NodeInfo> {
  const infos = new Map<string, NodeInfo>();
  for (const node of [...nodes].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))) {
    infos.set(node.metadata.name, { node, name: node.metadata.name, nanoCpus: 0, memory: 0, total: 0, byService: new Map(), ports: [] });
  }
  for (const task of tasks) {
    const info = task.spec.nodeName !== undefined ? infos.get(task.spec.nodeName) : undefined;
    if (info && occupiesNode(task)) addTask(info, task);
  }
  return infos;
}
