// Updates that fail roll back on their own (failure_action: rollback): an image that does not
// exist, a healthcheck that fails once updated, tasks that cannot be scheduled before the
// progress deadline. `stackctl deploy` exits non-zero saying so; the old revision runs again.
import { eventually } from '../../helpers/stackd.js';
import { appStack, runningImages, serviceOf, tasksOf, useRolloutNode, V1, V2 } from './helpers.js';

const rig = useRolloutNode('rollrb');

const rollback = 'update_config: {parallelism: 2, monitor: 2s, failure_action: rollback}\nrollback_config: {parallelism: 0, monitor: 1s}';

/** Deploys v1 (must converge), then `next`; returns the second deploy's result. */
async function update(stack: string, v1: string, next: string) {
  expect((await rig.node.deploy(stack, v1)).code).toBe(0);
  return rig.node.deploy(stack, next);
}

/** The service runs `replicas` tasks of image V1 again, its spec back to v1's template, the rollback complete. */
async function expectRolledBack(stack: string, replicas: number): Promise<void> {
  await eventually(async () => {
    expect(runningImages(await tasksOf(rig.store, stack))).toEqual(Array(replicas).fill(V1));
    const svc = await serviceOf(rig.store, stack);
    expect(svc.spec.template.image).toBe(V1);
    expect(svc.status?.update?.state).toBe('rollback_completed');
  }, 30_000);
}

it(
  'an image that does not exist: deploy exits non-zero naming the rollback, and 4 tasks of the old image run',
  rig.node.logged(async () => {
    const stack = rig.node.uniqueName('badimg');
    const res = await update(stack, appStack(V1, `replicas: 4\n${rollback}`), appStack('stackd/busybox:nope', `replicas: 4\n${rollback}`));
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain(`${stack}_app: update rolled back`);
    await expectRolledBack(stack, 4);
    expect((await serviceOf(rig.store, stack)).status?.update?.rollbackCause).toMatchObject({ reason: 'TaskFailed' });
  }),
);

it(
  'a healthcheck that fails in the new version rolls the update back',
  rig.node.logged(async () => {
    const stack = rig.node.uniqueName('unhealthy');
    const sick = 'healthcheck: {test: ["CMD", "false"], interval: 1s, timeout: 1s, retries: 1}';
    const res = await update(stack, appStack(V1, `replicas: 2\n${rollback}`), appStack(V2, `replicas: 2\n${rollback}`, sick));
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain(`${stack}_app: update rolled back`);
    await expectRolledBack(stack, 2);
    expect((await serviceOf(rig.store, stack)).spec.template.healthcheck).toBeUndefined();
  }),
);

it(
  'a new version that cannot be scheduled rolls back at its progress deadline',
  rig.node.logged(async () => {
    const stack = rig.node.uniqueName('nowhere');
    const nowhere = `replicas: 2\n${rollback}\nplacement: {constraints: ["node.labels.rollout-test == nowhere"]}`;
    const res = await update(stack, appStack(V1, `replicas: 2\n${rollback}`), appStack(V2, nowhere, 'x-stackd: {progress_deadline: 5s}'));
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain(`${stack}_app: update rolled back`);
    await expectRolledBack(stack, 2);
    expect((await serviceOf(rig.store, stack)).status?.update?.rollbackCause).toMatchObject({ reason: 'ProgressDeadlineExceeded' });
  }),
);
