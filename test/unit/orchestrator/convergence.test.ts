import type { Service, ServiceUpdateStatus, Task, TaskState } from '../../../src/api/objects.js';
import { judgeService, judgeStack, readyCondition, type Goal, type Phase, type ServiceJudgement } from '../../../src/orchestrator/convergence.js';
import { specHash } from '../../../src/orchestrator/spec-hash.js';
import type { ServiceSpec } from '../../../src/stackfile/types.js';

type Restart = { condition: 'any' | 'none' | 'on-failure'; max_attempts?: number };
const template = (replicas: number, restart: Restart = { condition: 'any' }, over: Record<string, unknown> = {}): ServiceSpec =>
  ({
    image: 'x',
    ...over,
    deploy: { mode: 'replicated', replicas, restart_policy: { delay: '5s', max_attempts: 0, window: '0s', ...restart }, ...((over.deploy as object) ?? {}) },
  }) as unknown as ServiceSpec;

const since = new Date('2026-01-01T00:00:00Z');
const before = '2025-12-31T00:00:00Z';
const after = '2026-01-01T00:01:00Z';

function service(name: string, tpl: ServiceSpec, status: { observed?: boolean; update?: Partial<ServiceUpdateStatus>; desired?: number } = {}): Service {
  const update = status.update
    ? {
        state: 'completed' as const,
        message: '',
        startedAt: after,
        fromRevision: 'old',
        toRevision: specHash(tpl),
        updated: 0,
        total: 1,
        failures: 0,
        verdicts: {},
        ...status.update,
      }
    : undefined;
  return {
    apiVersion: 'stackd.io/v1',
    kind: 'Service',
    metadata: { name, namespace: 's', uid: name, generation: 2, resourceVersion: '1', labels: {}, annotations: {}, creationTimestamp: '', ownerReferences: [] },
    spec: { stack: 's', template: tpl },
    status: {
      observedGeneration: status.observed === false ? 1 : 2,
      ...(status.desired !== undefined ? { replicas: { desired: status.desired, running: 0, failed: 0 } } : {}),
      ...(update ? { update } : {}),
    },
  };
}

let n = 0;
function task(svc: string, tpl: ServiceSpec, state: TaskState, extra: Partial<Task['status']> = {}, desired: 'running' | 'shutdown' = 'running'): Task {
  const id = `t${++n}`;
  return {
    apiVersion: 'stackd.io/v1',
    kind: 'Task',
    metadata: { name: id, namespace: 's', uid: id, generation: 1, resourceVersion: '1', labels: {}, annotations: {}, creationTimestamp: '', ownerReferences: [] },
    spec: { stack: 's', service: svc, slot: n, desiredState: desired, specHash: specHash(tpl), template: tpl },
    status: { state, timestamp: '2026-01-01T00:02:00Z', message: '', ...extra },
  };
}

const two = template(2);
const one = template(1);
const job = template(1, { condition: 'none' });
const oldOne = template(1, { condition: 'any' }, { image: 'old' });
const paused = { state: 'paused' as const, pauseCause: { reason: 'TaskFailed' as const, message: 'task t9 failed (exit code 1)' } };
const cause = { reason: 'TaskFailed' as const, message: 'task t9 failed (exit code 1)' };
const onceMore = template(1, { condition: 'on-failure', max_attempts: 1 });
const restarted = (t: Task, attempt: number): Task => ({ ...t, spec: { ...t.spec, restart: { attempt, history: [] } } });
const continueOnFailure = template(1, { condition: 'any' }, { deploy: { update_config: { failure_action: 'continue' } } });

interface Row {
  name: string;
  svc: Service;
  tasks: Task[];
  goal?: Goal;
  expect: Partial<Pick<ServiceJudgement, 'phase' | 'running' | 'desired' | 'failed' | 'error' | 'cause' | 'waiting'>>;
}

