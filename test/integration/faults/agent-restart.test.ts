// An agent restart never touches running containers: killed (-9) and back after its heartbeat
// lease has lapsed, but within the node's grace, it adopts everything (same containers, never
// restarted, same tasks). Back after the grace, the tasks orphaned meanwhile have their containers
// removed and their replacements run. Real processes: etcd, a namespace node (index 41), agent and manager.
import { jest } from '@jest/globals';
import Dockerode from 'dockerode';
import { heartbeatKey } from '../../../src/api/keys.js';
import type { Task } from '../../../src/api/objects.js';
import { Cluster, eventually } from '../../helpers/cluster.js';

jest.setTimeout(180_000);

const NODE = 'fa41';
let cluster: Cluster;
const engine = new Dockerode({ socketPath: `/run/stackd-${NODE}.sock` });

beforeAll(async () => {
  // a long grace, so that a slow restart on a loaded machine still comes back within it
  cluster = await Cluster.start([{ name: NODE, index: 41, labels: {} }], ['--node-grace', '60']);
  await eventually(async () => (await cluster.store.get(heartbeatKey(NODE))) !== undefined, 'the agent registered', 60_000);
}, 180_000);
afterAll(() => cluster?.stop(), 120_000);

const stackFile = JSON.stringify({
  services: { app: { image: 'stackd/busybox:latest', command: ['sleep', '3600'], init: true, stop_grace_period: '2s', deploy: { replicas: 2 } } },
});

/** id → StartedAt of the stack's containers, in any state */
async function containers(stack: string): Promise<Record<string, string>> {
  const list = await engine.listContainers({ all: true, filters: { label: [`io.stackd.stack=${stack}`] } });
  const pairs = await Promise.all(list.map(async (c) => [c.Id, (await engine.getContainer(c.Id).inspect()).State.StartedAt] as const));
  return Object.fromEntries(pairs);
}

const taskStates = async (stack: string) => (await cluster.tasks(stack)).map((t: Task) => `${t.metadata.name} ${t.spec.desiredState} ${t.status?.state}`).sort();

/** kill -9 the agent and wait until its heartbeat lease has lapsed (the key is gone). */
async function killAgentUntilLeaseLapses(): Promise<void> {
  await cluster.agents.get(NODE)!.kill('SIGKILL');
  await eventually(async () => (await cluster.store.get(heartbeatKey(NODE))) === undefined, 'the heartbeat lease to lapse', 30_000);
}

async function restartAgent(): Promise<void> {
  const agent = cluster.startAgent(NODE);
  await eventually(() => agent.log().includes(`node ${NODE} registered`), 'the agent to register again', 30_000);
}

it('an agent killed and back within the grace adopts its containers: same ids, not restarted, same tasks', async () => {
  const stack = `faadopt${process.pid % 1000}`;
  await cluster.deploy(stack, stackFile, '--timeout', '90s');
  const before = await containers(stack);
  const tasksBefore = await taskStates(stack);
  expect(Object.keys(before)).toHaveLength(2);
  expect(tasksBefore.every((t) => t.endsWith('running running'))).toBe(true);

  await killAgentUntilLeaseLapses();
  await restartAgent();
  // the agent is at work again: a third replica starts...
  expect((await cluster.stackctl(['service', 'scale', `${stack}_app=3`])).code).toBe(0);
  await eventually(async () => (await cluster.runningTasks(stack)).length === 3, 'a third replica running', 60_000);
  // ...and the first two are the same containers, started once, under the same running tasks
  const after = await containers(stack);
  expect(Object.keys(after)).toHaveLength(3);
  for (const [id, startedAt] of Object.entries(before)) expect(after[id]).toBe(startedAt);
  expect((await taskStates(stack)).filter((t) => tasksBefore.includes(t))).toEqual(tasksBefore);
  expect(cluster.manager.log()).not.toContain(`node ${NODE} is down`);
  expect((await cluster.stackctl(['rm', stack])).code).toBe(0);
  await eventually(async () => Object.keys(await containers(stack)).length === 0, 'the stack removed', 60_000);
});

it("an agent back after the grace: its orphaned tasks' containers are removed, their replacements run", async () => {
  await cluster.manager.kill('SIGTERM');
  cluster.startManager(['--node-grace', '1']);
  const stack = `faorphan${process.pid % 1000}`;
  await cluster.deploy(stack, stackFile, '--timeout', '90s');
  const before = Object.keys(await containers(stack));
  expect(before).toHaveLength(2);

  await killAgentUntilLeaseLapses();
  await eventually(async () => (await cluster.tasks(stack)).filter((t) => t.status?.state === 'orphaned').length === 2, 'both tasks orphaned', 30_000);
  await restartAgent();
  await eventually(async () => (await cluster.runningTasks(stack)).length === 2, 'two replacements running', 90_000);
  await eventually(
    async () => {
      const now = Object.keys(await containers(stack));
      return now.length === 2 && now.every((id) => !before.includes(id));
    },
    "only the replacements' containers on the engine (the orphans' removed)",
    60_000,
  );
  expect((await cluster.stackctl(['rm', stack])).code).toBe(0);
});
