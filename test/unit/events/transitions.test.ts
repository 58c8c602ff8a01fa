// Which transitions the manager records as events, and with what words (src/events/transitions.ts).
import type { GitSource, GitSourceStatus, Service, ServiceUpdateStatus, Task } from '../../../src/api/objects.js';
import { gitSourceTransition, nodeTransition, serviceTransition, taskTransition } from '../../../src/events/transitions.js';
import { iso, node, service, task } from '../orchestrator/fixtures.js';

const web = service('web');
const svcObject = { kind: 'Service', stack: 'app', name: 'web' };
const brief = (notes: { type: string; reason: string; message: string }[]) => notes.map((n) => [n.type, n.reason, n.message]);

describe('taskTransition', () => {
  const running = task(web, 't1', { slot: 1, state: 'running' });

  it('a task failing is a Warning on its service naming the slot, exit code and error', () => {
    const failed = task(web, 't1', { slot: 1, state: 'failed', exitCode: 3, error: 'boom' });
    const notes = taskTransition(running, failed);
    expect(notes).toEqual([{ object: svcObject, type: 'Warning', reason: 'TaskFailed', message: 'web.1 failed: exit code 3: boom' }]);
    // the next task of the slot failing alike says the same: one event, counted
    expect(taskTransition(task(web, 't2', { slot: 1 }), task(web, 't2', { slot: 1, state: 'failed', exitCode: 3, error: 'boom' }))).toEqual(notes);
  });

  it('a rejected task says why; a global task is named by its node', () => {
    const pending = task(web, 't1', { node: 'n1', state: 'preparing' });
    expect(brief(taskTransition(pending, task(web, 't1', { node: 'n1', state: 'rejected', error: 'no such image: app:1' })))).toEqual([
      ['Warning', 'TaskRejected', 'web@n1 rejected: no such image: app:1'],
    ]);
  });

  it('a failure already seen (another status write of the failed task) is not recorded again', () => {
    const failed = task(web, 't1', { slot: 1, state: 'failed', exitCode: 1 });
    expect(taskTransition(failed, { ...failed, status: { ...failed.status!, containerId: 'c1' } })).toEqual([]);
  });

  it("a restart's new task is TaskRestarted with how the one before ended, and no attempt number (repeats count)", () => {
    const ended = task(web, 't1', { slot: 1, state: 'failed', exitCode: 137 });
    const again = (attempt: number) => taskTransition(undefined, task(web, `t${attempt + 1}`, { slot: 1, state: 'new', restart: { attempt, history: [] } }), ended);
    expect(brief(again(1))).toEqual([['Normal', 'TaskRestarted', 'web.1 restarted after failed: exit code 137']]);
    expect(again(2)).toEqual(again(1));
  });

  it("a slot's first task and other new tasks are not events", () => {
    expect(taskTransition(undefined, task(web, 't1', { slot: 1, state: 'new' }))).toEqual([]);
  });

  it('a task the scheduler cannot place is FailedScheduling with the reason, once per reason', () => {
    const fresh = task(web, 't1', { slot: 1, state: 'new' });
    const why = 'no suitable node (1 node: constraint node.labels.disk==ssd)';
    const pending = (message: string): Task => ({ ...fresh, status: { ...fresh.status!, state: 'pending', message } });
    expect(brief(taskTransition(fresh, pending(why)))).toEqual([['Warning', 'FailedScheduling', `web.1: ${why}`]]);
    expect(taskTransition(pending(why), pending(why))).toEqual([]);
    expect(taskTransition(fresh, pending('waiting for the scheduler'))).toEqual([]);
    // created pending with the reason (the manager places new tasks as it creates them)
    expect(brief(taskTransition(undefined, pending(why)))).toEqual([['Warning', 'FailedScheduling', `web.1: ${why}`]]);
  });
});