const rows: Row[] = [
  {
    name: 'every replica of the current revision runs',
    svc: service('web', two),
    tasks: [task('web', two, 'running'), task('web', two, 'running')],
    expect: { phase: 'converged', running: 2, desired: 2 },
  },
  {
    name: 'the manager has not observed the new generation',
    svc: service('web', two, { observed: false }),
    tasks: [task('web', two, 'running'), task('web', two, 'running')],
    expect: { phase: 'progressing' },
  },
  {
    name: 'a task of an older revision does not count',
    svc: service('web', one),
    tasks: [task('web', oldOne, 'running')],
    expect: { phase: 'progressing', running: 0 },
  },
  {
    name: 'extra tasks still wanted after a scale down',
    svc: service('web', one),
    tasks: [task('web', one, 'running'), task('web', one, 'running')],
    expect: { phase: 'progressing', running: 2 },
  },
  {
    name: 'a rejected task fails it, with its error',
    svc: service('web', two),
    tasks: [task('web', two, 'running'), task('web', two, 'rejected', { error: 'No such image: x' })],
    expect: { phase: 'failed', error: 'task rejected: No such image: x', failed: 1 },
  },
  {
    name: "a rejected new task during a rollout is the rollout's to judge (failure_action pause)",
    svc: service('web', one),
    tasks: [task('web', oldOne, 'running'), task('web', one, 'rejected', { error: 'No such image: x' })],
    expect: { phase: 'progressing' },
  },
  {
    name: 'failure_action continue: the rollout will not judge it, so it fails now',
    svc: service('web', continueOnFailure),
    tasks: [
      task('web', template(1, { condition: 'any' }, { image: 'old', deploy: { update_config: { failure_action: 'continue' } } }), 'running'),
      task('web', continueOnFailure, 'rejected', { error: 'nope' }),
    ],
    expect: { phase: 'failed', error: 'task rejected: nope' },
  },
  {
    name: 'a one-shot job that exited 0 is there',
    svc: service('migrate', job),
    tasks: [task('migrate', job, 'complete')],
    expect: { phase: 'converged', running: 1 },
  },
  { name: 'a daemon (restart any) that exited is not', svc: service('db', one), tasks: [task('db', one, 'complete')], expect: { phase: 'progressing', running: 0 } },
  {
    name: 'a one-shot job that failed and will not be restarted fails it',
    svc: service('migrate', job),
    tasks: [task('migrate', job, 'failed', { exitCode: 2 })],
    expect: { phase: 'failed', error: expect.stringContaining('failed (exit code 2); restart_policy condition none') as unknown as string },
  },
  {
    name: 'a failed task about to be restarted is only progress',
    svc: service('web', one),
    tasks: [task('web', one, 'failed', { exitCode: 1 })],
    expect: { phase: 'progressing', failed: 1 },
  },
  {
    name: 'max_attempts reached: no restart will come',
    svc: service('web', onceMore),
    tasks: [restarted(task('web', onceMore, 'failed', { exitCode: 1 }), 1)],
    expect: { phase: 'failed', error: expect.stringContaining('max_attempts 1 reached') as unknown as string },
  },
  {
    name: 'says why it waits',
    svc: service('web', two),
    tasks: [task('web', two, 'pending', { message: 'no suitable node (1 node not ready)' })],
    expect: { phase: 'progressing', waiting: 'no suitable node (1 node not ready)' },
  },
  {
    name: 'a rollout still in its monitor period',
    svc: service('web', one, { update: { state: 'updating', message: 'updating: 1/1' } }),
    tasks: [task('web', one, 'running')],
    expect: { phase: 'progressing', waiting: 'updating: 1/1' },
  },
  {
    name: '`up --wait` does not wait out the monitor period',
    svc: service('web', one, { update: { state: 'updating' } }),
    tasks: [task('web', one, 'running')],
    goal: 'healthy',
    expect: { phase: 'converged' },
  },
  {
    name: 'an update paused since the write fails it',
    svc: service('web', one, { update: paused }),
    tasks: [task('web', one, 'running')],
    expect: { phase: 'failed', error: 'update paused: task t9 failed (exit code 1)' },
  },
  {
    name: "a pause from before the write is not this wait's",
    svc: service('web', one, { update: { ...paused, startedAt: before } }),
    tasks: [task('web', one, 'running')],
    expect: { phase: 'converged' },
  },
  {
    name: 'rolling back',
    svc: service('web', one, { update: { state: 'rollback_started', rollbackCause: cause } }),
    tasks: [],
    expect: { phase: 'rolling back', error: 'update rolled back: task t9 failed (exit code 1)', cause: cause.message },
  },
  {
    name: 'rolled back',
    svc: service('web', one, { update: { state: 'rollback_completed', rollbackCause: cause } }),
    tasks: [task('web', one, 'running')],
    expect: { phase: 'rolled back', cause: cause.message },
  },
  {
    name: 'a rollback that paused is rolled back too (and says so)',
    svc: service('web', one, { update: { state: 'rollback_paused', rollbackCause: cause, pauseCause: { reason: 'TaskFailed', message: 'again' } } }),
    tasks: [],
    expect: { phase: 'rolled back', error: 'update rolled back: task t9 failed (exit code 1); the rollback paused: again' },
  },
  {
    name: '`up -d`: a container that started and exited non-zero was started',
    svc: service('job', job),
    tasks: [task('job', job, 'failed', { exitCode: 3 })],
    goal: 'started',
    expect: { phase: 'converged', running: 1 },
  },
  {
    name: '`up -d`: a container waiting for its healthcheck was started',
    svc: service('web', one),
    tasks: [task('web', one, 'running', { health: 'starting' })],
    goal: 'started',
    expect: { phase: 'converged' },
  },
  {
    name: '`up --wait`: not until healthy',
    svc: service('web', one),
    tasks: [task('web', one, 'running', { health: 'starting' })],
    goal: 'healthy',
    expect: { phase: 'progressing', running: 0 },
  },
  {
    name: '`up -d`: a rejected task is still an error',
    svc: service('web', one),
    tasks: [task('web', one, 'rejected', { error: 'pull failed' })],
    goal: 'started',
    expect: { phase: 'failed', error: 'task rejected: pull failed' },
  },
  {
    name: 'global: as many as the manager found eligible nodes',
    svc: service('agent', template(0, { condition: 'any' }, { deploy: { mode: 'global' } }), { desired: 1 }),
    tasks: [task('agent', template(0, { condition: 'any' }, { deploy: { mode: 'global' } }), 'running')],
    expect: { phase: 'converged', desired: 1 },
  },
];

