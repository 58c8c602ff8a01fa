// Several nodes, one cluster: a dedicated etcd, three Docker hosts (hack/lib/nodes.sh, indices
// 31-33), an agent per node and a manager, all real processes of the built daemon; driven through
// stackctl as a user would, and checked against what each node's engine really runs.
import { jest } from '@jest/globals';
import type { Task } from '../../../src/api/objects.js';
import { Cluster, eventually, type NodeDef } from '../../helpers/cluster.js';

jest.setTimeout(120_000);

const NODES: NodeDef[] = [
  { name: 'mn1', index: 31, labels: { zone: 'east' } },
  { name: 'mn2', index: 32, labels: { zone: 'east' } },
  { name: 'mn3', index: 33, labels: { zone: 'west' } },
];
const zoneOf = (node: string | undefined) => NODES.find((n) => n.name === node)?.labels.zone;

interface TaskRow {
  name: string;
  node: string;
  desiredState: string;
  currentState: string;
  error: string;
}
interface NodeRow {
  name: string;
  status: string;
  availability: string;
  labels: Record<string, string>;
}

let cluster: Cluster;

beforeAll(async () => {
  cluster = await Cluster.start(NODES);
  console.log(`multinode: daemon logs in ${cluster.logDir}`);
  await cluster.nodesReady(NODES.length);
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
}, 120_000);

let stacks = 0;
/** A stack name no other run uses. */
const uniqueStack = (prefix: string) => `${prefix}${process.pid % 1000}${Date.now().toString(36).slice(-4)}${++stacks}`;

/** A workload that stops at once on SIGTERM (init: true), so moving tasks costs no grace period. */
function sleeper(deploy: object, extra: object = {}): object {
  return { image: 'stackd/busybox:latest', command: ['sleep', '3600'], init: true, stop_grace_period: '2s', deploy, ...extra };
}
/** YAML is a superset of JSON: the stack file is the object's JSON. */
const stackFile = (services: Record<string, object>) => JSON.stringify({ services });

const nodesOf = (tasks: Task[]) => tasks.map((t) => t.spec.nodeName).sort();

async function nodeUpdate(...args: string[]): Promise<void> {
  const res = await cluster.stackctl(['node', 'update', ...args]);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
}

async function removeStack(stack: string): Promise<void> {
  expect((await cluster.stackctl(['rm', stack])).code).toBe(0);
}

