// Rollouts walked to their end through planService, a scheduler and a fake agent (update-sim.ts).
import type { Service } from '../../../src/api/objects.js';
import type { ServicePlan } from '../../../src/orchestrator/plan-service.js';
import { PAUSED_ANNOTATION, RESUME_ANNOTATION } from '../../../src/orchestrator/update-state.js';
import type { UpdateConfigSpec } from '../../../src/stackfile/types.js';
import { counter, node, service, T0 } from './fixtures.js';
import { advance, currentImages, plan, runningCount, step, write, type Behaviour, type World } from './update-sim.js';

const config = (c: Partial<UpdateConfigSpec> = {}): UpdateConfigSpec => ({
  parallelism: 1,
  delay: '0s',
  failure_action: 'pause',
  monitor: '2s',
  max_failure_ratio: 0,
  order: 'stop-first',
  ...c,
});

/** A world where `replicas` tasks of app:1 run, then the spec changes to `image` (a deploy). */
function deployed(
  replicas: number,
  image: string,
  update: Partial<UpdateConfigSpec> = {},
  o: { rollback?: Partial<UpdateConfigSpec>; images?: Record<string, Behaviour>; deadline?: string; constraints?: string[] } = {},
): World {
  const deploy = { replicas, update_config: config(update), rollback_config: config(o.rollback) };
  const v1 = service('web', { deploy, 'x-stackd': { progress_deadline: o.deadline ?? '10m' } });
  const world: World = { service: v1, tasks: [], nodes: [node('a'), node('b')], now: T0, ids: counter('t'), images: o.images ?? {} };
  for (let i = 0; i < 3; i++) step(world);
  expect(runningCount(world)).toBe(replicas);
  const template = v1.spec.template;
  const placement = { ...template.deploy.placement, constraints: o.constraints ?? [] };
  world.service = {
    ...world.service,
    metadata: { ...world.service.metadata, generation: 2 },
    spec: { ...v1.spec, template: { ...template, image, deploy: { ...template.deploy, placement } } },
  };
  return world;
}

/** Step until the rollout reaches a final or paused state (or `max` steps). */
function walk(world: World, max = 200, tick = 1, each?: (p: ServicePlan) => void): ServicePlan[] {
  const plans: ServicePlan[] = [];
  for (let i = 0; i < max; i++) {
    const p = step(world, tick);
    plans.push(p);
    each?.(p);
    const state = world.service.status?.update?.state;
    if (state && !['updating', 'rollback_started'].includes(state)) break;
  }
  return plans;
}

/** `n` rounds, whatever happens. */
const steps = (world: World, n: number) => Array.from({ length: n }, () => step(world));

/** Slots whose new task was created, per plan. */
const createdSlots = (plans: ServicePlan[]) =>
  plans.map((p) => p.actions.flatMap((a) => (a.type === 'create' ? [a.task.spec.slot!] : [])).sort()).filter((s) => s.length > 0);

const creates = (plans: ServicePlan[]) => plans.flatMap((p) => p.actions.filter((a) => a.type === 'create'));
const setDesired = (plans: ServicePlan[]) => plans.flatMap((p) => p.actions.filter((a) => a.type === 'setDesired').map((a) => (a as { taskName: string }).taskName));

