// Rolling an image update out on one node: batches of `parallelism` slots, start-first keeping
// every replica serving, and an identical redeploy that changes nothing. The Store is sampled
// every 100 ms while `stackctl deploy` waits for the rollout.
import type { Task } from '../../../src/api/objects.js';

import { appStack, running, runningImages, sampleTasks, serviceOf, tasksOf, useRolloutNode, V1, V2 } from './helpers.js';

const rig = useRolloutNode('rollb');

/** Slots 1..n whose current task is not up: no task of the slot both wanted and reported running. */
function slotsInFlight(tasks: Task[], n: number): number[] {
  const up = new Set(running(tasks).map((t) => t.spec.slot));
  return Array.from({ length: n }, (_, i) => i + 1).filter((slot) => !up.has(slot));
}

/** For each slot, how many tasks of `image` it has had (current and history). */
function tasksPerSlot(tasks: Task[], image: string): Record<number, number> {
  const out: Record<number, number> = {};
  for (const t of tasks.filter((t) => t.spec.template.image === image)) out[t.spec.slot!] = (out[t.spec.slot!] ?? 0) + 1;
  return out;
}

it(
  'an image update of 4 replicas with parallelism 2 replaces 2 slots at a time, and deploy exits 0 once all 4 run the new image',
  rig.node.logged(async () => {
    const stack = rig.node.uniqueName('batch');
    const deploy = 'replicas: 4\nupdate_config: {parallelism: 2, delay: 1s, monitor: 1s}';
    expect((await rig.node.deploy(stack, appStack(V1, deploy))).code).toBe(0);
    expect(runningImages(await tasksOf(rig.store, stack))).toEqual([V1, V1, V1, V1]);

    let most = 0;
    const probe = sampleTasks(rig.store, stack, (tasks) => {
      const inFlight = slotsInFlight(tasks, 4);
      most = Math.max(most, inFlight.length);
      if (inFlight.length > 2)
        throw new Error(
          `slots ${inFlight.join(', ')} replaced at once:\n${JSON.stringify(tasks.map((t) => [t.spec.slot, t.spec.template.image, t.spec.desiredState, t.status?.state]))}`,
        );
    });
    const res = await rig.node.deploy(stack, appStack(V2, deploy));
    await probe.stop();
    expect(res.code).toBe(0);
    expect(most).toBe(2); // a batch is two slots, not one

    const tasks = await tasksOf(rig.store, stack);
    expect(runningImages(tasks)).toEqual([V2, V2, V2, V2]);
    expect(tasksPerSlot(tasks, V2)).toEqual({ 1: 1, 2: 1, 3: 1, 4: 1 });
    expect((await serviceOf(rig.store, stack)).status?.update).toMatchObject({ state: 'completed', updated: 4, total: 4 });
  }),
);

it(
  'start-first: while the update rolls, the replicas wanted and running never drop below 3, and a new one runs beside the old one it replaces',
  rig.node.logged(async () => {
    const stack = rig.node.uniqueName('sfirst');
    const deploy = 'replicas: 3\nupdate_config: {parallelism: 1, order: start-first, monitor: 1s}';
    expect((await rig.node.deploy(stack, appStack(V1, deploy))).code).toBe(0);

    let fewest = Infinity;
    let most = 0;
    const probe = sampleTasks(rig.store, stack, (tasks) => {
      fewest = Math.min(fewest, running(tasks).length);
      // an old task told to stop still serves until its container has stopped
      most = Math.max(most, tasks.filter((t) => t.status?.state === 'running').length);
    });
    const res = await rig.node.deploy(stack, appStack(V2, deploy));
    await probe.stop();
    expect(res.code).toBe(0);
    expect(fewest).toBe(3);
    expect(most).toBeGreaterThan(3); // the new task ran beside the old one
    expect(runningImages(await tasksOf(rig.store, stack))).toEqual([V2, V2, V2]);
  }),
);

it(
  'an identical redeploy starts no rollout and adds no revision',
  rig.node.logged(async () => {
    const stack = rig.node.uniqueName('same');
    const deploy = 'replicas: 2\nupdate_config: {monitor: 1s}';
    expect((await rig.node.deploy(stack, appStack(V1, deploy))).code).toBe(0);
    expect((await rig.node.deploy(stack, appStack(V2, deploy))).code).toBe(0);
    const before = await serviceOf(rig.store, stack);
    const tasksBefore = (await tasksOf(rig.store, stack)).map((t) => t.metadata.name).sort();
    expect(before.status?.revisions?.map((r) => r.revision)).toEqual([2, 1]);

    expect((await rig.node.deploy(stack, appStack(V2, deploy))).code).toBe(0);
    const after = await serviceOf(rig.store, stack);
    expect(after.status?.revisions).toEqual(before.status?.revisions);
    expect(after.status?.update).toEqual(before.status?.update);
    expect(after.metadata.generation).toBe(before.metadata.generation);
    expect((await tasksOf(rig.store, stack)).map((t) => t.metadata.name).sort()).toEqual(tasksBefore);
  }),
);
