import type { Node, Task } from '../../../src/api/objects.js';
import { actionTaskName, applyToTask, type OrchestratorAction } from '../../../src/orchestrator/actions.js';
import { planNodeLiveness } from '../../../src/orchestrator/node-liveness.js';
import { DEPENDENCY_RECHECK_MS, planService, type ServicePlanInput } from '../../../src/orchestrator/plan-service.js';
import { schedule } from '../../../src/scheduler/schedule.js';
import { at, counter, node, service, summarize, task, T0 } from './fixtures.js';

const input = (o: Partial<ServicePlanInput> & Pick<ServicePlanInput, 'service'>): ServicePlanInput => ({
  services: [o.service],
  tasks: [],
  nodes: [node('a'), node('b')],
  now: T0,
  ids: counter(),
  ...o,
});

/** The Store after the actions, as the reconcilers would write it (pure, for the tests). */
function apply(tasks: Task[], actions: OrchestratorAction[], now: Date): Task[] {
  let out = [...tasks];
  for (const a of actions) {
    if (a.type === 'create') out.push(a.task);
    else if (a.type === 'delete') out = out.filter((t) => t.metadata.name !== a.taskName);
    else out = out.map((t) => (t.metadata.name === a.taskName ? applyToTask(t, a, now) : t));
  }
  return out;
}
function assign(tasks: Task[], nodes: Node[]): Task[] {
  const { assignments } = schedule(tasks, nodes, tasks);
  const to = new Map(assignments.map((x) => [x.taskName, x.nodeName]));
  return tasks.map((t) =>
    to.has(t.metadata.name) ? { ...t, spec: { ...t.spec, nodeName: to.get(t.metadata.name) }, status: { ...t.status!, state: 'assigned' } } : t,
  );
}
const runAll = (tasks: Task[]) => tasks.map((t) => (t.status?.state === 'assigned' ? { ...t, status: { ...t.status, state: 'running' as const } } : t));