describe('rolling updates, walked to the end', () => {
  it.each([
    { parallelism: 1, batches: [[1], [2], [3], [4], [5]] },
    { parallelism: 2, batches: [[1, 2], [3, 4], [5]] },
    {
      parallelism: 3,
      batches: [
        [1, 2, 3],
        [4, 5],
      ],
    },
    { parallelism: 0, batches: [[1, 2, 3, 4, 5]] },
  ])('stop-first, parallelism $parallelism: batches $batches, each slot replaced once', ({ parallelism, batches }) => {
    const world = deployed(5, 'app:2', { parallelism });
    const plans = walk(world);
    expect(createdSlots(plans)).toEqual(batches);
    expect(world.service.status!.update).toMatchObject({ state: 'completed', updated: 5, total: 5, failures: 0 });
    expect(currentImages(world)).toEqual({ 1: 'app:2', 2: 'app:2', 3: 'app:2', 4: 'app:2', 5: 'app:2' });
    expect(new Set(setDesired(plans)).size).toBe(setDesired(plans).length); // no task stopped twice
  });

  it('stop-first: the new task is created only once the old one has stopped', () => {
    const world = deployed(2, 'app:2');
    world.slowStop = true;
    const first = step(world);
    expect(first.actions.map((a) => a.type)).toEqual(['setDesired']);
    const stoppingRound = step(world); // the old task is still stopping: the slot is held
    expect(stoppingRound.actions).toEqual([]);
    const afterStop = step(world);
    expect(afterStop.actions.map((a) => (a.type === 'create' ? `create ${a.task.spec.slot}` : a.type))).toEqual(['create 1']);
    walk(world);
    expect(world.service.status!.update!.state).toBe('completed');
  });

  it('start-first: never fewer than N running, old tasks stop only after the new ones run', () => {
    const world = deployed(3, 'app:2', { order: 'start-first', parallelism: 2 });
    const counts: number[] = [];
    walk(world, 200, 1, () => counts.push(runningCount(world)));
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(3);
    expect(world.service.status!.update!.state).toBe('completed');
    expect(currentImages(world)).toEqual({ 1: 'app:2', 2: 'app:2', 3: 'app:2' });
    expect(world.tasks.filter((t) => t.status!.state === 'running')).toHaveLength(3);
  });

  it('delay between batches: each batch waits for the delay after the previous one runs (requeueAfterMs)', () => {
    const world = deployed(3, 'app:2', { delay: '10s' });
    const plans = walk(world, 200, 1);
    expect(createdSlots(plans)).toEqual([[1], [2], [3]]);
    const createdAt = plans.map((p, i) => (p.actions.some((a) => a.type === 'create') ? i : -1)).filter((i) => i >= 0);
    // slot 1 created at 1, running at once, so slot 2 is retired 10 s later and refilled in the round after
    expect(createdAt[1] - createdAt[0]).toBeGreaterThanOrEqual(10);
    expect(plans.some((p) => p.requeueAfterMs !== undefined && p.requeueAfterMs > 0 && p.requeueAfterMs <= 10_000)).toBe(true);
  });

  it('a bad image pauses the update (failure_action pause), says why, and replaces nothing more', () => {
    const world = deployed(3, 'bad:2', {}, { images: { 'bad:2': { kind: 'crash', after: 0 } } });
    walk(world);
    const update = world.service.status!.update!;
    expect(update).toMatchObject({ state: 'paused', failures: 1, pauseCause: { reason: 'TaskFailed' } });
    expect(update.message).toMatch(/^update to \w+ paused: task t\d+ failed \(exit code 1\)/);
    // while paused, only the restart supervisor acts: it restarts the failed slot (Swarm does too)
    const paused = creates(steps(world, 20)).map((a) => (a.type === 'create' ? a.task.spec.slot : 0));
    expect(paused.length).toBeGreaterThan(0);
    expect(new Set(paused)).toEqual(new Set([1]));
    expect(Object.values(currentImages(world)).filter((i) => i === 'app:1')).toHaveLength(2);
    const conditions = plan(world).rollout.conditions;
    expect(conditions.find((c) => c.type === 'Paused')).toMatchObject({ status: 'True', reason: 'UpdateFailed' });
    expect(conditions.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'UpdateFailed' });
  });

  it('failure_action rollback: the spec goes back to the previous template, rolled out with rollback_config', () => {
    const world = deployed(3, 'bad:2', { failure_action: 'rollback' }, { images: { 'bad:2': { kind: 'crash', after: 0 } }, rollback: { parallelism: 0 } });
    const plans = walk(world);
    const rollback = plans.find((p) => p.rollout.rollbackSpec)!.rollout.rollbackSpec!;
    expect(rollback.template.image).toBe('app:1');
    expect(world.service.spec.template.image).toBe('app:1');
    expect(world.service.metadata.generation).toBe(3);
    expect(world.service.status!.update).toMatchObject({ state: 'rollback_completed', rollbackCause: { reason: 'TaskFailed' } });
    expect(world.service.status!.update!.message).toMatch(/^rolled back to \w+: the update to \w+ failed \(task t\d+ failed \(exit code 1\)\)$/);
    expect(currentImages(world)).toEqual({ 1: 'app:1', 2: 'app:1', 3: 'app:1' });
    const conditions = plan(world).rollout.conditions;
    expect(conditions.find((c) => c.type === 'RolledBack')).toMatchObject({ status: 'True', reason: 'TaskFailed' });
    expect(conditions.find((c) => c.type === 'Available')).toMatchObject({ status: 'True', observedGeneration: 3 });
    // history: the rollback made app:1 the newest revision again, with a new number
    expect(world.service.status!.revisions!.map((r) => [r.revision, r.template.image])).toEqual([
      [3, 'app:1'],
      [2, 'bad:2'],
    ]);
  });

  it('a rollback that fails too pauses (rollback_paused) and says so', () => {
    const world = deployed(2, 'bad:2', { failure_action: 'rollback' }, { images: { 'bad:2': { kind: 'crash', after: 0 } } });
    walk(world, 3); // the update fails on its first task and starts rolling back
    expect(world.service.status!.update!.state).toBe('rollback_started');
    world.images['app:1'] = { kind: 'reject' }; // the previous image is gone too
    walk(world);
    const update = world.service.status!.update!;
    expect(update).toMatchObject({ state: 'rollback_paused', pauseCause: { reason: 'TaskFailed' } });
    expect(update.message).toMatch(/^rollback to \w+ paused: task t\d+ rejected \(no such image\)/);
    expect(plan(world).rollout.conditions.find((c) => c.type === 'Paused')).toMatchObject({ status: 'True', reason: 'RollbackFailed' });
  });

  it('a new version that cannot be scheduled fails at the progress deadline and rolls back', () => {
    const world = deployed(2, 'app:2', { failure_action: 'rollback' }, { deadline: '2m', constraints: ['node.labels.zone==mars'] });
    walk(world, 50, 10);
    const update = world.service.status!.update!;
    expect(update).toMatchObject({ state: 'rollback_completed', rollbackCause: { reason: 'ProgressDeadlineExceeded' } });
    expect(update.rollbackCause!.message).toMatch(/^task t\d+ not running within the progress deadline \(2m; still pending: pending task scheduling\)$/);
    expect(currentImages(world)).toEqual({ 1: 'app:1', 2: 'app:1' });
  });

  it('start-first, a new version that cannot be scheduled: rolled back at the deadline, the old tasks never stopped', () => {
    const world = deployed(
      3,
      'app:2',
      { failure_action: 'rollback', order: 'start-first', parallelism: 2 },
      { deadline: '1m', constraints: ['node.labels.zone==mars'] },
    );
    const oldTasks = world.tasks.map((t) => t.metadata.name);
    const counts: number[] = [];
    walk(world, 50, 10, () => counts.push(runningCount(world)));
    expect(world.service.status!.update).toMatchObject({ state: 'rollback_completed', rollbackCause: { reason: 'ProgressDeadlineExceeded' } });
    expect(Math.min(...counts)).toBe(3);
    expect(world.tasks.filter((t) => t.spec.desiredState === 'running').map((t) => t.metadata.name)).toEqual(oldTasks);
  });

  it('a new task crashing within monitor is a failure; one crashing after monitor is not', () => {
    const late = deployed(2, 'flaky:2', { failure_action: 'pause', monitor: '5s', delay: '20s' }, { images: { 'flaky:2': { kind: 'crash', after: 10 } } });
    walk(late, 200);
    expect(late.service.status!.update).toMatchObject({ state: 'completed', failures: 0 });
    const early = deployed(2, 'flaky:2', { failure_action: 'pause', monitor: '30s' }, { images: { 'flaky:2': { kind: 'crash', after: 10 } } });
    walk(early, 200);
    expect(early.service.status!.update).toMatchObject({ state: 'paused', failures: 1 });
  });

  it('pause and resume by the user: nothing is replaced while paused', () => {
    const world = deployed(4, 'app:2');
    walk(world, 2);
    world.service = { ...world.service, metadata: { ...world.service.metadata, annotations: { [PAUSED_ANNOTATION]: 'true' } } };
    const paused = walk(world, 1);
    expect(world.service.status!.update).toMatchObject({ state: 'paused', pauseCause: { reason: 'PausedByUser' } });
    const images = currentImages(world);
    const during = steps(world, 10);
    expect(creates([...paused, ...during]).length).toBeLessThanOrEqual(1); // at most the refill of a slot already stopping
    expect(currentImages(world)).toEqual(images);
    world.service = { ...world.service, metadata: { ...world.service.metadata, annotations: {} } };
    walk(world);
    expect(world.service.status!.update!.state).toBe('completed');
    expect(Object.values(currentImages(world))).toEqual(['app:2', 'app:2', 'app:2', 'app:2']);
  });

  it('a pause by failure resumes when annotation stackd.io/resume names it, and counts afresh', () => {
    const world = deployed(2, 'bad:2', {}, { images: { 'bad:2': { kind: 'crash', after: 0 } } });
    walk(world);
    const update = world.service.status!.update!;
    expect(update.state).toBe('paused');
    world.images['bad:2'] = { kind: 'run' }; // say, a registry fixed
    world.service = { ...world.service, metadata: { ...world.service.metadata, annotations: { [RESUME_ANNOTATION]: 'not this pause' } } };
    steps(world, 3);
    expect(world.service.status!.update!.state).toBe('paused');
    world.service = { ...world.service, metadata: { ...world.service.metadata, annotations: { [RESUME_ANNOTATION]: update.pausedAt! } } };
    walk(world);
    expect(world.service.status!.update).toMatchObject({ state: 'completed', failures: 0 });
  });
});