describe('a cluster of three nodes', () => {
  it('places tasks only on nodes satisfying the constraints; tasks nothing satisfies stay pending with the reason', async () => {
    const east = uniqueStack('east');
    await cluster.deploy(east, stackFile({ app: sleeper({ replicas: 4, placement: { constraints: ['node.labels.zone==east'] } }) }), '--timeout', '60s');
    const running = await cluster.runningTasks(east);
    expect(running).toHaveLength(4);
    expect(running.every((t) => zoneOf(t.spec.nodeName) === 'east')).toBe(true);
    const perNode = await cluster.containersPerNode(east);
    expect(perNode.mn3).toBe(0);
    expect(perNode.mn1 + perNode.mn2).toBe(4);

    const north = uniqueStack('north');
    await cluster.deploy(north, stackFile({ app: sleeper({ replicas: 2, placement: { constraints: ['node.labels.zone==north'] } }) }), '--detach');
    const rows = await eventually(
      async () => {
        const ps = await cluster.stackctlJson<TaskRow[]>(['ps', north]);
        return ps.length === 2 && ps.every((r) => r.error.startsWith('no suitable node')) && ps;
      },
      `the tasks of ${north} pending with a reason`,
      30_000,
      500,
    );
    for (const row of rows) {
      expect(row).toMatchObject({ node: '', desiredState: 'Running', currentState: 'Pending' });
      expect(row.error).toBe('no suitable node (constraint node.labels.zone==north: 0/3 nodes)');
    }
    expect(await cluster.containersPerNode(north)).toEqual({ mn1: 0, mn2: 0, mn3: 0 });
    await removeStack(east);
    await removeStack(north);
  });

  it('spreads replicas over the values of a node label', async () => {
    const stack = uniqueStack('spread');
    await cluster.deploy(stack, stackFile({ app: sleeper({ replicas: 4, placement: { preferences: [{ spread: 'node.labels.zone' }] } }) }), '--timeout', '60s');
    const zones = (await cluster.runningTasks(stack)).map((t) => zoneOf(t.spec.nodeName)).sort();
    // without the preference, fewest-tasks ranking would give each of the three nodes one or two
    expect(zones).toEqual(['east', 'east', 'west', 'west']);
    const perNode = await cluster.containersPerNode(stack);
    expect(perNode.mn3).toBe(2);
    await removeStack(stack);
  });

  it('runs a global service once per eligible node, following labels and drains', async () => {
    const stack = uniqueStack('global');
    await cluster.deploy(
      stack,
      stackFile({
        everywhere: sleeper({ mode: 'global' }),
        gpu: sleeper({ mode: 'global', placement: { constraints: ['node.labels.gpu==yes'] } }),
      }),
      '--timeout',
      '60s',
    );
    expect(nodesOf(await cluster.runningTasks(stack, 'everywhere'))).toEqual(['mn1', 'mn2', 'mn3']);
    expect(await cluster.runningTasks(stack, 'gpu')).toHaveLength(0);
    expect(await cluster.containersPerNode(stack)).toEqual({ mn1: 1, mn2: 1, mn3: 1 });

    await nodeUpdate('--label-add', 'gpu=yes', 'mn2');
    await eventually(async () => nodesOf(await cluster.runningTasks(stack, 'gpu')).join() === 'mn2', 'the gpu task on mn2');
    expect(await cluster.containersPerNode(stack)).toEqual({ mn1: 1, mn2: 2, mn3: 1 });

    await nodeUpdate('--availability', 'drain', 'mn1');
    await eventually(async () => (await cluster.containersOn('mn1', stack)) === 0, 'the global task on mn1 to stop');
    expect(nodesOf(await cluster.runningTasks(stack, 'everywhere'))).toEqual(['mn2', 'mn3']);

    await nodeUpdate('--availability', 'active', 'mn1');
    await eventually(async () => nodesOf(await cluster.runningTasks(stack, 'everywhere')).join() === 'mn1,mn2,mn3', 'a global task on mn1 again');
    expect(await cluster.containersPerNode(stack)).toEqual({ mn1: 1, mn2: 2, mn3: 1 });
    await nodeUpdate('--label-rm', 'gpu', 'mn2');
    await removeStack(stack);
  });

  it('drain moves replicated tasks off a node; active lets new ones come back', async () => {
    const stack = uniqueStack('drain');
    await cluster.deploy(stack, stackFile({ app: sleeper({ replicas: 3 }) }), '--timeout', '60s');
    const before = await cluster.runningTasks(stack);
    const onMn1 = before.filter((t) => t.spec.nodeName === 'mn1').map((t) => t.metadata.name);
    expect(onMn1.length).toBeGreaterThan(0); // fewest tasks of the service first: one per node
    expect(await cluster.containersOn('mn1', stack)).toBe(onMn1.length);

    await nodeUpdate('--availability', 'drain', 'mn1');
    await eventually(async () => {
      const running = await cluster.runningTasks(stack);
      return running.length === 3 && running.every((t) => t.spec.nodeName !== 'mn1') && (await cluster.containersOn('mn1', stack)) === 0;
    }, 'three tasks running off mn1');
    const perNode = await cluster.containersPerNode(stack);
    expect(perNode).toMatchObject({ mn1: 0 });
    expect(perNode.mn2 + perNode.mn3).toBe(3);
    const drained = (await cluster.tasks(stack)).filter((t) => onMn1.includes(t.metadata.name));
    expect(drained.map((t) => [t.spec.desiredState, t.status?.state])).toEqual(onMn1.map(() => ['shutdown', 'shutdown']));

    await nodeUpdate('--availability', 'active', 'mn1');
    expect((await cluster.stackctl(['service', 'scale', `${stack}_app=5`])).code).toBe(0);
    await eventually(async () => (await cluster.runningTasks(stack)).length === 5, 'five tasks running');
    expect(await cluster.containersOn('mn1', stack)).toBeGreaterThan(0);
    await removeStack(stack);
  });

  it('replaces the tasks of a node whose agent died; the node cleans up when its agent returns', async () => {
    const stack = uniqueStack('loss');
    await cluster.deploy(stack, stackFile({ app: sleeper({ replicas: 3 }) }), '--timeout', '60s');
    const initial = await cluster.runningTasks(stack);
    const before = new Set(initial.map((t) => t.metadata.name));
    const lost = initial.filter((t) => t.spec.nodeName === 'mn3').map((t) => t.metadata.name);
    expect(lost.length).toBeGreaterThan(0);

    const killedAt = Date.now();
    await cluster.agents.get('mn3')!.kill('SIGKILL');
    await eventually(async () => (await cluster.stackctlJson<NodeRow[]>(['node', 'ls'])).find((n) => n.name === 'mn3')?.status === 'Down', 'mn3 Down', 30_000, 500);
    const replacements = await eventually(async () => {
      const running = await cluster.runningTasks(stack);
      return running.length === 3 && running.every((t) => t.spec.nodeName !== 'mn3') && running;
    }, 'three tasks running off mn3');
    const fresh = replacements.filter((t) => !before.has(t.metadata.name));
    expect(fresh).toHaveLength(lost.length);
    const orphans = (await cluster.tasks(stack)).filter((t) => lost.includes(t.metadata.name));
    expect(orphans.map((t) => [t.spec.desiredState, t.status?.state])).toEqual(lost.map(() => ['shutdown', 'orphaned']));
    const seconds = Math.max(...fresh.map((t) => Date.parse(t.status!.timestamp) - killedAt)) / 1000;
    console.log(`multinode: agent of mn3 killed; its ${lost.length} task(s) running elsewhere ${seconds.toFixed(1)} s later (target 10 s)`);
    const perNode = await cluster.containersPerNode(stack);
    expect(perNode.mn1 + perNode.mn2).toBe(3);
    expect(perNode.mn3).toBe(lost.length); // the engine outlives its agent: the stale containers still run

    cluster.startAgent('mn3');
    await eventually(
      async () => (await cluster.stackctlJson<NodeRow[]>(['node', 'ls'])).find((n) => n.name === 'mn3')?.status === 'Ready',
      'mn3 Ready',
      30_000,
      500,
    );
    await eventually(async () => (await cluster.containersOn('mn3', stack)) === 0, 'the stale containers on mn3 to stop');
    expect(await cluster.runningTasks(stack)).toHaveLength(3);
    await removeStack(stack);
  });

  it('a new manager takes over from a killed one and carries out a scale', async () => {
    const stack = uniqueStack('failover');
    await cluster.deploy(stack, stackFile({ app: sleeper({ replicas: 2 }) }), '--timeout', '60s');
    const old = cluster.manager;
    const killedAt = Date.now();
    await old.kill('SIGKILL');
    const next = cluster.startManager();
    expect((await cluster.stackctl(['service', 'scale', `${stack}_app=4`])).code).toBe(0);
    await eventually(async () => (await cluster.runningTasks(stack)).length === 4, 'four tasks running under the new manager', 60_000);
    console.log(`multinode: manager killed; the scale to 4 was carried out ${((Date.now() - killedAt) / 1000).toFixed(1)} s later`);
    expect(old.alive).toBe(false);
    expect(next.log()).toContain(`-${next.child.pid} is the leader`);
    const perNode = await cluster.containersPerNode(stack);
    expect(perNode.mn1 + perNode.mn2 + perNode.mn3).toBe(4);
    await removeStack(stack);
  });

  it('services of one stack reach each other by name on a node', async () => {
    const stack = uniqueStack('names');
    const onMn2 = { placement: { constraints: ['node.hostname==mn2'] } };
    const serve = 'mkdir -p /www && echo hello from server > /www/index.html && exec serve-httpd';
    // a one-shot client: retries while the server starts, exits 0 once it got an answer
    // (timeout(1), not wget -T, which crashes in this busybox)
    const fetch = 'for i in $$(seq 1 30); do timeout 3 wget -qO- http://server/ && exit 0; sleep 0.3; done; exit 1';
    await cluster.deploy(
      stack,
      stackFile({
        server: sleeper({ replicas: 1, ...onMn2 }, { command: ['sh', '-c', serve] }),
        client: sleeper({ replicas: 1, restart_policy: { condition: 'none' }, ...onMn2 }, { command: ['sh', '-c', fetch] }),
      }),
      '--detach',
    );
    const client = await eventually(
      async () => {
        const t = (await cluster.tasks(stack)).find((task) => task.spec.service === 'client');
        return t && ['complete', 'failed', 'rejected'].includes(t.status?.state ?? '') && t;
      },
      'the client task to end',
      60_000,
    );
    expect(client.spec.nodeName).toBe('mn2');
    const logs = await cluster.stackctl(['service', 'logs', `${stack}_client`]);
    expect(logs.stdout + logs.stderr).toContain('hello from server'); // or what wget said
    expect(client.status).toMatchObject({ state: 'complete', exitCode: 0 });
    await removeStack(stack);
  });
});
