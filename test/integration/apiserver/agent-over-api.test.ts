// An agent that only knows the API: `stackd agent --server` runs inside namespace node ap211,
// whose network has no route to the etcd on the host's loopback; the manager serves the API on
// the node bridge's address. It converges the accounts example, keeps its node through a manager
// restart (its heartbeat Lease is acquired again), and its node goes down once it stops. A
// client-node informer sees a rollout's task changes in order.
import { jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CustomObjectsApi, KubeConfig, makeInformer, type KubernetesObject } from '@kubernetes/client-node';
import { TASK_STATE_ORDER, type Node, type Task } from '../../../src/api/objects.js';
import { getObject } from '../../../src/client/objects.js';

import { api, kubeconfigFrom, serveApi, startApiAgent, type ApiClient } from '../../helpers/api.js';
import { EXAMPLE, run } from '../../helpers/cli.js';
import { Cluster, eventually } from '../../helpers/cluster.js';

jest.setTimeout(300_000);

const NODE = 'ap211';
const STACK = 'apaccounts';
const BRIDGE = '10.250.0.1';
let cluster: Cluster;
let admin: ApiClient;
let managerArgs: string[];
let server: string;

const kubeconfigFor = (name: string, ...args: string[]) => kubeconfigFrom(cluster, name, ['kubeconfig', '--server', server, ...args]);

/** Whether a TCP connection from inside the node's network namespace gets through. */
async function reachableFromNode(host: string, port: number): Promise<string> {
  const script = `const s=require("net").connect(${port},"${host}");s.on("connect",()=>{console.log("connected");s.destroy()});s.on("error",(e)=>console.log(e.code));setTimeout(()=>{console.log("timeout");process.exit()},3000).unref()`;
  const { stdout } = await promisify(execFile)('nsenter', [`--net=/var/run/netns/${NODE}`, process.execPath, '-e', script]);
  return stdout.trim();
}

const nodeState = async () => (await getObject<Node>(cluster.store, 'Node', '', NODE))?.status?.state;

beforeAll(async () => {
  cluster = await Cluster.start([{ name: NODE, index: 211, labels: {} }], [], { agents: false });
  ({ server, managerArgs, admin } = await serveApi(cluster, BRIDGE));
  await startApiAgent(cluster, server, NODE);
});

afterAll(async () => {
  await cluster?.stop();
});

test('the node reaches the API but not etcd', async () => {
  const etcdPort = Number(cluster.etcd.endpoint.split(':').pop());
  expect(await reachableFromNode('127.0.0.1', etcdPort)).toBe('ECONNREFUSED');
  expect(await reachableFromNode(BRIDGE, etcdPort)).toBe('ECONNREFUSED');
  expect(await reachableFromNode(BRIDGE, Number(new URL(server).port))).toBe('connected');
});

test('an agent through the API converges the accounts example on its node', async () => {
  await eventually(async () => (await nodeState()) === 'ready', `node ${NODE} ready`, 60_000);
  const deploy = await cluster.stackctl(['deploy', '-d', '-c', join(EXAMPLE, 'stack.yaml'), STACK]);
  expect(deploy.code).toBe(0);
  await eventually(async () => (await cluster.runningTasks(STACK)).length === 3, 'web, api and mysql running', 180_000);
  expect(await cluster.containersOn(NODE, STACK)).toBe(3);
  // the secret reached the container through the API (its node's token, its task only)
  const agentLog = cluster.agents.get(NODE)!.log();
  expect(agentLog).not.toMatch(/forbidden/i);
});

