import type { Service, ServiceUpdateStatus, Task } from '../../../src/api/objects.js';
import type { OrchestratorAction } from '../../../src/orchestrator/actions.js';
import { specHash } from '../../../src/orchestrator/spec-hash.js';
import { planUpdate } from '../../../src/orchestrator/update.js';
import { rolloutConditions } from '../../../src/orchestrator/update-conditions.js';
import { PAUSED_ANNOTATION, RESUME_ANNOTATION } from '../../../src/orchestrator/update-state.js';
import type { UpdateConfigSpec } from '../../../src/stackfile/types.js';
import { at, counter, iso, node, service, task, type TaskOpts } from './fixtures.js';

const cfg = (c: Partial<UpdateConfigSpec> = {}): UpdateConfigSpec => ({
  parallelism: 1,
  delay: '0s',
  failure_action: 'pause',
  monitor: '5s',
  max_failure_ratio: 0,
  order: 'stop-first',
  ...c,
});
const rev = (svc: Service, revision: number) => ({ revision, hash: specHash(svc.spec.template), template: svc.spec.template, createdAt: iso(0), change: '' });

interface Setup {
  replicas?: number;
  update?: Partial<UpdateConfigSpec>;
  record?: Partial<ServiceUpdateStatus>;
  annotations?: Record<string, string>;
  /** revisions kept (default: v2 then v1) */
  history?: 'both' | 'current';
}
const v1 = (s: Setup) => service('web', { image: 'app:1', deploy: { replicas: s.replicas ?? 3, update_config: cfg(s.update), rollback_config: cfg() } });
const v2 = (s: Setup) => service('web', { image: 'app:2', deploy: { replicas: s.replicas ?? 3, update_config: cfg(s.update), rollback_config: cfg() } });
const H1 = specHash(v1({}).spec.template);
const H2 = specHash(v2({}).spec.template);

const record = (o: Partial<ServiceUpdateStatus> = {}): ServiceUpdateStatus => ({
  state: 'updating',
  message: '',
  startedAt: iso(0),
  fromRevision: H1,
  toRevision: H2,
  updated: 0,
  total: 3,
  failures: 0,
  verdicts: {},
  ...o,
});

function subject(s: Setup): Service {
  const svc = v2(s);
  const revisions = s.history === 'current' ? [rev(svc, 2)] : [rev(svc, 2), rev(v1(s), 1)];
  return {
    ...svc,
    metadata: { ...svc.metadata, annotations: s.annotations ?? {} },
    status: { revisions, ...(s.record ? { update: record(s.record) } : {}) },
  };
}
/** a task of app:1 in slot n, running on node a since T0 - 60 s */
const old = (s: Setup, n: number, o: TaskOpts = {}) => task(v2(s), `o${n}`, { slot: n, node: 'a', from: v1(s), created: -60, ...o });
/** a task of app:2 in slot n */
const nu = (s: Setup, n: number, o: TaskOpts = {}) => task(v2(s), `n${n}`, { slot: n, node: 'a', ...o });

const describeActions = (actions: OrchestratorAction[]) =>
  actions.map((a) =>
    a.type === 'create' ? `create ${a.task.spec.slot ?? a.task.spec.nodeName}` : a.type === 'setDesired' ? `stop ${a.taskName}` : `${a.type} ${a.taskName}`,
  );

interface Row {
  name: string;
  setup: Setup;
  tasks: (s: Setup) => Task[];
  now?: number;
  actions: string[];
  held?: string[];
  state?: ServiceUpdateStatus['state'] | 'none';
  requeue?: number;
  check?: (u: ServiceUpdateStatus) => void;
}

const allOld = (n: number) => (s: Setup) => Array.from({ length: n }, (_, i) => old(s, i + 1));