describe('serviceTransition', () => {
  const rec = (state: ServiceUpdateStatus['state'], patch: Partial<ServiceUpdateStatus> = {}): ServiceUpdateStatus => ({
    state,
    message: '',
    startedAt: iso(10),
    fromRevision: 'aaaaaaaa1111',
    toRevision: 'bbbbbbbb2222',
    updated: 0,
    total: 2,
    failures: 0,
    verdicts: {},
    ...patch,
  });
  const withUpdate = (update?: ServiceUpdateStatus): Service => ({ ...web, status: { ...web.status, ...(update ? { update } : {}) } });
  const step = (from: ServiceUpdateStatus | undefined, to: ServiceUpdateStatus) => brief(serviceTransition(withUpdate(from), withUpdate(to)));

  it('started, then completed', () => {
    expect(step(undefined, rec('updating'))).toEqual([['Normal', 'RolloutStarted', 'rollout aaaaaaaa → bbbbbbbb started (2 tasks)']]);
    expect(step(rec('updating'), rec('updating', { updated: 1 }))).toEqual([]);
    expect(step(rec('updating', { updated: 1 }), rec('completed', { updated: 2 }))).toEqual([
      ['Normal', 'RolloutCompleted', 'rollout aaaaaaaa → bbbbbbbb completed (2/2 updated)'],
    ]);
  });

  it('a rollout started and finished between two writes still has its start', () => {
    expect(step(undefined, rec('completed', { updated: 2 })).map((n) => n[1])).toEqual(['RolloutStarted', 'RolloutCompleted']);
    expect(step(rec('completed', { startedAt: iso(1) }), rec('completed', { updated: 2 })).map((n) => n[1])).toEqual(['RolloutStarted', 'RolloutCompleted']);
  });

  it('paused with the cause, resumed (not started again)', () => {
    const cause = { reason: 'TaskFailed' as const, message: 'task t9 failed (exit code 1)' };
    const paused = rec('paused', { pauseCause: cause, pausedAt: iso(20) });
    expect(step(rec('updating'), paused)).toEqual([['Warning', 'RolloutPaused', 'rollout aaaaaaaa → bbbbbbbb paused: task t9 failed (exit code 1)']]);
    expect(step(paused, rec('updating'))).toEqual([['Normal', 'RolloutResumed', 'rollout aaaaaaaa → bbbbbbbb resumed']]);
  });

  it('rolled back with why, rollback completed', () => {
    const cause = { reason: 'TaskFailed' as const, message: 'task t9 failed (exit code 1)' };
    const back = rec('rollback_started', { startedAt: iso(30), fromRevision: 'bbbbbbbb2222', toRevision: 'aaaaaaaa1111', rollbackCause: cause });
    expect(step(rec('updating'), back)).toEqual([['Warning', 'RolloutRolledBack', 'rolling back to aaaaaaaa: task t9 failed (exit code 1)']]);
    expect(step(back, { ...back, state: 'rollback_completed' })).toEqual([['Normal', 'RollbackCompleted', 'rolled back to aaaaaaaa']]);
  });

  it('a new service (no previous object) and status writes without a rollout record nothing', () => {
    expect(serviceTransition(undefined, withUpdate(rec('updating')))).toEqual([]);
    expect(serviceTransition(withUpdate(), withUpdate())).toEqual([]);
  });
});

describe('nodeTransition', () => {
  it('down with the reason, ready again, drained and activated; a heartbeat write is nothing', () => {
    const ready = node('n1');
    const down = node('n1', { state: 'down' });
    down.status!.message = 'heartbeat lost for 5s';
    expect(brief(nodeTransition(ready, down))).toEqual([['Warning', 'NodeDown', 'node n1 down: heartbeat lost for 5s']]);
    expect(brief(nodeTransition(down, ready))).toEqual([['Normal', 'NodeReady', 'node n1 ready']]);
    expect(brief(nodeTransition(ready, node('n1', { availability: 'drain' })))).toEqual([['Normal', 'NodeDrained', 'node n1 availability active → drain']]);
    expect(nodeTransition(node('n1', { availability: 'drain' }), ready).map((n) => n.reason)).toEqual(['NodeActivated']);
    expect(nodeTransition(ready, { ...ready, status: { ...ready.status!, lastHeartbeat: iso(99) } })).toEqual([]);
    expect(nodeTransition(ready, down)[0].object).toEqual({ kind: 'Node', stack: '', name: 'n1' });
  });
});