test('a client-node informer sees a rollout of api in order', async () => {
  const kc = new KubeConfig();
  kc.loadFromFile(admin.file);
  const objects = kc.makeApiClient(CustomObjectsApi);
  const path = `/apis/stackd.io/v1/namespaces/${STACK}/tasks`;
  const informer = makeInformer<KubernetesObject>(kc, path, () =>
    objects.listNamespacedCustomObject({ group: 'stackd.io', version: 'v1', namespace: STACK, plural: 'tasks' }),
  );
  const seen: Array<{ type: string; task: Task }> = [];
  for (const type of ['add', 'update', 'delete'] as const) informer.on(type, (o) => seen.push({ type, task: o as unknown as Task }));
  let stopped = false;
  // client-node's informer stops on a watch error; start it again (never once the test stopped it)
  informer.on('error', () => setTimeout(() => void (stopped || informer.start()), 1000).unref());
  await informer.start();
  try {
    const old = (await cluster.runningTasks(STACK, 'api'))[0];
    const start = seen.length;
    const update = await cluster.stackctl(['service', 'update', '-d', '--env-add', 'ROLLOUT=2', `${STACK}_api`]);
    expect(update.code).toBe(0);
    const fresh = await eventually(
      () => seen.slice(start).find((e) => e.task.spec.service === 'api' && e.task.metadata.name !== old.metadata.name && e.task.status?.state === 'running'),
      'the new api task running in the informer',
      120_000,
    );
    const events = seen.slice(start);
    // delivered in the Store's order: resourceVersions only grow
    const rvs = events.map((e) => Number(e.task.metadata.resourceVersion));
    expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
    // each task's states only move forward (those a task passes through on its way to running are
    // written only if it stays in one a moment: agent/status-writer.ts)
    const order = (t: Task) => TASK_STATE_ORDER.indexOf(t.status?.state ?? 'new');
    for (const name of new Set(events.map((e) => e.task.metadata.name))) {
      const states = events.filter((e) => e.task.metadata.name === name).map((e) => order(e.task));
      expect(states).toEqual([...states].sort((a, b) => a - b));
    }
    // stop-first: the old task was told to shut down before the new one ran
    const stopAt = events.findIndex((e) => e.task.metadata.name === old.metadata.name && e.task.spec.desiredState !== 'running');
    const runAt = events.findIndex((e) => e.task.metadata.name === fresh.task.metadata.name && e.task.status?.state === 'running');
    expect(stopAt).toBeGreaterThanOrEqual(0);
    expect(stopAt).toBeLessThan(runAt);
  } finally {
    stopped = true;
    await informer.stop();
  }
});

test('the node keeps its heartbeat through a manager restart, and its token holds only its own lease', async () => {
  const node = await kubeconfigFor('node2', '--node', NODE);
  const other = await kubeconfigFor('other', '--node', 'ap212');
  const lease = `/apis/stackd.io/v1/leases/${NODE}`;
  expect((await api(other, 'GET', lease)).status).toBe(403);
  expect((await api(other, 'PATCH', lease, { spec: { holderIdentity: 'x' } }, { 'content-type': 'application/merge-patch+json' })).status).toBe(403);
  const held = await api(node, 'GET', lease);
  expect(held.status).toBe(200);
  // a second agent cannot take a held lease by creating it, nor renew one it does not hold
  expect((await api(node, 'PUT', lease, { metadata: { name: NODE }, spec: { holderIdentity: 'impostor', leaseDurationSeconds: 5 } })).status).toBe(409);
  expect((await api(node, 'PATCH', lease, { spec: { holderIdentity: 'impostor' } }, { 'content-type': 'application/merge-patch+json' })).status).toBe(409);

  await cluster.manager.kill('SIGTERM');
  cluster.startManager(managerArgs);
  await eventually(
    () =>
      api(admin, 'GET', '/version')
        .then((r) => r.status === 200 || undefined)
        .catch(() => undefined),
    'the restarted API server',
  );
  // the agent's next renewal is refused by the new server; it acquires the lease again
  await eventually(async () => {
    const now = await api(node, 'GET', lease);
    return now.status === 200 && Number(now.body.metadata.resourceVersion) > Number(held.body.metadata.resourceVersion);
  }, 'the lease acquired again through the restarted manager');
  await eventually(async () => (await nodeState()) === 'ready', `node ${NODE} ready`);
  // and it still runs what it is given
  await cluster.deploy('apsleep', 'services:\n  idle:\n    image: stackd/busybox:latest\n    command: ["sleep", "1000"]\n    init: true\n', '-d');
  await eventually(async () => (await cluster.runningTasks('apsleep')).length === 1, 'apsleep running', 120_000);
});