describe('judgeService', () => {
  test.each(rows)('$name', ({ svc, tasks, goal, expect: want }) => {
    const j = judgeService(svc, tasks, { since, goal, now: new Date('2026-01-01T00:03:00Z') });
    expect(j).toMatchObject(want);
    expect(j.done).toBe(j.phase === 'converged');
  });

  test('names the service as users do, and lists the current tasks by slot', () => {
    const j = judgeService(service('web', two), [task('web', two, 'running'), task('web', oldOne, 'running'), task('web', two, 'running')]);
    expect(j.name).toBe('s_web');
    expect(j.service).toBe('web');
    expect(j.current.map((t) => t.spec.specHash)).toEqual([specHash(two), specHash(two)]);
  });

  test("without `since` every rollout record counts (the manager's view)", () => {
    const old = service('web', one, { update: { ...paused, startedAt: before } });
    expect(judgeService(old, [task('web', one, 'running')]).phase).toBe('failed');
  });
});

describe('judgeStack', () => {
  test('the worst phase wins; done only when every service converged', () => {
    const web = service('web', one);
    const bad = service('api', one, { update: { state: 'rollback_completed', rollbackCause: cause } });
    const tasks = [task('web', one, 'running'), task('api', one, 'running')];
    expect(judgeStack([web], tasks, { since })).toMatchObject({ phase: 'converged', done: true, failed: false });
    const both = judgeStack([web, bad], tasks, { since });
    expect(both).toMatchObject({ phase: 'rolled back', done: false, failed: true });
    expect(both.services.map((s) => s.name)).toEqual(['s_api', 's_web']);
    expect(judgeStack([web, service('db', two)], tasks, { since })).toMatchObject({ phase: 'progressing', done: false, failed: false });
  });
});

describe('readyCondition', () => {
  test.each<[Phase, string, string]>([
    ['converged', 'True', 'Converged'],
    ['progressing', 'Unknown', 'Progressing'],
    ['failed', 'False', 'Failed'],
    ['rolling back', 'False', 'RollingBack'],
    ['rolled back', 'False', 'RolledBack'],
  ])('%s: Ready %s (%s)', (phase, status, reason) => {
    const j = { name: 's_web', service: 'web', phase, done: phase === 'converged', desired: 2, running: 1, failed: 0, current: [] };
    expect(readyCondition(j, 4)).toEqual({ type: 'Ready', status, reason, message: '1/2 running', observedGeneration: 4 });
  });

  test('the message says what failed, or why it waits', () => {
    const base = { name: 's_web', service: 'web', done: false, desired: 2, running: 1, failed: 1, current: [] };
    expect(readyCondition({ ...base, phase: 'failed', error: 'task rejected: x' }, 1).message).toBe('task rejected: x');
    expect(readyCondition({ ...base, phase: 'progressing', waiting: 'no suitable node' }, 1).message).toBe('1/2 running: no suitable node');
  });
});