const rows: Row[] = [
  { name: 'a new service: no rollout', setup: { history: 'current' }, tasks: (s) => [nu(s, 1), nu(s, 2), nu(s, 3)], actions: [], state: 'none' },
  {
    name: 'old tasks: an update starts, parallelism 1',
    setup: {},
    tasks: allOld(3),
    actions: ['stop o1'],
    state: 'updating',
    check: (u) => expect(u).toMatchObject({ fromRevision: H1, toRevision: H2, startedAt: iso(0), total: 3, message: `updating to ${H2}: 0/3 tasks updated` }),
  },
  { name: 'parallelism 2', setup: { update: { parallelism: 2 } }, tasks: allOld(3), actions: ['stop o1', 'stop o2'], state: 'updating' },
  { name: 'parallelism 0: all at once', setup: { update: { parallelism: 0 } }, tasks: allOld(3), actions: ['stop o1', 'stop o2', 'stop o3'], state: 'updating' },
  {
    name: 'a slot in flight takes the parallelism',
    setup: { record: {} },
    tasks: (s) => [nu(s, 1, { state: 'pending', node: undefined }), old(s, 2), old(s, 3)],
    actions: [],
  },
  {
    name: 'parallelism 2, one in flight: one more',
    setup: { record: {}, update: { parallelism: 2 } },
    tasks: (s) => [nu(s, 1, { state: 'starting' }), old(s, 2), old(s, 3)],
    actions: ['stop o2'],
  },
  {
    name: 'stop-first: the slot whose old task is still stopping is held',
    setup: { record: {} },
    tasks: (s) => [old(s, 1, { desired: 'shutdown' }), old(s, 2), old(s, 3)],
    actions: [],
    held: ['1'],
  },
  {
    name: 'stop-first: once stopped, the slot is left to the orchestrator to refill',
    setup: { record: {} },
    tasks: (s) => [old(s, 1, { desired: 'shutdown', state: 'shutdown' }), old(s, 2), old(s, 3)],
    actions: [],
    held: [],
  },
  {
    name: 'start-first: new tasks first, slots held',
    setup: { update: { order: 'start-first', parallelism: 2 } },
    tasks: allOld(3),
    actions: ['create 1', 'create 2'],
    held: ['1', '2'],
  },
  {
    name: 'start-first: the new task runs, the old goes and the next batch starts',
    setup: { record: {}, update: { order: 'start-first' } },
    tasks: (s) => [old(s, 1), nu(s, 1, { created: 1 }), old(s, 2), old(s, 3)],
    now: 2,
    actions: ['stop o1', 'create 2'],
    held: ['1', '2'],
  },
  {
    name: 'start-first: the new task not running yet, the old one keeps serving',
    setup: { record: {}, update: { order: 'start-first' } },
    tasks: (s) => [old(s, 1), nu(s, 1, { created: 1, state: 'assigned' }), old(s, 2)],
    now: 2,
    actions: [],
    held: ['1'],
  },
  {
    name: 'start-first: a new task that failed is restarted per restart_policy, the old one still serves',
    setup: { record: { failures: 1 }, update: { order: 'start-first', failure_action: 'continue' } },
    tasks: (s) => [old(s, 1), nu(s, 1, { created: 1, state: 'failed', exitCode: 1, since: 2 }), old(s, 2), old(s, 3)],
    now: 8,
    actions: ['stop n1', 'create 1'],
    held: ['1'],
  },
  {
    name: 'rolling back a start-first update: the new task not running yet goes, the old one stays',
    setup: { record: { state: 'rollback_started', fromRevision: H1, toRevision: H2 } },
    tasks: (s) => [old(s, 1, { from: v2(s) }), nu(s, 1, { from: v1(s), created: 1, state: 'pending', node: undefined }), nu(s, 2)],
    now: 2,
    actions: ['delete n1'],
    held: ['1'],
    state: 'rollback_started',
  },
  {
    name: 'delay: the next batch waits for the delay after the last one ran',
    setup: { record: {}, update: { delay: '10s' } },
    tasks: (s) => [nu(s, 1, { created: 1, since: 3 }), old(s, 2), old(s, 3)],
    now: 6,
    actions: [],
    requeue: 2000 /* monitor of n1 ends at 8 s, before the delay at 13 s */,
  },
  {
    name: 'delay: monitor passed, the delay is what is awaited',
    setup: { record: { verdicts: { n1: 'passed' } }, update: { delay: '10s' } },
    tasks: (s) => [nu(s, 1, { created: 1, since: 3 }), old(s, 2), old(s, 3)],
    now: 9,
    actions: [],
    requeue: 4000,
  },
  {
    name: 'delay: over, and monitor passed',
    setup: { record: {}, update: { delay: '10s' } },
    tasks: (s) => [nu(s, 1, { created: 1, since: 3 }), old(s, 2), old(s, 3)],
    now: 13,
    actions: ['stop o2'],
  },
  {
    name: 'an old task that already ended is replaced at once, not after the restart delay',
    setup: { record: {} },
    tasks: (s) => [old(s, 1, { state: 'failed', exitCode: 1, since: -1 }), old(s, 2), old(s, 3)],
    actions: ['stop o1', 'create 1'],
    held: ['1'],
  },
  {
    name: 'all updated, monitor not over: wait for it',
    setup: { record: {} },
    tasks: (s) => [1, 2, 3].map((n) => nu(s, n, { created: 1, since: 2 })),
    now: 4,
    actions: [],
    state: 'updating',
    requeue: 3000,
  },
  {
    name: 'all updated and monitored: completed',
    setup: { record: {} },
    tasks: (s) => [1, 2, 3].map((n) => nu(s, n, { created: 1, since: 2 })),
    now: 7,
    actions: [],
    state: 'completed',
    check: (u) => expect(u).toMatchObject({ completedAt: iso(7), updated: 3, verdicts: {}, message: `update to ${H2} completed` }),
  },
  {
    name: 'a new task failing within monitor: failure, paused',
    setup: { record: {} },
    tasks: (s) => [nu(s, 1, { created: 1, state: 'failed', exitCode: 2, error: 'boom', since: 4 }), old(s, 2), old(s, 3)],
    now: 4,
    actions: [],
    state: 'paused',
    check: (u) =>
      expect(u).toMatchObject({
        failures: 1,
        pausedAt: iso(4),
        verdicts: { n1: 'failed' },
        pauseCause: { reason: 'TaskFailed', message: 'task n1 failed (exit code 2: boom)' },
      }),
  },
  {
    name: 'a new task failing after it passed monitor: not a failure of the update',
    setup: { record: { verdicts: { n1: 'passed' } } },
    tasks: (s) => [nu(s, 1, { created: 1, state: 'failed', exitCode: 2, since: 40 }), old(s, 2), old(s, 3)],
    now: 40,
    actions: ['stop o2'],
    state: 'updating',
    check: (u) => expect(u.failures).toBe(0),
  },
  {
    name: 'a rejected new task is a failure',
    setup: { record: {} },
    tasks: (s) => [nu(s, 1, { created: 1, state: 'rejected', error: 'no such image' }), old(s, 2), old(s, 3)],
    now: 2,
    actions: [],
    state: 'paused',
    check: (u) => expect(u.pauseCause).toEqual({ reason: 'TaskFailed', message: 'task n1 rejected (no such image)' }),
  },
  {
    name: 'a new task not running before the progress deadline (10m): failure',
    setup: { record: {} },
    tasks: (s) => [nu(s, 1, { created: 1, state: 'pending', node: undefined }), old(s, 2), old(s, 3)],
    now: 601,
    actions: [],
    state: 'paused',
    check: (u) =>
      expect(u.pauseCause).toEqual({ reason: 'ProgressDeadlineExceeded', message: 'task n1 not running within the progress deadline (10m; still pending)' }),
  },
  {
    name: 'before the progress deadline: wait for it',
    setup: { record: {} },
    tasks: (s) => [nu(s, 1, { created: 1, state: 'pending', node: undefined }), old(s, 2), old(s, 3)],
    now: 300,
    actions: [],
    state: 'updating',
    requeue: 301_000,
  },
  {
    name: 'max_failure_ratio 0.5: 2 of 4 failed is not more than half',
    setup: { replicas: 4, record: { total: 4 }, update: { max_failure_ratio: 0.5, parallelism: 3 } },
    tasks: (s) => [
      nu(s, 1, { created: 1, state: 'failed', exitCode: 1 }),
      nu(s, 2, { created: 1, state: 'failed', exitCode: 1 }),
      nu(s, 3, { created: 1 }),
      old(s, 4),
    ],
    now: 10,
    actions: ['stop o4'],
    state: 'updating',
    check: (u) => expect(u.failures).toBe(2),
  },
  {
    name: 'max_failure_ratio 0.5: 3 of 4 failed is',
    setup: { replicas: 4, record: { total: 4, failures: 2, verdicts: { n1: 'failed', n2: 'failed' } }, update: { max_failure_ratio: 0.5, parallelism: 3 } },
    tasks: (s) => [
      nu(s, 1, { created: 1, state: 'failed', exitCode: 1 }),
      nu(s, 2, { created: 1, state: 'failed', exitCode: 1 }),
      nu(s, 3, { created: 1, state: 'failed', exitCode: 1 }),
      old(s, 4),
    ],
    now: 10,
    actions: [],
    state: 'paused',
    check: (u) => expect(u).toMatchObject({ failures: 3, pauseCause: { message: 'task n3 failed (exit code 1)' } }),
  },
  {
    name: 'failure_action continue: counted, and the update goes on',
    setup: { record: {}, update: { failure_action: 'continue' } },
    tasks: (s) => [nu(s, 1, { created: 1, state: 'failed', exitCode: 1 }), old(s, 2), old(s, 3)],
    now: 2,
    actions: ['stop o2'],
    state: 'updating',
    check: (u) => expect(u.message).toBe(`updating to ${H2}: 0/3 tasks updated, 1 failed`),
  },
  {
    name: 'failure_action rollback: spec back to the previous template (keeping replicas), every slot held',
    setup: { record: {}, update: { failure_action: 'rollback' } },
    tasks: (s) => [nu(s, 1, { created: 1, state: 'failed', exitCode: 1 }), old(s, 2), old(s, 3)],
    now: 2,
    actions: [],
    held: ['1', '2', '3'],
    state: 'rollback_started',
    requeue: 0,
    check: (u) =>
      expect(u).toMatchObject({ fromRevision: H2, toRevision: H1, startedAt: iso(2), failures: 0, verdicts: {}, rollbackCause: { reason: 'TaskFailed' } }),
  },
  {
    name: 'failure_action rollback, the previous revision unknown: paused, says why',
    setup: { record: { fromRevision: 'feedfeedfeed' }, update: { failure_action: 'rollback' } },
    tasks: (s) => [nu(s, 1, { created: 1, state: 'failed', exitCode: 1 }), old(s, 2), old(s, 3)],
    now: 2,
    actions: [],
    state: 'paused',
    check: (u) =>
      expect(u.pauseCause).toEqual({ reason: 'NoPreviousRevision', message: 'task n1 failed (exit code 1); cannot roll back: revision feedfeedfeed is not kept' }),
  },
  {
    name: 'paused by the user: nothing replaced',
    setup: { annotations: { [PAUSED_ANNOTATION]: 'true' } },
    tasks: allOld(3),
    actions: [],
    state: 'paused',
    check: (u) => expect(u.pauseCause?.reason).toBe('PausedByUser'),
  },
  {
    name: 'resumed by the user: replacing again',
    setup: { record: { state: 'paused', pausedAt: iso(0), pauseCause: { reason: 'PausedByUser', message: '' } } },
    tasks: allOld(3),
    actions: ['stop o1'],
    state: 'updating',
  },
  {
    name: 'paused by failure: the resume annotation must name this pause',
    setup: {
      record: { state: 'paused', failures: 1, pausedAt: iso(1), pauseCause: { reason: 'TaskFailed', message: 'x' } },
      annotations: { [RESUME_ANNOTATION]: iso(0) },
    },
    tasks: allOld(3),
    now: 5,
    actions: [],
    state: 'paused',
  },
  {
    name: 'paused by failure, resumed: counts afresh',
    setup: {
      record: { state: 'paused', failures: 1, pausedAt: iso(1), pauseCause: { reason: 'TaskFailed', message: 'x' } },
      annotations: { [RESUME_ANNOTATION]: iso(1) },
    },
    tasks: allOld(3),
    now: 5,
    actions: ['stop o1'],
    state: 'updating',
    check: (u) => expect(u).toMatchObject({ failures: 0 }),
  },
  {
    name: 'a completed rollout of this revision: nothing to do',
    setup: { record: { state: 'completed', completedAt: iso(1) } },
    tasks: (s) => [1, 2, 3].map((n) => nu(s, n)),
    actions: [],
    state: 'completed',
  },
  {
    name: "a newer revision than the record's: a new update",
    setup: { record: { state: 'paused', toRevision: 'aaaaaaaaaaaa', pausedAt: iso(0), pauseCause: { reason: 'TaskFailed', message: '' } } },
    tasks: allOld(3),
    now: 9,
    actions: ['stop o1'],
    state: 'updating',
    check: (u) => expect(u).toMatchObject({ startedAt: iso(9), toRevision: H2, failures: 0 }),
  },
];

