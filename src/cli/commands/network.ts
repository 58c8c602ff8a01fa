// network ls | inspect: the cluster networks and what the manager allocated on them (src/net).
import type { Command } from 'commander';
import type { Network, Service, Task } from '../../api/objects.js';
import { listObjects } from '../../client/objects.js';
import { endpointKey } from '../../net/attach.js';
import { endpointAddresses } from '../../net/endpoints.js';
import { nodeRange } from '../../net/ipam.js';
import { type Listing, formatOption, storeAction } from '../command.js';
import { CommandError } from '../../errors.js';
import { printList } from '../format.js';
import { registerNetworkWrites } from './network-write.js';

interface NetworkRow {
  name: string;
  stack: string;
  driver: string;
  subnet: string;
  vni: number | null;
  nodes: number;
  vips: number;
  attachable: boolean;
  internal: boolean;
  labels: Record<string, string>;
  message: string;
}

function networkRow(n: Network): NetworkRow {
  const s = n.status ?? {};
  return {
    name: n.spec.name,
    stack: n.spec.stack,
    driver: n.spec.external ? 'external' : (n.spec.driver ?? 'overlay'),
    subnet: s.subnet ?? '',
    vni: s.vni ?? null,
    nodes: Object.keys(s.nodes ?? {}).length,
    vips: Object.keys(s.vips ?? {}).length,
    attachable: n.spec.attachable ?? false,
    internal: n.spec.internal ?? false,
    labels: n.spec.labels,
    message: s.message ?? '',
  };
}

const HEADERS = ['NAME', 'STACK', 'DRIVER', 'SUBNET', 'VNI', 'NODES', 'VIPS'];
const cells = (r: NetworkRow) => [
  r.name,
  r.stack || '-',
  r.driver,
  r.subnet || (r.message ? `(${r.message})` : '-'),
  r.vni === null ? '-' : String(r.vni),
  String(r.nodes),
  String(r.vips),
];

/** What `inspect` adds to the object: each node's share and gateway, each service's VIP and tasks. Pure. */
export function networkDetail(n: Network, tasks: Task[]): object {
  const s = n.status ?? {};
  const perNode = Object.fromEntries(
    Object.entries(s.nodes ?? {}).map(([node, slot]) => [node, { slot, ...(s.subnet ? nodeRange(s.subnet, slot, s.chunkPrefix) : {}) }]),
  );
  const keys = [...tasks.filter((t) => t.status?.addresses?.[n.spec.name]).map((t) => endpointKey(n, t.spec.stack, t.spec.service)), ...Object.keys(s.vips ?? {})];
  const endpoints = Object.fromEntries([...new Set(keys)].sort().map((key) => [key, { vip: s.vips?.[key] ?? null, tasks: endpointAddresses(n, key, tasks) }]));
  return { ...n, nodes: perNode, endpoints };
}

/** Swarm's Endpoint for `service inspect`: mode, ports, and the VIP on each network. Pure. */
export function serviceEndpoint(svc: Service, networks: Network[]): object {
  const t = svc.spec.template;
  const vipOf = (n: Network) => n.status?.vips?.[endpointKey(n, svc.spec.stack, svc.metadata.name)];
  const virtualIPs = networks
    .filter((n) => (n.metadata.namespace === '' || n.spec.stack === svc.spec.stack) && vipOf(n))
    .map((n) => ({ network: n.spec.name, addr: `${vipOf(n)}/${n.status!.subnet!.split('/')[1]}` }));
  return { mode: t.deploy.endpoint_mode, ports: t.ports, virtualIPs };
}

/** For `node inspect`: the node's address on each cluster network (its bridge's gateway). Pure. */
export function nodeOverlay(node: string, networks: Network[]): { network: string; slot: number; gateway: string; ipRange: string }[] {
  return networks
    .filter((n) => n.status?.subnet && n.status.nodes?.[node] !== undefined)
    .map((n) => ({ network: n.spec.name, slot: n.status!.nodes![node], ...nodeRange(n.status!.subnet!, n.status!.nodes![node], n.status!.chunkPrefix) }))
    .sort((a, b) => a.network.localeCompare(b.network));
}

export function registerNetworkCommands(program: Command): void {
  const network = program.command('network').description('Cluster networks (agents with --netns)');
  registerNetworkWrites(network);

  network
    .command('ls')
    .description('List networks with their subnet, VNI and allocations')
    .addOption(formatOption())
    .action(
      storeAction<Listing>(async ({ store, opts }) => {
        const { items } = await listObjects<Network>(store, 'Network');
        printList(
          opts.format,
          items.map(networkRow).sort((a, b) => a.name.localeCompare(b.name)),
          HEADERS,
          cells,
        );
      }),
    );

  network
    .command('inspect')
    .description('Show networks as JSON: allocation per node (ip range, gateway) and endpoints (VIP, task addresses)')
    .argument('<network...>', 'network names (STACK_NETWORK, or ingress)')
    .action(
      storeAction<unknown, [string[]]>(async ({ store }, names) => {
        const [{ items }, { items: tasks }] = await Promise.all([listObjects<Network>(store, 'Network'), listObjects<Task>(store, 'Task')]);
        const found = names.map((name) => {
          const n = items.find((i) => i.spec.name === name || (i.metadata.namespace === '' && i.metadata.name === name));
          if (!n) throw new CommandError(`no such network: ${name}`);
          return networkDetail(n, tasks);
        });
        process.stdout.write(`${JSON.stringify(found, null, 2)}\n`);
      }),
    );
}
