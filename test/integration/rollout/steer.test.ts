// Steering a rollout from the CLI: `rollout pause` stops replacing tasks and `rollout resume`
// finishes the update; `rollout history` lists the revisions and `rollout undo --to-revision`
// returns to one of them.
import type { Task } from '../../../src/api/objects.js';
import { eventually } from '../../helpers/stackd.js';
import { appStack, running, runningImages, serviceOf, tasksOf, useRolloutNode, V1, V2, V3 } from './helpers.js';

const rig = useRolloutNode('rollst');

async function ok(args: string[]): Promise<string> {
  const res = await rig.node.stackctl(args);
  if (res.code !== 0) throw new Error(`stackctl ${args.join(' ')} exited ${res.code}: ${res.stderr.trim()}`);
  return res.stdout;
}

const ids = (tasks: Task[], image: string) =>
  tasks
    .filter((t) => t.spec.template.image === image)
    .map((t) => t.metadata.name)
    .sort();

it(
  'rollout pause stops a slow update between batches; rollout resume finishes it',
  rig.node.logged(async () => {
    const stack = rig.node.uniqueName('pause');
    const deploy = 'replicas: 3\nupdate_config: {parallelism: 1, delay: 3s, monitor: 1s}';
    expect((await rig.node.deploy(stack, appStack(V1, deploy))).code).toBe(0);
    expect((await rig.node.deploy(stack, appStack(V2, deploy), '--detach')).code).toBe(0);

    await eventually(async () => expect(runningImages(await tasksOf(rig.store, stack))).toContain(V2), 20_000, 100);
    await ok(['rollout', 'pause', `${stack}_app`]);
    await eventually(async () => expect((await serviceOf(rig.store, stack)).status?.update?.state).toBe('paused'));
    // what was in flight when the pause came finishes; then nothing more is replaced
    const settled = await eventually(async () => {
      const tasks = await tasksOf(rig.store, stack);
      expect(running(tasks)).toHaveLength(3);
      return tasks;
    });
    const newTasks = ids(settled, V2);
    expect(runningImages(settled)).toContain(V1);
    await new Promise((r) => setTimeout(r, 6000)); // two delays: an unpaused rollout would have replaced another slot
    const later = await tasksOf(rig.store, stack);
    expect(ids(later, V2)).toEqual(newTasks);
    expect(runningImages(later)).toEqual(runningImages(settled));
    expect((await serviceOf(rig.store, stack)).status?.update).toMatchObject({ state: 'paused', pauseCause: { reason: 'PausedByUser' } });

    await ok(['rollout', 'resume', `${stack}_app`]);
    expect(await ok(['rollout', 'status', `${stack}_app`, '--timeout', '60s'])).toContain('rollout complete');
    const done = await tasksOf(rig.store, stack);
    expect(runningImages(done)).toEqual([V2, V2, V2]);
    expect((await serviceOf(rig.store, stack)).status?.update).toMatchObject({ state: 'completed', updated: 3 });
  }),
  60_000,
);

interface HistoryRow {
  revision: number;
  current: boolean;
  image: string;
  change: string;
}

it(
  'rollout history lists the revisions with what changed; rollout undo --to-revision 1 returns to the first image',
  rig.node.logged(async () => {
    const stack = rig.node.uniqueName('undo');
    const deploy = 'replicas: 2\nupdate_config: {parallelism: 0, monitor: 1s}';
    for (const image of [V1, V2, V3]) expect((await rig.node.deploy(stack, appStack(image, deploy))).code).toBe(0);

    const history = await rig.node.json<HistoryRow[]>(['rollout', 'history', `${stack}_app`]);
    expect(history.map((r) => [r.revision, r.current, r.image])).toEqual([
      [3, true, V3],
      [2, false, V2],
      [1, false, V1],
    ]);
    expect(history[0].change).toContain(`${V2} → ${V3}`);
    expect(history[1].change).toContain(`${V1} → ${V2}`);

    expect(await ok(['rollout', 'undo', `${stack}_app`, '--to-revision', '1'])).toContain('rolled back to revision 1');
    await ok(['rollout', 'status', `${stack}_app`, '--timeout', '60s']);
    expect(runningImages(await tasksOf(rig.store, stack))).toEqual([V1, V1]);
    expect((await serviceOf(rig.store, stack)).spec.template.image).toBe(V1);
    const after = await rig.node.json<HistoryRow[]>(['rollout', 'history', `${stack}_app`]);
    expect(after.find((r) => r.current)?.image).toBe(V1);
    expect(after.filter((r) => r.image === V1)).toHaveLength(1); // revision 1 moved to the top, not copied
  }),
);