describe('planUpdate', () => {
  it.each(rows)('$name', (row) => {
    const s = row.setup;
    const svc = subject(s);
    const plan = planUpdate(svc, row.tasks(s), [node('a'), node('b')], at(row.now ?? 0), counter(), svc.status!.revisions);
    expect(describeActions(plan.actions)).toEqual(row.actions);
    if (row.held) expect([...plan.held].sort()).toEqual(row.held);
    if (row.state) expect(plan.status?.state ?? 'none').toBe(row.state);
    if (row.requeue !== undefined) expect(plan.requeueAfterMs).toBe(row.requeue);
    if (row.check) row.check(plan.status!);
  });

  it('rollback: the spec to write is the previous template, with the current replicas', () => {
    const s: Setup = { record: {}, update: { failure_action: 'rollback' }, replicas: 3 };
    const svc = subject(s);
    const scaled = { ...svc, spec: { ...svc.spec, template: { ...svc.spec.template, deploy: { ...svc.spec.template.deploy, replicas: 5 } } } };
    const plan = planUpdate(scaled, [nu(s, 1, { created: 1, state: 'failed', exitCode: 1 })], [node('a')], at(2), counter(), svc.status!.revisions);
    expect(plan.rollbackSpec).toMatchObject({ type: 'rollbackSpec', revision: H1, reason: 'task n1 failed (exit code 1)' });
    expect(plan.rollbackSpec!.template.image).toBe('app:1');
    expect(plan.rollbackSpec!.template.deploy.replicas).toBe(5);
  });

  it('a rollback that fails pauses (never a rollback of a rollback)', () => {
    const s: Setup = {};
    const back = {
      ...v1(s),
      status: { revisions: [rev(v1(s), 3), rev(v2(s), 2)], update: record({ state: 'rollback_started', fromRevision: H2, toRevision: H1 }) },
    };
    back.spec.template.deploy.rollback_config = cfg({ failure_action: 'rollback' });
    const tasks = [task(back, 'r1', { slot: 1, node: 'a', created: 1, state: 'failed', exitCode: 1 }), task(back, 'b2', { slot: 2, node: 'a', from: v2(s) })];
    const plan = planUpdate(back, tasks, [node('a')], at(2), counter());
    expect(plan.rollbackSpec).toBeUndefined();
    expect(plan.status).toMatchObject({ state: 'rollback_paused', pauseCause: { reason: 'TaskFailed', message: 'task r1 failed (exit code 1)' } });
    expect(plan.status!.message).toBe(`rollback to ${H1} paused: task r1 failed (exit code 1) (0/3 tasks rolled back, 1 failed)`);
  });

  it('global services: one slot per eligible node, in node order', () => {
    const g = (image: string) => service('agent', { image, deploy: { mode: 'global', update_config: cfg() } });
    const svc = g('app:2');
    const tasks = ['a', 'b', 'c'].map((n) => task(svc, `o-${n}`, { node: n, from: g('app:1') }));
    const nodes = [node('a'), node('b'), node('c', { availability: 'drain' })];
    const plan = planUpdate(svc, tasks, nodes, at(0), counter());
    expect(describeActions(plan.actions)).toEqual(['stop o-a']);
    expect(plan.status).toMatchObject({ state: 'updating', total: 2 });
    const startFirst = {
      ...svc,
      spec: {
        ...svc.spec,
        template: { ...svc.spec.template, deploy: { ...svc.spec.template.deploy, update_config: cfg({ order: 'start-first', parallelism: 0 }) } },
      },
    };
    const both = planUpdate(startFirst, tasks, nodes, at(0), counter());
    expect(describeActions(both.actions)).toEqual(['create a', 'create b']);
  });
});

