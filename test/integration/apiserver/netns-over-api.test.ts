// Cluster networking through the API: three agents with `stackd agent --server ... --netns`, each
// inside its namespace node (hack/lib/nodes.sh indices 180-182) whose network reaches no etcd. api
// on an180 and web on an181 reach each other by service name (DNS → VIP → the overlay), and web's
// published port answers on an182, which runs no task (the routing mesh). A node identity reads
// every node's allocations and tasks' addresses only through their network view, and still
// cannot write another node's objects nor any network's allocation.
import { jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Network, Task } from '../../../src/api/objects.js';
import { getObject } from '../../../src/client/objects.js';
import { api, serveApi, startApiAgent, type ApiClient } from '../../helpers/api.js';
import { Cluster, eventually, type NodeDef } from '../../helpers/cluster.js';

jest.setTimeout(300_000);

const NODES: NodeDef[] = [
  { name: 'an180', index: 180, labels: {} },
  { name: 'an181', index: 181, labels: {} },
  { name: 'an182', index: 182, labels: {} },
];
const [N1, N2, N3] = NODES.map((n) => n.name);
const BRIDGE = '10.250.0.1';
const STACK = `annet${process.pid % 1000}`;
const PORT = 8080;
const SECRET_ENV = 'only-for-an180-eyes';
let cluster: Cluster;
let server: string;
const identities = new Map<string, ApiClient>();

/** serves its hostname on port 80 */
const WEB = 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www';
const service = (node: string, extra: object = {}) => ({
  image: 'stackd/busybox:latest',
  command: ['sh', '-c', WEB],
  init: true,
  stop_grace_period: '1s',
  deploy: { placement: { constraints: [`node.hostname==${node}`] } },
  ...extra,
});

beforeAll(async () => {
  cluster = await Cluster.start(NODES, [], { agents: false, clusterNet: true });
  console.log(`netns-over-api: daemon logs in ${cluster.logDir}`);
  ({ server } = await serveApi(cluster, BRIDGE));
  for (const n of NODES) identities.set(n.name, await startApiAgent(cluster, server, n.name));
  await cluster.nodesReady(NODES.length);
}, 240_000);

afterAll(async () => {
  await cluster?.stop();
}, 120_000);

/** Runs a shell command in a task's container on its node's engine. */
async function sh(task: Task, script: string): Promise<string> {
  const sock = `unix:///run/stackd-${task.spec.nodeName}.sock`;
  const { stdout, stderr } = await promisify(execFile)('docker', ['-H', sock, 'exec', task.status!.containerId!, 'sh', '-c', script], { timeout: 30_000 });
  return stdout + stderr;
}

const runningOne = (svc: string) =>
  eventually(
    async () => {
      const [t] = await cluster.runningTasks(STACK, svc);
      return t?.status?.addresses && t;
    },
    `${STACK}_${svc} running with addresses`,
    120_000,
    300,
  );

async function get(node: string, port: number): Promise<string> {
  const res = await fetch(`http://${cluster.address(node)}:${port}/`, { signal: AbortSignal.timeout(3_000) });
  if (!res.ok) throw new Error(`GET ${node}:${port} answered ${res.status}`);
  return res.text();
}

test('agents over the API with --netns: services on two nodes reach each other by name, and the mesh answers on a node with no task', async () => {
  await cluster.deploy(
    STACK,
    JSON.stringify({
      services: {
        api: service(N1, { environment: { API_KEY: SECRET_ENV } }),
        web: service(N2, { ports: [`${PORT}:80`] }),
      },
    }),
    '--detach',
  );
  const [apiTask, webTask] = [await runningOne('api'), await runningOne('web')];
  const [apiHost, webHost] = [(await sh(apiTask, 'hostname')).trim(), (await sh(webTask, 'hostname')).trim()];
  const net = (await getObject<Network>(cluster.store, 'Network', STACK, 'default'))!.status!;
  // the name is the VIP (the node's resolver), and the VIP reaches the task on the other node
  const lookup = await eventually(async () => {
    const out = await sh(webTask, 'nslookup api');
    return out.includes(net.vips!.api) && out;
  }, 'api to resolve to its VIP from web on an181');
  expect(lookup).toContain(net.vips!.api);
  const fetchBy = (from: Task, name: string, want: string) =>
    eventually(
      async () => {
        const out = await sh(from, `timeout 3 wget -qO- http://${name}/`);
        return out.includes(want) && out;
      },
      `http://${name}/ from ${from.spec.nodeName}`,
      60_000,
      300,
    );
  expect(await fetchBy(webTask, 'api', apiHost)).toContain(apiHost);
  expect(await fetchBy(apiTask, `${STACK}_web`, webHost)).toContain(webHost);
  // the routing mesh: an182 runs nothing of the stack and still answers web's port
  expect(await cluster.containersOn(N3, STACK)).toBe(0);
  const page = await eventually(() => get(N3, PORT).catch(() => undefined), `${N3}:${PORT} to answer`, 60_000, 500);
  expect(page.trim()).toBe(webHost);
  for (const n of NODES) expect(cluster.agents.get(n.name)!.log()).not.toMatch(/forbidden/i);
});