describe('a new leader carries on from the Store alone', () => {
  const replacements = (p: ServicePlan) => p.actions.filter((a) => a.type === 'create' || a.type === 'setDesired');

  it.each(['stop-first', 'start-first'] as const)('%s: planning again on what was just written replaces nothing more; each slot once', (order) => {
    const world = deployed(4, 'app:2', { order, parallelism: 2 });
    const plans: ServicePlan[] = [];
    for (let i = 0; i < 40 && world.service.status?.update?.state !== 'completed'; i++) {
      const p = plan(world);
      plans.push(p);
      write(world, p);
      // a new leader (other ids, nothing in memory) plans on the Store as just written
      const again = plan({ ...world, ids: counter('other') });
      if (p.actions.length > 0) expect(replacements(again)).toEqual([]);
      advance(world);
    }
    expect(world.service.status!.update!.state).toBe('completed');
    const perSlot = new Map<number, number>();
    for (const a of creates(plans)) if (a.type === 'create') perSlot.set(a.task.spec.slot!, (perSlot.get(a.task.spec.slot!) ?? 0) + 1);
    expect([...perSlot.values()]).toEqual([1, 1, 1, 1]);
  });

  it('a leader that died after writing tasks but before writing status: the next one replaces no slot twice', () => {
    const world = deployed(3, 'app:2', { parallelism: 1 });
    let lostStatus: Service | undefined;
    const plans: ServicePlan[] = [];
    for (let i = 0; i < 60 && world.service.status?.update?.state !== 'completed'; i++) {
      const before = world.service;
      plans.push(step(world));
      if (i % 3 === 1) {
        lostStatus = before; // the status write of this round was lost
        world.service = { ...world.service, status: lostStatus.status };
      }
    }
    expect(lostStatus).toBeDefined();
    expect(world.service.status!.update!.state).toBe('completed');
    expect(createdSlots(plans)).toEqual([[1], [2], [3]]);
  });
});
