// Two stackd clusters on the same two hosts (hack/lib/nodes.sh indices 160-161): each host's
// engine runs one agent of each cluster, all with --netns, each cluster with its own etcd and
// manager. Their overlays, routing meshes and DNS share the hosts' kernels without touching each
// other's devices and chains (src/net/host-names.ts), and one cluster leaving takes only its own.
import { jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Task } from '../../../src/api/objects.js';
import type { ClusterNames } from '../../../src/net/host-names.js';
import { ROOT } from '../../helpers/cli.js';
import { Cluster, eventually, type NodeDef } from '../../helpers/cluster.js';

jest.setTimeout(240_000);

const NODES: NodeDef[] = [
  { name: 'nt160', index: 160, labels: {} },
  { name: 'nt161', index: 161, labels: {} },
];
const [N1, N2] = NODES.map((n) => n.name);
/** ids whose tags (34ab, ebe9) start their default subnets in different blocks of the pool:
 *  random ids collide there once in 32 (see the README's networking section) */
const IDS = { a: 'cluster-a', b: 'cluster-b' };
const PORT = { a: 18160, b: 18161 };

let a: Cluster;
let b: Cluster;
let c: Cluster | undefined;
let d: Cluster | undefined;
const names: Record<'a' | 'b', ClusterNames> = {} as never;

beforeAll(async () => {
  a = await Cluster.start(NODES, [], { clusterNet: true, clusterId: IDS.a });
  b = await Cluster.start(NODES, [], { clusterNet: true, clusterId: IDS.b, sharedNodes: true });
  console.log(`two-clusters: daemon logs in ${a.logDir} (A) and ${b.logDir} (B)`);
  names.a = await a.hostNames();
  names.b = await b.hostNames();
  await Promise.all([a.nodesReady(NODES.length), b.nodesReady(NODES.length)]);
}, 240_000);

afterAll(async () => {
  await d?.stop();
  await c?.stop();
  await b?.stop(); // leaves the nodes to A's stop, which wipes them
  await a?.stop();
}, 120_000);

const on = (node: string) => ({ placement: { constraints: [`node.hostname==${node}`] } });
/** serves its hostname on port 80 */
const WEB = 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www';
const stackFile = (port: number) =>
  JSON.stringify({
    services: {
      web: { image: 'stackd/busybox:latest', command: ['sh', '-c', WEB], init: true, stop_grace_period: '1s', ports: [`${port}:80`], deploy: on(N2) },
      client: { image: 'stackd/busybox:latest', command: ['sleep', '3600'], init: true, stop_grace_period: '1s', deploy: on(N1) },
    },
  });

/** Runs a command in a node's network namespace. */
async function inNode(node: string, argv: string[]): Promise<string> {
  return (await promisify(execFile)('nsenter', [`--net=/var/run/netns/${node}`, '--', ...argv])).stdout;
}
const links = async (node: string) => (await inNode(node, ['ip', '-o', 'link', 'show'])).split('\n').map((l) => /^\d+:\s+([^:@]+)/.exec(l)?.[1] ?? '');
const chain = (node: string, table: string, name: string) => inNode(node, ['iptables', '-t', table, '-S', name]).catch(() => '');

/** GET through a node's address (the routing mesh); the body, or throws. */
async function get(node: string, port: number): Promise<string> {
  const res = await fetch(`http://10.250.0.${10 + Number(node.slice(2))}:${port}/`, { signal: AbortSignal.timeout(3_000) });
  if (!res.ok) throw new Error(`GET ${node}:${port} answered ${res.status}`);
  return (await res.text()).trim();
}

/** Runs a shell command in a task's container on its node's engine; stdout, or throws. */
async function sh(task: Task, script: string): Promise<string> {
  const sock = `unix:///run/stackd-${task.spec.nodeName}.sock`;
  return (await promisify(execFile)('docker', ['-H', sock, 'exec', task.status!.containerId!, 'sh', '-c', script], { timeout: 30_000 })).stdout.trim();
}

async function vniOf(cluster: Cluster, network: string): Promise<number> {
  const vni = (await cluster.stackctlJson<{ name: string; vni: number | null }[]>(['network', 'ls'])).find((r) => r.name === network)?.vni;
  if (typeof vni !== 'number') throw new Error(`network ${network} has no VNI`);
  return vni;
}

async function running(cluster: Cluster, stack: string, service: string): Promise<Task> {
  return eventually(
    async () => {
      const [t] = await cluster.runningTasks(stack, service);
      return t?.status?.addresses && t;
    },
    `a running ${stack}_${service} task`,
    120_000,
    300,
  );
}