test('stackctl through the API (--kubeconfig, --server/--token): reads, scale, network create/rm and stack rm; a viewer is refused writes', async () => {
  const remote = (args: string[], env: Record<string, string> = {}) => run('stackctl', args, env);
  const ls = await remote(['ls'], { STACKD_KUBECONFIG: admin.file });
  expect(ls).toMatchObject({ code: 0 });
  expect(ls.stdout).toMatch(new RegExp(`^${STACK}\\s+3\\s`, 'm'));
  const caFile = join(cluster.logDir, 'admin-ca.crt');
  writeFileSync(caFile, admin.ca);
  const flags = ['--server', server, '--token', admin.token, '--certificate-authority', caFile];
  const services = await remote([...flags, 'services', STACK]);
  expect(services.stdout).toMatch(new RegExp(`${STACK}_api\\s+replicated\\s+1/1`));
  expect((await remote([...flags, 'ps', STACK])).stdout).toMatch(new RegExp(`${STACK}_mysql\\.1\\s.*${NODE}\\s+Running\\s+Running`));
  const inspect = await remote([...flags, 'service', 'inspect', `${STACK}_web`]);
  expect(JSON.parse(inspect.stdout)[0]).toMatchObject({ kind: 'Service', metadata: { name: 'web', namespace: STACK } });
  expect((await remote(['--kubeconfig', admin.file, 'service', 'scale', 'apsleep_idle=2'])).code).toBe(0);
  await eventually(async () => (await cluster.runningTasks('apsleep')).length === 2, 'apsleep scaled to 2 through the API', 120_000);
  // a viewer may read but not scale
  const viewer = await kubeconfigFor('viewer', '--role', 'viewer');
  const denied = await remote(['--kubeconfig', viewer.file, 'service', 'scale', 'apsleep_idle=3']);
  expect(denied.code).toBe(1);
  expect(denied.stderr).toMatch(/403 .*viewer may only get, list and watch/);
  // a cluster network is written through the API too (cli-writes-over-api.test.ts covers the rest)
  const net = await remote(['--kubeconfig', admin.file, 'network', 'create', 'apnet']);
  expect(net).toMatchObject({ code: 0 });
  expect(await getObject(cluster.store, 'Network', '', 'apnet')).toBeDefined();
  const netByViewer = await remote(['--kubeconfig', viewer.file, 'network', 'rm', 'apnet']);
  expect(netByViewer.code).toBe(1);
  expect(await getObject(cluster.store, 'Network', '', 'apnet')).toBeDefined();
  expect((await remote(['--kubeconfig', admin.file, 'network', 'rm', 'apnet'])).code).toBe(0);
  expect(await getObject(cluster.store, 'Network', '', 'apnet')).toBeUndefined();
  // rm is the server's removal of the stack
  const rm = await remote(['--kubeconfig', admin.file, 'rm', 'apsleep']);
  expect(rm).toMatchObject({ code: 0 });
  expect(await getObject(cluster.store, 'Stack', '', 'apsleep')).toBeUndefined();
  await eventually(async () => (await cluster.containersOn(NODE, 'apsleep')) === 0, 'the agent to remove apsleep', 60_000);
});

test('an agent that dies without a word: its node goes down when its Lease is not renewed', async () => {
  await cluster.agents.get(NODE)!.kill('SIGKILL');
  await eventually(async () => (await nodeState()) === 'down', `node ${NODE} down`, 60_000);
});