describe('planService', () => {
  it('a new service: creates its slots, nothing to wait for', () => {
    const web = service('web', { deploy: { replicas: 2 } });
    const plan = planService(input({ service: web }));
    expect(summarize(plan.actions)).toEqual(['create slot=1 pending attempt=0', 'create slot=2 pending attempt=0']);
    expect(plan.requeueAfterMs).toBeUndefined();
    expect(plan.status).toEqual({ replicas: { desired: 2, running: 0, failed: 0 }, message: '', conditions: [] });
  });

  it('unmet dependencies: tasks are created as new, with the reason, and the key is requeued', () => {
    const db = service('db');
    const web = service('web', { depends_on: { db: { condition: 'service_started', required: true } } });
    const plan = planService(input({ service: web, services: [web, db] }));
    expect(summarize(plan.actions)).toEqual(['create slot=1 new attempt=0']);
    const created = plan.actions[0].type === 'create' ? plan.actions[0].task : undefined;
    expect(created?.status?.message).toBe('waiting for db (service_started: 0/1 tasks running)');
    expect(plan.requeueAfterMs).toBe(DEPENDENCY_RECHECK_MS);
    expect(plan.status.message).toBe('waiting for db (service_started: 0/1 tasks running)');
    expect(plan.status.conditions).toEqual([
      { type: 'DependenciesReady', status: 'False', reason: 'Waiting', message: 'waiting for db (service_started: 0/1 tasks running)', observedGeneration: 1 },
    ]);
  });

  it('met dependencies: waiting tasks are admitted to the scheduler', () => {
    const db = service('db');
    const web = service('web', { depends_on: { db: { condition: 'service_started', required: true } } });
    const tasks = [task(db, 'd', { slot: 1 }), task(web, 'w', { slot: 1, state: 'new' })];
    const plan = planService(input({ service: web, services: [web, db], tasks }));
    expect(plan.actions).toEqual([{ type: 'admit', taskName: 'w', message: 'dependencies met; pending task scheduling' }]);
    expect(plan.requeueAfterMs).toBeUndefined();
    expect(plan.status.conditions[0]).toMatchObject({ type: 'DependenciesReady', status: 'True', reason: 'Satisfied' });
  });

  it('a failed task: replaced after the restart delay, requeued until then, and the status says so', () => {
    const web = service('web');
    const tasks = [task(web, 'w', { slot: 1, node: 'a', state: 'failed', exitCode: 1, since: 10 })];
    const early = planService(input({ service: web, tasks, now: at(12) }));
    expect(early.actions).toEqual([]);
    expect(early.requeueAfterMs).toBe(3000);
    expect(early.status).toMatchObject({ replicas: { desired: 1, running: 0, failed: 1 }, message: 'task w failed (exit code 1); restarting in 3s' });
    const due = planService(input({ service: web, tasks, now: at(15) }));
    expect(summarize(due.actions)).toEqual(['create slot=1 pending attempt=1', 'setDesired w']);
    expect(due.requeueAfterMs).toBeUndefined();
  });

  it('restarts exhausted: the status says why the slot stays down', () => {
    const web = service('web', { deploy: { restart_policy: { max_attempts: 1 } } });
    const tasks = [task(web, 'w', { slot: 1, node: 'a', state: 'failed', exitCode: 1, restart: { attempt: 1, history: [] } })];
    const plan = planService(input({ service: web, tasks, now: at(60) }));
    expect(plan.actions).toEqual([]);
    expect(plan.status.message).toBe('task w failed (exit code 1); restart_policy max_attempts 1 reached');
  });

  it('a node no longer satisfying the constraints: its task is stopped and its slot refilled in the same plan', () => {
    const web = service('web', { deploy: { placement: { constraints: ['node.labels.zone==east'] } } });
    const nodes = [node('a'), node('b', { labels: { zone: 'east' } })];
    const plan = planService(input({ service: web, nodes, tasks: [task(web, 'w', { slot: 1, node: 'a' })] }));
    expect(summarize(plan.actions)).toEqual(['create slot=1 pending attempt=0', 'setDesired w']);
  });

  it('invalid constraints show in the status', () => {
    const web = service('web', { deploy: { placement: { constraints: ['zone=east'] } } });
    expect(planService(input({ service: web })).status.message).toBe('invalid constraint "zone=east": expected KEY==VALUE or KEY!=VALUE');
  });

  it('old history is deleted, and never a task the plan already acts on', () => {
    const web = service('web');
    const history = Array.from({ length: 6 }, (_, i) => task(web, `h${i}`, { slot: 1, node: 'a', state: 'failed', desired: 'shutdown', created: i }));
    const plan = planService(input({ service: web, tasks: [...history, task(web, 'cur', { slot: 1, node: 'a', created: 10 })] }));
    expect(plan.actions).toEqual([{ type: 'delete', taskName: 'h0', reason: 'task history limit' }]);
  });

  it('a global service: desired is the eligible nodes', () => {
    const agent = service('agent', { deploy: { mode: 'global' } });
    const nodes = [node('a'), node('b'), node('c', { availability: 'drain' })];
    const plan = planService(input({ service: agent, nodes, tasks: [task(agent, 'g', { node: 'a' })] }));
    expect(summarize(plan.actions)).toEqual(['create node=b pending attempt=0']);
    expect(plan.status.replicas).toEqual({ desired: 2, running: 1, failed: 0 });
  });

  it('never names a task twice', () => {
    const db = service('db');
    const web = service('web', {
      deploy: { replicas: 2, placement: { constraints: ['node.role==worker'] } },
      depends_on: { db: { condition: 'service_started', required: true } },
    });
    const tasks = [
      task(db, 'd', { slot: 1, node: 'a' }),
      task(web, 'x', { slot: 1, node: 'm', state: 'failed', since: 0 }),
      task(web, 'y', { slot: 2, state: 'new' }),
      task(web, 'z', { slot: 3, node: 'a' }),
      ...Array.from({ length: 6 }, (_, i) => task(web, `h${i}`, { slot: 1, node: 'a', state: 'failed', desired: 'shutdown', created: -10 + i })),
    ];
    const plan = planService(input({ service: web, services: [web, db], tasks, nodes: [node('a'), node('m', { role: 'manager' })], now: at(100) }));
    const names = plan.actions.map(actionTaskName);
    expect(new Set(names).size).toBe(names.length);
    expect(plan.actions.length).toBeGreaterThan(3);
  });
});

