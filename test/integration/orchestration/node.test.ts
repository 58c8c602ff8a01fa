// The single node itself: `node ls`, a stackd restart that adopts its containers without
// restarting them, and drain / active.
import type { NodeRow } from '../../../src/views/rows.js';
import { eventually, idleCommand, SingleNode, slotRows } from '../../helpers/stackd.js';

const node = new SingleNode('orchnode');
beforeAll(() => node.start());
afterAll(() => node.cleanup());

const idleService = (replicas: number) => `services:
  app:
    image: stackd/busybox:latest
    command: ${idleCommand()}
    deploy:
      replicas: ${replicas}
      restart_policy: {delay: 1s}
`;

async function nodeRow(): Promise<NodeRow | undefined> {
  return (await node.json<NodeRow[]>(['node', 'ls'])).find((n) => n.name === node.nodeName);
}

it(
  'node ls shows the node Ready and Active, a manager with its engine version',
  node.logged(async () => {
    const table = await node.stackctl(['node', 'ls']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`^${node.nodeName}\\s+\\S+\\s+Ready\\s+Active\\s+manager\\s+\\d+\\.\\d+`, 'm'));
    expect(await nodeRow()).toMatchObject({ status: 'Ready', availability: 'Active', role: 'manager' });
  }),
);

it(
  'stackd stopped with SIGTERM and started again adopts the running containers: same ids, not restarted',
  node.logged(async () => {
    const stack = node.uniqueName('adopt');
    expect((await node.deploy(stack, idleService(2))).code).toBe(0);
    const before = await node.containers(stack, { running: true });
    expect(before).toHaveLength(2);
    const startedAt = async (id: string) => (await node.inspect(id)).State.StartedAt;
    const started = Object.fromEntries(await Promise.all(before.map(async (c) => [c.Id, await startedAt(c.Id)] as const)));
    const tasksBefore = (await node.ps(stack)).map((r) => [r.id, r.currentState]);

    await node.restart();
    // the new stackd is at work: it starts a third replica...
    expect((await node.stackctl(['service', 'scale', `${stack}_app=3`])).code).toBe(0);
    await eventually(async () => expect(await node.containers(stack, { running: true })).toHaveLength(3));

    // ...and the first two are the very same containers, never restarted, under the same tasks
    for (const c of before) {
      const now = await node.inspect(c.Id);
      expect([c.Id, now.State.Running, now.State.StartedAt, now.RestartCount]).toEqual([c.Id, true, started[c.Id], 0]);
    }
    const rows = await node.ps(stack);
    expect(rows.filter((r) => !r.name.endsWith('.3')).map((r) => [r.id, r.currentState])).toEqual(tasksBefore);
    expect(rows.map((r) => r.currentState)).toEqual(['Running', 'Running', 'Running']);
  }),
);

it(
  "drain: the node's tasks are shut down and their replacements stay pending, saying the node is drained; active: they run again",
  node.logged(async () => {
    const stack = node.uniqueName('drain');
    expect((await node.deploy(stack, idleService(1))).code).toBe(0);
    const [before] = await node.containers(stack, { running: true });
    const task = before.Labels['io.stackd.task'];

    expect((await node.stackctl(['node', 'update', '--availability', 'drain', node.nodeName])).code).toBe(0);
    expect(await nodeRow()).toMatchObject({ status: 'Ready', availability: 'Drain' });
    await eventually(async () => {
      const slot = slotRows(await node.ps(stack), stack, 'app', 1);
      expect(slot).toEqual([
        expect.objectContaining({ desiredState: 'Running', currentState: 'Pending', node: '', error: expect.stringMatching(/drained/) }),
        expect.objectContaining({ id: task, desiredState: 'Shutdown', currentState: 'Shutdown' }),
      ]);
      expect(await node.containers(stack, { running: true })).toEqual([]);
    });

    expect((await node.stackctl(['node', 'update', '--availability', 'active', node.nodeName])).code).toBe(0);
    await eventually(async () => {
      const [current] = slotRows(await node.ps(stack), stack, 'app', 1);
      expect(current).toMatchObject({ desiredState: 'Running', currentState: 'Running', node: node.nodeName });
      const running = await node.containers(stack, { running: true });
      expect(running.map((c) => c.Labels['io.stackd.task'])).toEqual([current.id]);
    });
  }),
);