describe('rolloutConditions', () => {
  const rec = (o: Partial<ServiceUpdateStatus>) => record({ message: 'm', ...o });
  it.each([
    { name: 'no rollout yet: only Available', update: undefined, running: 3, expected: [['Available', 'True', 'AllReplicasRunning']] },
    {
      name: 'updating',
      update: rec({}),
      running: 2,
      expected: [
        ['Available', 'False', 'ReplicasUnavailable'],
        ['Progressing', 'True', 'Updating'],
        ['Paused', 'False', 'NotPaused'],
        ['RolledBack', 'False', 'NotRolledBack'],
      ],
    },
    {
      name: 'paused by the user',
      update: rec({ state: 'paused', pauseCause: { reason: 'PausedByUser', message: '' } }),
      running: 3,
      expected: [
        ['Available', 'True', 'AllReplicasRunning'],
        ['Progressing', 'False', 'PausedByUser'],
        ['Paused', 'True', 'PausedByUser'],
        ['RolledBack', 'False', 'NotRolledBack'],
      ],
    },
    {
      name: 'paused at the progress deadline',
      update: rec({ state: 'paused', pauseCause: { reason: 'ProgressDeadlineExceeded', message: '' } }),
      running: 3,
      expected: [
        ['Available', 'True', 'AllReplicasRunning'],
        ['Progressing', 'False', 'ProgressDeadlineExceeded'],
        ['Paused', 'True', 'ProgressDeadlineExceeded'],
        ['RolledBack', 'False', 'NotRolledBack'],
      ],
    },
    {
      name: 'rolling back',
      update: rec({ state: 'rollback_started', rollbackCause: { reason: 'TaskFailed', message: '' } }),
      running: 3,
      expected: [
        ['Available', 'True', 'AllReplicasRunning'],
        ['Progressing', 'True', 'RollingBack'],
        ['Paused', 'False', 'NotPaused'],
        ['RolledBack', 'True', 'TaskFailed'],
      ],
    },
    {
      name: 'rollback paused',
      update: rec({ state: 'rollback_paused', pauseCause: { reason: 'TaskFailed', message: '' }, rollbackCause: { reason: 'TaskFailed', message: '' } }),
      running: 3,
      expected: [
        ['Available', 'True', 'AllReplicasRunning'],
        ['Progressing', 'False', 'RollbackFailed'],
        ['Paused', 'True', 'RollbackFailed'],
        ['RolledBack', 'True', 'TaskFailed'],
      ],
    },
    {
      name: 'rolled back',
      update: rec({ state: 'rollback_completed', rollbackCause: { reason: 'ProgressDeadlineExceeded', message: '' } }),
      running: 3,
      expected: [
        ['Available', 'True', 'AllReplicasRunning'],
        ['Progressing', 'False', 'RolledBack'],
        ['Paused', 'False', 'NotPaused'],
        ['RolledBack', 'True', 'ProgressDeadlineExceeded'],
      ],
    },
    {
      name: 'completed',
      update: rec({ state: 'completed' }),
      running: 3,
      expected: [
        ['Available', 'True', 'AllReplicasRunning'],
        ['Progressing', 'True', 'UpdateCompleted'],
        ['Paused', 'False', 'NotPaused'],
        ['RolledBack', 'False', 'NotRolledBack'],
      ],
    },
  ])('$name', ({ update, running, expected }) => {
    const conditions = rolloutConditions(update, { desired: 3, running }, 7);
    expect(conditions.map((c) => [c.type, c.status, c.reason])).toEqual(expected);
    expect(conditions.every((c) => c.observedGeneration === 7)).toBe(true);
  });
});
