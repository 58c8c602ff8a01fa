import type { Service, ServiceUpdateStatus, Task } from '../../../src/api/objects.js';
import { applyToTask } from '../../../src/orchestrator/actions.js';
import { planService, type ServicePlanInput } from '../../../src/orchestrator/plan-service.js';
import { planRunState, stopBlockers } from '../../../src/orchestrator/stop.js';
import { specHash } from '../../../src/orchestrator/spec-hash.js';
import { at, counter, node, service, summarize, task, T0 } from './fixtures.js';

const stopped = (svc: Service, stopTimeoutSeconds?: number): Service => ({
  ...svc,
  spec: { ...svc.spec, stopped: true, ...(stopTimeoutSeconds !== undefined ? { stopTimeoutSeconds } : {}) },
});
const dependsOn = (name: string, deps: string[], stack = 'app') =>
  service(name, { depends_on: Object.fromEntries(deps.map((d) => [d, { condition: 'service_started' as const, required: true }])) }, stack);
const otherWeb = dependsOn('web', ['api'], 'other');

const input = (svc: Service, tasks: Task[], services: Service[] = [svc]): ServicePlanInput => ({
  service: svc,
  services,
  tasks,
  nodes: [node('a')],
  now: at(100),
  ids: counter(),
});

describe('stopBlockers: depends_on reversed', () => {
  // web → api → db (web depends on api, api on db)
  const [db, api, web] = [service('db'), dependsOn('api', ['db']), dependsOn('web', ['api'])];
  const running = (svc: Service, state: Task['status'] = undefined) =>
    task(svc, `${svc.metadata.name}1`, { slot: 1, node: 'a', ...(state ? { state: state.state } : {}) });
  type Case = [string, Service, Service[], Task[], string[]];
  const cases: Case[] = [
    ['stop of the project: db waits for api', stopped(db), [stopped(db), stopped(api), stopped(web)], [running(api), running(web)], ['api']],
    ['stop of the project: api waits for web', stopped(api), [stopped(db), stopped(api), stopped(web)], [running(web)], ['web']],
    ['stop of the project: web waits for nobody', stopped(web), [stopped(db), stopped(api), stopped(web)], [running(api)], []],
    ['api stopping once web is stopped', stopped(api), [stopped(api), stopped(web)], [task(web, 'w', { slot: 1, node: 'a', state: 'stopped' })], []],
    ['a dependent that ended holds nothing up', stopped(api), [stopped(api), stopped(web)], [task(web, 'w', { slot: 1, node: 'a', state: 'failed' })], []],
    ['a dependent not on a node yet holds nothing up', stopped(api), [stopped(api), stopped(web)], [task(web, 'w', { slot: 1, state: 'pending' })], []],
    ['a dependent still starting holds it up', stopped(api), [stopped(api), stopped(web)], [task(web, 'w', { slot: 1, node: 'a', state: 'preparing' })], ['web']],
    ['stop db alone: its running dependents are not stopped, so they wait for nothing', stopped(db), [stopped(db), api, web], [running(api), running(web)], []],
    ['a dependent of another stack is not one', stopped(api), [stopped(api), stopped(otherWeb)], [running(otherWeb)], []],
  ];
  it.each(cases)('%s', (_name, svc, services, tasks, blockers) => {
    expect(stopBlockers(svc, services, tasks)).toEqual(blockers);
  });
});

describe('planRunState', () => {
  const web = service('web', { deploy: { replicas: 3 } });

  it('stopping: live tasks get desiredState stopped with stop -t; an ended task stays ended', () => {
    const tasks = [task(web, 'a', { slot: 1, node: 'a' }), task(web, 'b', { slot: 2, state: 'pending' }), task(web, 'c', { slot: 3, node: 'a', state: 'failed' })];
    const plan = planRunState(stopped(web, 3), tasks, [stopped(web, 3)], tasks);
    expect(plan.actions).toEqual([
      { type: 'setRunState', taskName: 'a', desiredState: 'stopped', stopTimeoutSeconds: 3, reason: 'service stopped' },
      { type: 'setRunState', taskName: 'b', desiredState: 'stopped', stopTimeoutSeconds: 3, reason: 'service stopped' },
    ]);
    expect(applyToTask(tasks[0], plan.actions[0] as never, at(1)).spec).toMatchObject({ desiredState: 'stopped', stopTimeoutSeconds: 3 });
  });

  it('starting: stopped tasks are wanted running again, without the stop timeout', () => {
    const tasks = [task(web, 'a', { slot: 1, node: 'a', state: 'stopped', desired: 'stopped' })];
    tasks[0].spec.stopTimeoutSeconds = 3;
    const plan = planRunState(web, tasks, [web], tasks);
    expect(plan.actions).toEqual([{ type: 'setRunState', taskName: 'a', desiredState: 'running', reason: 'service started' }]);
    expect(applyToTask(tasks[0], plan.actions[0] as never, at(1)).spec).not.toHaveProperty('stopTimeoutSeconds');
  });

  it('starting: waits for dependencies being started, not for ones left stopped', () => {
    const api = service('api');
    const front = dependsOn('front', ['api']);
    const tasks = [task(front, 'f', { slot: 1, node: 'a', state: 'stopped', desired: 'stopped' }), task(api, 'x', { slot: 1, node: 'a', state: 'stopped' })];
    const waiting = planRunState(front, [tasks[0]], [front, api], tasks);
    expect(waiting).toEqual({ actions: [], waiting: 'starting after dependencies: waiting for api (service_started: 0/1 tasks running)' });
    expect(planRunState(front, [tasks[0]], [front, stopped(api)], tasks).actions).toHaveLength(1);
  });
});