/** The web task's hostname answers from node N1 (which runs no web task): through the mesh, and
 *  by service name from the client on N1 (the overlay, the VIP and the node's resolver). */
async function answers(cluster: Cluster, stack: string, port: number): Promise<string> {
  const web = await running(cluster, stack, 'web');
  const client = await running(cluster, stack, 'client');
  const host = web.status!.containerId!.slice(0, 12);
  await eventually(async () => (await get(N1, port)) === host, `${stack}'s web through ${N1}:${port}`, 60_000, 300);
  await eventually(async () => (await sh(client, 'timeout 3 wget -qO- http://web/')) === host, `${stack}'s client on ${N1} to reach web by name`, 60_000, 300);
  return host;
}

describe('two clusters on the same hosts', () => {
  it('each has its own devices, chains and VNIs; both serve across nodes; one leaving takes only its own', async () => {
    expect(names.a.tag).not.toBe(names.b.tag);
    await a.deploy('alpha', stackFile(PORT.a), '--detach');
    await b.deploy('beta', stackFile(PORT.b), '--detach');
    await answers(a, 'alpha', PORT.a);
    const betaHost = await answers(b, 'beta', PORT.b);

    // each cluster's bridges and VXLAN devices carry its tag, with its own VNIs
    for (const node of NODES.map((n) => n.name)) {
      const devs = await links(node);
      for (const [c, n] of [
        [a, names.a],
        [b, names.b],
      ] as const) {
        for (const net of [n.ingressNetwork, c === a ? 'alpha_default' : 'beta_default']) {
          const vni = await vniOf(c, net);
          expect(devs).toContain(n.bridge(vni));
          expect(devs).toContain(`sdx${n.tag}${vni}`);
        }
      }
      expect(devs.filter((d) => /^sd(vx|br)\d/.test(d))).toEqual([]);
      // the mesh's chains, each with its own ports and comments only
      const natA = await chain(node, 'nat', names.a.chains.ingress);
      const natB = await chain(node, 'nat', names.b.chains.ingress);
      expect(natA).toContain(`--comment "stackd ${names.a.tag} ingress alpha_web ${PORT.a}/tcp"`);
      expect(natA).not.toContain(String(PORT.b));
      expect(natB).toContain(`--comment "stackd ${names.b.tag} ingress beta_web ${PORT.b}/tcp"`);
      expect(natB).not.toContain(String(PORT.a));
      for (const n of [names.a, names.b]) expect(await chain(node, 'nat', n.chains.dns)).toContain(`-i ${n.bridgePrefix}+`);
    }

    // a stack network of B's named like one of A's on the shared engine is refused, clearly
    await b.deploy('alpha', stackFile(PORT.b + 10), '--detach');
    const refused = await eventually(
      async () => (await b.tasks('alpha')).map((t) => t.status?.error ?? '').find((m) => m.includes('belongs to another stackd cluster')),
      "B's alpha refused on the engine A's alpha is on",
      60_000,
      500,
    );
    expect(refused).toContain(`network alpha_default on unix:///run/stackd-`);
    expect((await b.stackctl(['rm', 'alpha'])).code).toBe(0);
    await answers(a, 'alpha', PORT.a); // A's alpha was not touched

    // A's stack goes: its network's devices go with it (taken by A's agents), B's stay
    const alphaBridges = names.a.bridge(await vniOf(a, 'alpha_default'));
    expect((await a.stackctl(['rm', 'alpha'])).code).toBe(0);
    await eventually(async () => !(await links(N1)).includes(alphaBridges) && !(await links(N2)).includes(alphaBridges), "alpha's bridges to go", 60_000, 500);
    await eventually(
      async () => !(await links(N1)).includes(`sdx${alphaBridges.slice(3)}`) && !(await links(N2)).includes(`sdx${alphaBridges.slice(3)}`),
      "alpha's VXLAN devices to go",
      60_000,
      500,
    );
    // then A's agents and manager stop altogether: B's devices, chains and services carry on
    await Promise.all([...a.agents.values(), ...a.managers].map((d) => d.kill('SIGTERM')));
    for (const node of NODES.map((n) => n.name)) {
      expect((await links(node)).filter((d) => d.startsWith(`sdx${names.b.tag}`)).length).toBeGreaterThanOrEqual(2);
      expect(await chain(node, 'nat', names.b.chains.ingress)).toContain(`beta_web ${PORT.b}/tcp`);
    }
    expect(await answers(b, 'beta', PORT.b)).toBe(betaHost);
    await expect(get(N1, PORT.a)).rejects.toThrow();
    for (let i = 0; i < 10; i++) expect(await get(N1, PORT.b)).toBe(betaHost);
  });

  it('a third cluster whose ingress subnet overlaps one on the engines is told so, and what to do', async () => {
    // cluster-c6's tag (5c2b) starts its ingress /15 in A's block (11 of 32); A's bridges are
    // still on the engines (its agents stopped above leave them)
    c = await Cluster.start(NODES, [], { clusterNet: true, clusterId: 'cluster-c6', sharedNodes: true });
    await c.nodesReady(NODES.length);
    await c.deploy('gamma', stackFile(PORT.b + 1), '--detach');
    const why = await eventually(
      async () => (await c!.tasks('gamma')).map((t) => t.status?.error ?? '').find((m) => m.includes('overlaps a network already on')),
      "gamma's web rejected for the overlapping ingress subnet",
      90_000,
      500,
    );
    expect(why).toMatch(
      /^network stackd_ingress_5c2b: subnet 10\.150\.0\.0\/15 overlaps a network already on unix:\/\/\/run\/stackd-nt16[01]\.sock \(another stackd cluster's sharing this engine, or the engine's own\): the ingress network's subnet cannot be chosen: run this cluster's agents on other engines$/,
    );
    // its stack network is wired all the same: the client's node has its VXLAN device
    const gamma = `sdx5c2b${await vniOf(c, 'gamma_default')}`;
    await running(c, 'gamma', 'client');
    await eventually(async () => (await links(N1)).includes(gamma), `${gamma} on ${N1} though the ingress fails`, 30_000, 300);
    expect(await get(N1, PORT.b)).toBe((await running(b, 'beta', 'web')).status!.containerId!.slice(0, 12));
  });

  it('a cluster whose id would put its ingress there too runs beside them with a pool of its own (--default-addr-pool)', async () => {
    // cluster-d18's tag (53cb) is in A's ingress block of the default pool, as C's is
    d = await Cluster.start(NODES, ['--default-addr-pool', '10.60.0.0/16'], { clusterNet: true, clusterId: 'cluster-d18', sharedNodes: true });
    await d.nodesReady(NODES.length);
    await d.deploy('delta', stackFile(PORT.b + 2), '--detach');
    const host = await answers(d, 'delta', PORT.b + 2);
    const rows = await d.stackctlJson<{ name: string; subnet: string }[]>(['network', 'ls']);
    expect(Object.fromEntries(rows.map((r) => [r.name, r.subnet]))).toEqual({ stackd_ingress_53cb: '10.60.128.0/17', delta_default: '10.60.0.0/20' });
    expect(await get(N1, PORT.b + 2)).toBe(host);
    expect(await get(N1, PORT.b)).toBe((await running(b, 'beta', 'web')).status!.containerId!.slice(0, 12));
  });

  it("stackd leave takes A's chains, devices and engine networks off both hosts, and nothing of B's", async () => {
    for (const node of NODES.map((n) => n.name)) {
      const argv = [
        'bin/stackd.js',
        'leave',
        '--cluster-id',
        IDS.a,
        '--node-name',
        node,
        '--docker',
        `unix:///run/stackd-${node}.sock`,
        '--netns',
        `/var/run/netns/${node}`,
      ];
      const { stdout } = await promisify(execFile)(process.execPath, argv, { cwd: ROOT });
      expect(stdout).toMatch(
        new RegExp(
          `^cluster ${IDS.a} \\(tag 34ab\\) left /var/run/netns/${node}: chains STACKD-34AB-INGRESS STACKD-34AB-INGRESS-SNAT STACKD-34AB-INGRESS-FWD STACKD-34AB-DNS; devices sdx34ab\\d+( sdx34ab\\d+)*; networks stackd_ingress_34ab\n$`,
        ),
      );
      expect((await links(node)).filter((d) => d.includes('34ab'))).toEqual([]);
      const rules = `${await inNode(node, ['iptables', '-t', 'nat', '-S'])}${await inNode(node, ['iptables', '-S'])}`;
      expect(rules).not.toMatch(/34ab/i);
      expect(rules).toContain(`-A ${names.b.chains.ingress} -p tcp -m tcp --dport ${PORT.b}`);
      expect((await links(node)).filter((d) => d.startsWith(`sdx${names.b.tag}`)).length).toBeGreaterThanOrEqual(2);
    }
    expect(await answers(b, 'beta', PORT.b)).toBe((await running(b, 'beta', 'web')).status!.containerId!.slice(0, 12));
    await answers(d!, 'delta', PORT.b + 2);
  });
});
