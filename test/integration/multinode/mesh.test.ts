// The routing mesh on three nodes (hack/lib/nodes.sh indices 140-142, agents with --netns): the
// accounts example with web, api and mysql on three different nodes answers on every node's port;
// api's replicas all answer through a node that runs none; a killed task leaves at once; `mode:
// host` binds on one node only; a port another stack owns is refused; an agent restart keeps the
// mesh; removing the stack removes its rules. One deployment serves most assertions (the CI budget).
import { jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getObject } from '../../../src/client/objects.js';
import { ROOT } from '../../helpers/cli.js';
import type { ClusterNames } from '../../../src/net/host-names.js';
import { Cluster, eventually, type NodeDef } from '../../helpers/cluster.js';

jest.setTimeout(240_000);

const NODES: NodeDef[] = [
  { name: 'ms140', index: 140, labels: {} },
  { name: 'ms141', index: 141, labels: {} },
  { name: 'ms142', index: 142, labels: {} },
];
const [N1, N2, N3] = NODES.map((n) => n.name);
const stack = `mesh${process.pid % 1000}`;
let cluster: Cluster;
let names: ClusterNames;

beforeAll(async () => {
  cluster = await Cluster.start(NODES, [], { clusterNet: true });
  names = await cluster.hostNames();
  console.log(`mesh: daemon logs in ${cluster.logDir}`);
  await cluster.nodesReady(NODES.length);
}, 240_000);

afterAll(async () => {
  await cluster?.stop();
}, 120_000);

/** GET through a node's address; the body, or throws. */
async function get(node: string, port: number): Promise<string> {
  const res = await fetch(`http://${cluster.address(node)}:${port}/`, { signal: AbortSignal.timeout(3_000) });
  if (!res.ok) throw new Error(`GET ${node}:${port} answered ${res.status}`);
  return res.text();
}
const refused = (node: string, port: number) =>
  get(node, port).then(
    () => false,
    () => true,
  );

/** Runs a command in a node's network namespace. */
async function inNode(node: string, argv: string[]): Promise<string> {
  return (await promisify(execFile)('nsenter', [`--net=/var/run/netns/${node}`, '--', ...argv])).stdout;
}
const meshRules = (node: string) => inNode(node, ['iptables', '-t', 'nat', '-S', names.chains.ingress]);

/** The accounts example with overrides (a second stack file, merged), deployed with stackctl. */
async function deployAccounts(override: object, ...flags: string[]) {
  const file = join(cluster.logDir, `${stack}-override.json`);
  writeFileSync(file, JSON.stringify(override));
  return cluster.stackctl(['deploy', '-c', join(ROOT, 'manifests/accounts/stack.yaml'), '-c', file, ...flags, stack]);
}
const on = (node: string) => ({ deploy: { placement: { constraints: [`node.hostname==${node}`] } } });