describe('gitSourceTransition', () => {
  const src = (status: GitSourceStatus): GitSource => ({
    apiVersion: 'stackd.io/v1',
    kind: 'GitSource',
    metadata: { ...web.metadata, name: 'infra', namespace: '' },
    spec: { repo: 'file:///repo', branch: 'main', path: '.', interval: '1m', prune: true, suspend: false },
    status,
  });
  const readyCond = (status: 'True' | 'False', reason: string, message: string) => [{ type: 'Ready', status, reason, message, lastTransitionTime: iso(0) }];
  const step = (a: GitSourceStatus, b: GitSourceStatus) => brief(gitSourceTransition(src(a), src(b)));
  const v1: GitSourceStatus = {
    lastAppliedRevision: 'main@111',
    lastAttemptedRevision: 'main@111',
    stacks: [{ stack: 'web', file: 'web.yaml', result: 'unchanged' }],
  };

  it('a new commit applied is SyncApplied; a resync of the same commit is nothing', () => {
    const v2: GitSourceStatus = {
      ...v1,
      lastAppliedRevision: 'main@222',
      lastAttemptedRevision: 'main@222',
      stacks: [{ stack: 'web', file: 'web.yaml', result: 'rolled out' }],
    };
    expect(step(v1, v2)).toEqual([['Normal', 'SyncApplied', 'applied main@222 (1 stack(s))']]);
    expect(step(v2, { ...v2, conditions: readyCond('True', 'Succeeded', 'applied') })).toEqual([]);
  });

  it('an invalid commit is held back with the validation message', () => {
    const bad: GitSourceStatus = {
      ...v1,
      lastAttemptedRevision: 'main@333',
      conditions: readyCond('False', 'ValidationFailed', 'revision main@333 is not valid, nothing applied:\nweb.yaml:2:3 bad'),
    };
    expect(step(v1, bad)).toEqual([['Warning', 'SyncHeldBack', 'main@333 not applied: revision main@333 is not valid, nothing applied:; web.yaml:2:3 bad']]);
  });

  it("stacks of an applied commit left alone (another owner's, or held at a rolled-back content) are held back", () => {
    const before: GitSourceStatus = { ...v1, stacks: [{ stack: 'web', file: 'web.yaml', result: 'rolled back', deployedAt: iso(5) }] };
    const after: GitSourceStatus = {
      lastAppliedRevision: 'main@444',
      lastAttemptedRevision: 'main@444',
      stacks: [
        { stack: 'db', file: 'db.yaml', result: 'conflict', message: 'stack db exists and belongs to someone; not touched' },
        { stack: 'web', file: 'web.yaml', result: 'rolled back', deployedAt: iso(5) },
      ],
    };
    expect(step(before, after)).toEqual([
      ['Normal', 'SyncApplied', 'applied main@444 (2 stack(s))'],
      ['Warning', 'SyncHeldBack', 'main@444: held back db: conflict (stack db exists and belongs to someone; not touched); web: rolled back'],
    ]);
  });

  it('a fetch failure is SyncFailed once, not on every retry', () => {
    const failing = { ...v1, conditions: readyCond('False', 'AuthenticationFailed', 'the server refused the credentials') };
    expect(step(v1, failing)).toEqual([['Warning', 'SyncFailed', 'AuthenticationFailed: the server refused the credentials']]);
    expect(step(failing, failing)).toEqual([]);
  });
});