describe('planService with a stopped service', () => {
  const web = service('web', { deploy: { replicas: 2 } });

  it('no replacement, no restart, no scale up while stopped; the slots stay occupied', () => {
    const tasks = [task(web, 'a', { slot: 1, node: 'a', state: 'stopped', desired: 'stopped' }), task(web, 'b', { slot: 2, node: 'a', state: 'failed', since: 1 })];
    const bigger = stopped(service('web', { deploy: { replicas: 4 } }));
    const plan = planService(input(bigger, tasks));
    expect(plan.actions).toEqual([]);
    expect(plan.requeueAfterMs).toBeUndefined();
    expect(plan.status.message).toBe('stopped');
  });

  it('a scale down still retires the slots above', () => {
    const tasks = [
      task(web, 'a', { slot: 1, node: 'a', state: 'stopped', desired: 'stopped' }),
      task(web, 'b', { slot: 2, node: 'a', state: 'stopped', desired: 'stopped' }),
    ];
    const plan = planService(input(stopped(service('web', { deploy: { replicas: 1 } })), tasks));
    expect(summarize(plan.actions)).toEqual(['setDesired b']);
  });

  it('a new template is not rolled out, and the rollout in progress (and its deadline) is frozen', () => {
    const v2 = stopped(service('web', { image: 'app:2', deploy: { replicas: 2 } }));
    const update: ServiceUpdateStatus = {
      state: 'updating',
      message: '',
      startedAt: T0.toISOString(),
      fromRevision: specHash(web.spec.template),
      toRevision: specHash(v2.spec.template),
      updated: 0,
      total: 2,
      failures: 0,
      verdicts: {},
    };
    const svc: Service = { ...v2, status: { update } };
    const tasks = [
      task(web, 'a', { slot: 1, node: 'a', state: 'stopped', desired: 'stopped' }),
      task(svc, 'b', { slot: 2, node: 'a', state: 'stopped', desired: 'stopped' }),
    ];
    const plan = planService({ ...input(svc, tasks), now: at(100_000) });
    expect(plan.actions).toEqual([]);
    expect(plan.rollout.update).toBe(update);
  });

  it('toggling stopped makes no new revision', () => {
    const tasks = [task(web, 'a', { slot: 1, node: 'a' }), task(web, 'b', { slot: 2, node: 'a' })];
    const first = planService(input(web, tasks)).rollout.revisions;
    const withHistory: Service = { ...web, status: { revisions: first } };
    expect(planService(input(stopped(withHistory), tasks)).rollout.revisions).toEqual(first);
    expect(planService(input(withHistory, tasks)).rollout.revisions).toEqual(first);
  });

  it('stopping then starting: the same tasks, first stopped, then running again', () => {
    const tasks = [task(web, 'a', { slot: 1, node: 'a' }), task(web, 'b', { slot: 2, node: 'a' })];
    expect(summarize(planService(input(stopped(web), tasks)).actions)).toEqual(['setRunState a', 'setRunState b']);
    const kept = tasks.map((t) => ({ ...t, spec: { ...t.spec, desiredState: 'stopped' as const }, status: { ...t.status!, state: 'stopped' as const } }));
    const start = planService(input(web, kept));
    expect(start.actions.map((a) => [a.type, (a as { desiredState?: string }).desiredState])).toEqual([
      ['setRunState', 'running'],
      ['setRunState', 'running'],
    ]);
  });

  it('global: a node that joins while the service is stopped gets its task on start', () => {
    const agent = service('agent', { deploy: { mode: 'global' } });
    const tasks = [task(agent, 'g', { node: 'a', state: 'stopped', desired: 'stopped' })];
    const nodes = [node('a'), node('b')];
    expect(planService({ ...input(stopped(agent), tasks), nodes }).actions).toEqual([]);
    expect(summarize(planService({ ...input(agent, tasks), nodes }).actions)).toEqual(['create node=b pending attempt=0', 'setRunState g']);
  });

  it('a pending task being stopped is not admitted', () => {
    const api = service('api');
    const front = stopped(dependsOn('front', ['api']));
    const tasks = [task(front, 'f', { slot: 1, state: 'new' }), task(api, 'x', { slot: 1, node: 'a' })];
    const plan = planService(input(front, tasks, [front, api]));
    expect(summarize(plan.actions)).toEqual(['setRunState f']);
  });
});
