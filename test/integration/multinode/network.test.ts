// Cluster networking on three nodes (hack/lib/nodes.sh indices 60-62, agents with --netns):
// overlays across nodes, service VIPs and DNS, isolation between stacks, internal networks.
// Driven through stackctl, checked from inside the containers on each node's own engine.
import { jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Network, Task } from '../../../src/api/objects.js';
import { getObject } from '../../../src/client/objects.js';
import { nodeRange } from '../../../src/net/ipam.js';
import { Cluster, eventually, type NodeDef } from '../../helpers/cluster.js';

jest.setTimeout(180_000);

const NODES: NodeDef[] = [
  { name: 'nw1', index: 60, labels: {} },
  { name: 'nw2', index: 61, labels: {} },
  { name: 'nw3', index: 62, labels: {} },
];

let cluster: Cluster;

beforeAll(async () => {
  cluster = await Cluster.start(NODES, [], { clusterNet: true });
  console.log(`network: daemon logs in ${cluster.logDir}`);
  await cluster.nodesReady(NODES.length);
}, 240_000);

afterAll(async () => {
  await cluster?.stop();
}, 120_000);

let stacks = 0;
const uniqueStack = (prefix: string) => `${prefix}${process.pid % 1000}${Date.now().toString(36).slice(-4)}${++stacks}`;
const on = (node: string) => ({ placement: { constraints: [`node.hostname==${node}`] } });
/** serves its hostname on port 80 */
const WEB = 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www';
const web = (deploy: object) => ({ image: 'stackd/busybox:latest', command: ['sh', '-c', WEB], init: true, stop_grace_period: '1s', deploy });
const idle = (deploy: object, extra: object = {}) => ({
  image: 'stackd/busybox:latest',
  command: ['sleep', '3600'],
  init: true,
  stop_grace_period: '1s',
  deploy,
  ...extra,
});

