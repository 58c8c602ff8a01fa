// Containers killed behind stackd's back: replaced per restart_policy, the ended task kept as
// history in `ps`, at most 5 finished tasks per slot.
import type { TaskRow } from '../../../src/views/rows.js';
import { eventually, idleCommand, SingleNode, slotRows } from '../../helpers/stackd.js';

const node = new SingleNode('orchrst');
beforeAll(() => node.start());
afterAll(() => node.cleanup());

const service = (name: string, restartPolicy: string) => `
  ${name}:
    image: stackd/busybox:latest
    command: ${idleCommand()}
    deploy:
      restart_policy: ${restartPolicy}`;

/** The one running container of a service, and the task it runs (from stackd's label). */
async function runningContainer(stack: string, svc: string, not: string[] = []): Promise<{ id: string; task: string }> {
  return eventually(async () => {
    const running = (await node.containers(stack, { service: svc, running: true })).filter((c) => !not.includes(c.Id));
    expect(running).toHaveLength(1);
    return { id: running[0].Id, task: running[0].Labels['io.stackd.task'] };
  });
}

it(
  'a killed container is replaced (condition any), its task kept as Failed history; with condition none nothing replaces it',
  node.logged(async () => {
    const stack = node.uniqueName('rst');
    const yaml = `services:${service('always', '{delay: 1s}')}${service('never', '{condition: none, delay: 1s}')}\n`;
    expect((await node.deploy(stack, yaml)).code).toBe(0);
    const always = await runningContainer(stack, 'always');
    const never = await runningContainer(stack, 'never');

    await Promise.all([node.docker.getContainer(always.id).kill(), node.docker.getContainer(never.id).kill()]);

    const replacement = await runningContainer(stack, 'always', [always.id]);
    expect(replacement.task).not.toBe(always.task);
    const rows = await eventually(async () => {
      const slot = slotRows(await node.ps(stack), stack, 'always', 1);
      expect(slot.map((r) => [r.id, r.currentState])).toEqual([
        [replacement.task, 'Running'],
        [always.task, 'Failed'],
      ]);
      return slot;
    });
    expect(rows[1]).toMatchObject({ desiredState: 'Shutdown', error: 'task: non-zero exit (137)' });

    // `never` would be replaced 1 s after its failure, as `always` was: look again 3 s after it
    const neverRows = async () => slotRows(await node.ps(stack), stack, 'never', 1).map((r) => [r.id, r.currentState, r.error]);
    const failed = [[never.task, 'Failed', 'task: non-zero exit (137)']];
    await eventually(async () => expect(await neverRows()).toEqual(failed));
    const [neverTask] = slotRows(await node.ps(stack), stack, 'never', 1);
    await new Promise((r) => setTimeout(r, Math.max(0, new Date(neverTask.since).getTime() + 3000 - Date.now())));
    expect(await neverRows()).toEqual(failed);
    expect(await node.containers(stack, { service: 'never', running: true })).toEqual([]);
  }),
);

it(
  'after 7 kills of one slot, ps keeps the running task and the 5 newest failed ones; the engine keeps no container of a deleted task',
  node.logged(async () => {
    const stack = node.uniqueName('hist');
    expect((await node.deploy(stack, `services:${service('flaky', '{delay: 1s}')}\n`)).code).toBe(0);
    const killed: string[] = [];
    const killedIds: string[] = [];
    for (let i = 0; i < 7; i++) {
      const c = await runningContainer(stack, 'flaky', killedIds);
      await node.docker.getContainer(c.id).kill();
      killed.push(c.task);
      killedIds.push(c.id);
    }
    const current = await runningContainer(stack, 'flaky', killedIds);

    let slot: TaskRow[] = [];
    await eventually(async () => {
      slot = slotRows(await node.ps(stack), stack, 'flaky', 1);
      expect(slot.map((r) => [r.id, r.currentState])).toEqual([
        [current.task, 'Running'],
        ...killed
          .slice(2)
          .reverse()
          .map((id) => [id, 'Failed']),
      ]);
    });
    expect(slot.filter((r) => r.currentState === 'Failed')).toHaveLength(5);
    const shown = new Set(slot.map((r) => r.id));
    await eventually(async () => {
      const tasksOnEngine = (await node.containers(stack, { service: 'flaky' })).map((c) => c.Labels['io.stackd.task']);
      expect(tasksOnEngine.filter((t) => !shown.has(t))).toEqual([]);
    });
  }),
  120_000, // seven rounds of kill, 1 s delay, replacement
);