test("a node identity reads every node's allocations and addresses, not their templates, and writes none of them", async () => {
  const node3 = identities.get(N3)!;
  const base = '/apis/stackd.io/v1';
  // allocations and overlay addresses are not secret: every node's slot, VIPs, tasks' addresses
  const nets = await api(node3, 'GET', `${base}/namespaces/${STACK}/networks`);
  expect(nets.status).toBe(200);
  expect(Object.keys(nets.body.items[0].status.nodes).sort()).toEqual(expect.arrayContaining([N1, N2]));
  const tasks = await api(node3, 'GET', `${base}/tasks`);
  expect(tasks.status).toBe(200);
  const apiTask = tasks.body.items.find((t: Task) => t.metadata.namespace === STACK && t.spec.service === 'api' && t.status?.state === 'running');
  expect(apiTask.spec).toEqual({ stack: STACK, service: 'api', slot: 1, nodeName: N1, desiredState: 'running' });
  expect(apiTask.status.addresses[`${STACK}_default`]).toMatch(/^10\./);
  const nodes = await api(node3, 'GET', `${base}/nodes`);
  expect(nodes.body.items.find((n: { metadata: { name: string } }) => n.metadata.name === N1).status).toEqual({
    state: 'ready',
    hostname: N1,
    address: cluster.address(N1),
    mesh: true,
  });
  // no template, no environment, through any of these lists, nor a field selector probing them
  const services = await api(node3, 'GET', `${base}/services`);
  expect(services.status).toBe(200);
  expect(JSON.stringify([services.body, tasks.body, (await api(node3, 'GET', `${base}/stacks`)).body])).not.toContain(SECRET_ENV);
  const probe = await api(node3, 'GET', `${base}/tasks?fieldSelector=${encodeURIComponent(`spec.template.environment.API_KEY=${SECRET_ENV}`)}`);
  expect(probe.body.items).toEqual([]);
  expect((await api(node3, 'GET', `${base}/namespaces/${STACK}/tasks/${apiTask.metadata.name}`)).status).toBe(403);
  expect((await api(node3, 'GET', `${base}/namespaces/${STACK}/services/api`)).status).toBe(403);

  // writes: only its own Node's status (and its tasks'); never another node's, nor an allocation
  const netName = nets.body.items[0].metadata.name;
  const netObj = (await api(identities.get(N1)!, 'GET', `${base}/namespaces/${STACK}/networks/${netName}`)).body;
  const writes: Array<[string, string, unknown]> = [
    ['PUT', `${base}/namespaces/${STACK}/networks/${netName}/status`, { ...netObj, status: { ...netObj.status, nodes: { [N3]: 0 } } }],
    ['PATCH', `${base}/namespaces/${STACK}/networks/${netName}/status`, { status: { nodes: { [N3]: 0 } } }],
    ['PATCH', `${base}/nodes/${N1}/status`, { status: { address: cluster.address(N3) } }],
    ['PATCH', `${base}/nodes/${N1}`, { metadata: { labels: { x: 'y' } } }],
    ['PATCH', `${base}/namespaces/${STACK}/tasks/${apiTask.metadata.name}/status`, { status: { addresses: {} } }],
  ];
  for (const [method, path, body] of writes) {
    const res = await api(node3, method, path, body, method === 'PATCH' ? { 'content-type': 'application/merge-patch+json' } : {});
    expect([path, res.status]).toEqual([path, 403]);
  }
  expect((await getObject<Network>(cluster.store, 'Network', STACK, netName))!.status!.nodes).toEqual(netObj.status.nodes);
});