describe('routing mesh on three nodes', () => {
  it('accounts on three nodes answers on every node; api replicas all answer through a node with none; a killed task leaves', async () => {
    const res = await deployAccounts({ services: { web: on(N1), api: on(N2), mysql: on(N3) } }, '--detach');
    expect(res.code).toBe(0);
    // every node's 8080, including the two that run no web task, serves the page with both tiers
    for (const node of [N1, N2, N3]) {
      const page = await eventually(
        async () => {
          const text = await get(node, 8080);
          return text.includes('"answers":true') && text;
        },
        `the page on ${node}:8080 with the db answering`,
        120_000,
        500,
      );
      expect(page).toContain('api tier (http://api/): ok');
    }
    // the rules are stackd's, labelled with the service
    expect(await meshRules(N3)).toContain(`--comment "${names.comment} ingress ${stack}_web 8080/tcp"`);

    // api: 3 replicas on two nodes, all publishing 8081 in ingress mode (the scheduler lets them)
    expect(
      (await deployAccounts({ services: { web: on(N1), api: { deploy: { replicas: 3, placement: { constraints: [`node.hostname!=${N1}`] } } }, mysql: on(N3) } }))
        .code,
    ).toBe(0);
    const hostnames = async (n: number) => {
      const seen: string[] = [];
      for (let i = 0; i < n; i++) seen.push((JSON.parse(await get(N1, 8081)) as { hostname: string }).hostname);
      return seen;
    };
    // deploy waited for the rollout (the first api task is replaced: its constraint changed); the
    // three running tasks all answer, every replica through ms140, which runs none
    const { api, through } = await eventually(
      async () => {
        const ts = await cluster.runningTasks(stack, 'api');
        if (ts.length !== 3 || !ts.every((t) => t.status?.addresses?.[names.ingressNetwork])) return false;
        const seen = new Set(await hostnames(30));
        const ids = ts.map((t) => t.status!.containerId!.slice(0, 12));
        return seen.size === 3 && ids.every((id) => seen.has(id)) && { api: ts, through: seen };
      },
      'the 3 running api tasks on the ingress network all answering through ms140',
      90_000,
      300,
    );
    expect(new Set(api.map((t) => t.spec.nodeName))).toEqual(new Set([N2, N3]));
    await eventually(
      async () => (await meshRules(N1)).match(new RegExp(`${names.comment} ingress \\S+_api 8081/tcp`, 'g'))?.length === 3,
      'three api backends in ms140 rules',
      30_000,
      300,
    );

    // a killed api task stops receiving requests (its replacement has another hostname)
    const victim = api.find((t) => t.spec.nodeName === N2)!;
    const victimHost = victim.status!.containerId!.slice(0, 12);
    expect(through).toContain(victimHost);
    await promisify(execFile)('docker', ['-H', `unix:///run/stackd-${N2}.sock`, 'kill', victim.status!.containerId!]);
    await eventually(
      async () => {
        const seen = await hostnames(15);
        return !seen.includes(victimHost);
      },
      'no request to reach the killed task',
      30_000,
      200,
    );
  });

  it('a port another stack owns is refused at deploy, nothing written; mode: host binds on its node only', async () => {
    const file = join(cluster.logDir, 'thief.yaml');
    writeFileSync(file, JSON.stringify({ services: { front: { image: 'stackd/busybox:latest', command: ['sleep', '60'], ports: ['8080:80'] } } }));
    const thief = await cluster.stackctl(['deploy', '-c', file, 'thief']);
    expect(thief.code).toBe(2);
    expect(thief.stderr.trim().split('\n')).toEqual([
      `stack thief: service front publishes port 8080/tcp (ingress), which stack ${stack} already owns (service ${stack}_web, ingress); pick another published port or remove that stack first`,
    ]);
    expect(await getObject(cluster.store, 'Stack', '', 'thief')).toBeUndefined();

    const www = (port: object) => ({
      image: 'stackd/busybox:latest',
      command: ['sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www'],
      init: true,
      ports: [port],
      ...on(N3),
    });
    const simple = { services: { h: www({ target: 80, published: 18090, mode: 'host' }), i: www({ target: 80, published: 18091 }) } };
    await cluster.deploy('simple', JSON.stringify(simple));
    expect(await eventually(() => get(N3, 18090), 'the host port on ms142', 30_000, 300)).toBeTruthy();
    expect(await refused(N1, 18090)).toBe(true);
    expect(await refused(N2, 18090)).toBe(true);
    await eventually(() => get(N1, 18091), 'the ingress port through ms140', 30_000, 300);
  });

  it('an agent restart keeps the mesh answering and adds no second jump', async () => {
    await cluster.agents.get(N1)!.kill('SIGKILL');
    try {
      expect(await get(N1, 18091)).toBeTruthy(); // the kernel's rules outlive the agent
    } finally {
      cluster.startAgent(N1);
    }
    await eventually(
      async () => (await cluster.stackctlJson<{ name: string; status: string }[]>(['node', 'ls'])).find((n) => n.name === N1)?.status === 'Ready',
      'ms140 Ready again',
      30_000,
      300,
    );
    for (let i = 0; i < 20; i++) expect(await get(N1, 18091)).toBeTruthy();
    const jumps = (await inNode(N1, ['iptables', '-t', 'nat', '-S', 'PREROUTING'])).split('\n').filter((l) => l.includes(names.chains.ingress));
    expect(jumps).toHaveLength(1);
  });

  it('removing the stack removes its rules on every node', async () => {
    expect((await cluster.stackctl(['rm', stack])).code).toBe(0);
    for (const node of [N1, N2, N3]) {
      await eventually(async () => !(await meshRules(node)).includes(stack), `${node}'s mesh rules of ${stack} to go`, 30_000, 300);
    }
    expect(await refused(N2, 8080)).toBe(true);
    expect((await cluster.stackctl(['rm', 'simple'])).code).toBe(0);
  });
});