/** Runs a shell command in a task's container on its node's engine. */
async function sh(task: Task, script: string): Promise<{ code: number; out: string }> {
  const sock = `unix:///run/stackd-${task.spec.nodeName}.sock`;
  try {
    const { stdout, stderr } = await promisify(execFile)('docker', ['-H', sock, 'exec', task.status!.containerId!, 'sh', '-c', script], { timeout: 30_000 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

async function running(stack: string, service: string, n: number): Promise<Task[]> {
  return eventually(
    async () => {
      const ts = await cluster.runningTasks(stack, service);
      return ts.length === n && ts.every((t) => t.status?.addresses) && ts;
    },
    `${n} running ${stack}_${service} task(s) with addresses`,
    90_000,
    300,
  );
}

const ip = (t: Task, net: string) => t.status!.addresses![net];
/** until the answer contains `want` (a task's rules and the resolver follow the Store within moments) */
const fetchUntil = (client: Task, url: string, want: string) =>
  eventually(
    async () => {
      const r = await sh(client, `timeout 3 wget -qO- ${url}`);
      return r.out.includes(want) && r.out;
    },
    `${url} from ${client.spec.nodeName} to answer ${want}`,
    30_000,
    300,
  );

describe('cluster networking on three nodes', () => {
  it('tasks on different nodes reach each other by IP, by service VIP and by tasks.NAME; stacks are apart', async () => {
    const stack = uniqueStack('ov');
    await cluster.deploy(
      stack,
      JSON.stringify({
        services: { api: web({ replicas: 2, ...on('nw2') }), solo: web({ replicas: 1, endpoint_mode: 'dnsrr', ...on('nw3') }), client: idle(on('nw1')) },
      }),
      '--detach',
    );
    const [client] = await running(stack, 'client', 1);
    const api = await running(stack, 'api', 2);
    const [solo] = await running(stack, 'solo', 1);
    const net = `${stack}_default`;
    const alloc = (await getObject<Network>(cluster.store, 'Network', stack, 'default'))!.status!;
    expect(alloc.subnet).toMatch(/^10\.\d+\.\d+\.0\/20$/);
    expect(Object.keys(alloc.nodes!).sort()).toEqual(['nw1', 'nw2', 'nw3']);
    expect(Object.keys(alloc.vips!).sort()).toEqual(['api', 'client']); // solo is dnsrr: no VIP
    const rows = await cluster.stackctlJson<{ name: string; subnet: string; nodes: number }[]>(['network', 'ls']);
    expect(rows.find((r) => r.name === net)).toMatchObject({ subnet: alloc.subnet, nodes: 3 });
    expect(rows.map((r) => r.name)).toContain((await cluster.hostNames()).ingressNetwork);
    const [detail] = JSON.parse((await cluster.stackctl(['network', 'inspect', net])).stdout) as { endpoints: Record<string, { vip: string; tasks: string[] }> }[];
    const [svc] = JSON.parse((await cluster.stackctl(['service', 'inspect', `${stack}_api`])).stdout) as { endpoint: object }[];
    expect(svc.endpoint).toEqual({ mode: 'vip', ports: [], virtualIPs: [{ network: net, addr: `${alloc.vips!.api}/20` }] });
    const [node2] = JSON.parse((await cluster.stackctl(['node', 'inspect', 'nw2'])).stdout) as {
      status: { address: string };
      overlay: { network: string; gateway: string }[];
    }[];
    expect(node2.status.address).toBe(cluster.address('nw2'));
    expect(node2.overlay.find((o) => o.network === net)?.gateway).toBe(nodeRange(alloc.subnet!, alloc.nodes!.nw2, alloc.chunkPrefix).gateway);
    expect(detail.endpoints.api).toEqual({ vip: alloc.vips!.api, tasks: api.map((t) => ip(t, net)).sort() });

    // by IP across nodes (nw1 → nw2, nw1 → nw3)
    const hostnames = await Promise.all(api.map((t) => sh(t, 'hostname')));
    expect(await fetchUntil(client, `http://${ip(api[0], net)}/`, hostnames[0].out.trim())).toBeTruthy();
    expect(await fetchUntil(client, `http://${ip(solo, net)}/`, (await sh(solo, 'hostname')).out.trim())).toBeTruthy();

    // the name resolves to the VIP, which reaches both replicas on the other node
    const lookup = await eventually(async () => {
      const r = await sh(client, 'nslookup api');
      return r.out.includes(alloc.vips!.api) && r.out;
    }, 'api to resolve to its VIP');
    expect(lookup).toContain(alloc.vips!.api);
    const seen = new Set<string>();
    await eventually(
      async () => {
        const r = await sh(client, `for i in $(seq 1 10); do timeout 3 wget -qO- http://${stack}_api/; done`);
        for (const h of r.out
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean))
          if (hostnames.some((x) => x.out.trim() === h)) seen.add(h);
        return seen.size === 2;
      },
      'both api replicas to answer through the VIP',
      30_000,
      300,
    );

    // tasks.api and dnsrr give the task addresses
    const tasksApi = await sh(client, 'nslookup tasks.api');
    for (const t of api) expect(tasksApi.out).toContain(ip(t, net));
    expect((await sh(client, 'nslookup solo')).out).toContain(ip(solo, net));

    // another stack reaches none of it, not even by IP
    const other = uniqueStack('iso');
    await cluster.deploy(other, JSON.stringify({ services: { probe: idle(on('nw1')) } }), '--detach');
    const [probe] = await running(other, 'probe', 1);
    expect((await sh(probe, `timeout 3 wget -qO- http://${ip(api[0], net)}/`)).code).not.toBe(0);
    expect((await sh(probe, 'nslookup api')).out).not.toContain(alloc.vips!.api);
    const otherAlloc = (await getObject<Network>(cluster.store, 'Network', other, 'default'))!.status!;
    expect(otherAlloc.subnet).not.toBe(alloc.subnet);
    expect((await cluster.stackctl(['rm', other])).code).toBe(0);

    // a task that is stopped leaves the VIP's backends: every answer then comes from the one left
    expect((await cluster.stackctl(['service', 'scale', `${stack}_api=1`])).code).toBe(0);
    const [left] = await running(stack, 'api', 1);
    const leftName = (await sh(left, 'hostname')).out.trim();
    await eventually(
      async () => {
        const r = await sh(client, `for i in $(seq 1 8); do timeout 3 wget -qO- http://api/; done`);
        const names = r.out
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean);
        return names.length === 8 && names.every((n) => n === leftName);
      },
      'every request to go to the replica left',
      30_000,
      300,
    );
    expect((await cluster.stackctl(['rm', stack])).code).toBe(0);
  });

  it('an internal network has no way out, across nodes it still works', async () => {
    const stack = uniqueStack('int');
    await cluster.deploy(
      stack,
      JSON.stringify({
        services: { db: web({ replicas: 1, ...on('nw3') }), app: idle(on('nw2')) },
        networks: { default: { internal: true } },
      }),
      '--detach',
    );
    const [app] = await running(stack, 'app', 1);
    const [db] = await running(stack, 'db', 1);
    expect(await fetchUntil(app, 'http://db/', (await sh(db, 'hostname')).out.trim())).toBeTruthy();
    // the root namespace (10.250.0.1) is reachable from every node, but not from this network
    const out = await sh(app, 'timeout 3 ping -c 1 -W 2 10.250.0.1');
    expect(out.code).not.toBe(0);
    expect((await cluster.stackctl(['rm', stack])).code).toBe(0);
  });
});