describe('the planners together', () => {
  it('a lost node: its tasks are orphaned, replaced at once without the restart delay, and placed on the surviving node', () => {
    const web = service('web', { deploy: { replicas: 2, restart_policy: { delay: '1m' } } });
    const nodes = [node('a'), node('b')];
    let tasks = apply([], planService(input({ service: web, nodes, ids: counter('w') })).actions, T0);
    tasks = runAll(assign(tasks, nodes));
    expect(tasks.map((t) => t.spec.nodeName).sort()).toEqual(['a', 'b']);

    const liveness = planNodeLiveness(nodes, { a: false, b: true }, tasks);
    expect(liveness.nodeActions).toEqual([{ type: 'setNodeState', nodeName: 'a', state: 'down', message: 'heartbeat lease expired' }]);
    tasks = apply(tasks, liveness.taskActions, at(1));
    const downNodes = nodes.map((n) => (n.metadata.name === 'a' ? node('a', { state: 'down' }) : n));

    const plan = planService(input({ service: web, nodes: downNodes, tasks, now: at(1), ids: counter('r') }));
    expect(summarize(plan.actions)).toEqual(['create slot=1 pending attempt=0']); // no 1-minute delay
    tasks = runAll(assign(apply(tasks, plan.actions, at(1)), downNodes));
    const live = tasks.filter((t) => t.spec.desiredState === 'running').map((t) => `${t.spec.slot}@${t.spec.nodeName}:${t.status?.state}`);
    expect(live.sort()).toEqual(['1@b:running', '2@b:running']);
    expect(tasks.find((t) => t.status?.state === 'orphaned')?.spec.nodeName).toBe('a');
  });

  it('a drain: tasks stop on the drained node and come back on the others', () => {
    const web = service('web', { deploy: { replicas: 2 } });
    let nodes = [node('a'), node('b')];
    let tasks = runAll(assign(apply([], planService(input({ service: web, nodes })).actions, T0), nodes));
    nodes = [node('a', { availability: 'drain' }), node('b')];
    tasks = apply(tasks, planNodeLiveness(nodes, { a: true, b: true }, tasks).taskActions, at(1));
    const plan = planService(input({ service: web, nodes, tasks, now: at(1), ids: counter('r') }));
    tasks = runAll(assign(apply(tasks, plan.actions, at(1)), nodes));
    const live = tasks.filter((t) => t.spec.desiredState === 'running').map((t) => t.spec.nodeName);
    expect(live).toEqual(['b', 'b']);
  });

  it('a restart record survives a leader change: the same Store gives the same decisions', () => {
    const web = service('web', { deploy: { restart_policy: { max_attempts: 2, delay: '0s' } } });
    const nodes = [node('a')];
    let tasks = runAll(assign(apply([], planService(input({ service: web, nodes })).actions, T0), nodes));
    const fail = (ts: Task[], s: number) =>
      ts.map((t) => (t.status?.state === 'running' ? { ...t, status: { ...t.status, state: 'failed' as const, timestamp: at(s).toISOString() } } : t));
    for (let round = 1; round <= 3; round++) {
      tasks = fail(tasks, round * 10);
      // a fresh planner every round (a new leader): nothing but the tasks is carried over
      const plan = planService(input({ service: web, nodes, tasks, now: at(round * 10), ids: counter(`r${round}-`) }));
      tasks = runAll(assign(apply(tasks, plan.actions, at(round * 10)), nodes));
    }
    expect(tasks.map((t) => `${t.spec.restart?.attempt}:${t.status?.state}:${t.spec.desiredState}`)).toEqual([
      '0:failed:shutdown',
      '1:failed:shutdown',
      '2:failed:running', // the third failure is final: max_attempts 2
    ]);
  });
});

describe('applyToTask', () => {
  const web = service('web');
  const t = task(web, 'w', { slot: 1, node: 'a', state: 'new' });
  it('setDesired records the reason', () => {
    expect(applyToTask(t, { type: 'setDesired', taskName: 'w', desiredState: 'shutdown', reason: 'scaled down to 0' }, at(1)).spec).toMatchObject({
      desiredState: 'shutdown',
      shutdownReason: 'scaled down to 0',
    });
  });
  it('admit moves new to pending', () => {
    expect(applyToTask(t, { type: 'admit', taskName: 'w', message: 'go' }, at(1)).status).toEqual({
      state: 'pending',
      timestamp: at(1).toISOString(),
      message: 'go',
    });
  });
  it('orphan ends the task and asks the agent to stop it', () => {
    const next = applyToTask(t, { type: 'orphan', taskName: 'w', reason: 'node a down' }, at(2));
    expect(next.spec).toMatchObject({ desiredState: 'shutdown', shutdownReason: 'node a down' });
    expect(next.status).toMatchObject({ state: 'orphaned', message: 'node a down', timestamp: at(2).toISOString() });
  });
});
