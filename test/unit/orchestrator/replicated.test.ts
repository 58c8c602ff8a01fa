import type { Service, Task } from '../../../src/api/objects.js';
import { planReplicated, planReplicatedDetailed } from '../../../src/orchestrator/replicated.js';
import { specHash } from '../../../src/orchestrator/spec-hash.js';
import { at, counter, service, summarize, task, T0 } from './fixtures.js';

const web = (replicas: number) => service('web', { deploy: { replicas } });

describe('planReplicated', () => {
  const cases: Array<[string, Service, (s: Service) => Task[], string[]]> = [
    [
      'creates every slot of a new service',
      web(3),
      () => [],
      ['create slot=1 pending attempt=0', 'create slot=2 pending attempt=0', 'create slot=3 pending attempt=0'],
    ],
    ['does nothing when every slot runs', web(2), (s) => [task(s, 'a', { slot: 1 }), task(s, 'b', { slot: 2 })], []],
    ['scales up into the missing slots only', web(3), (s) => [task(s, 'a', { slot: 1 })], ['create slot=2 pending attempt=0', 'create slot=3 pending attempt=0']],
    ['fills a gap left in the middle', web(3), (s) => [task(s, 'a', { slot: 1 }), task(s, 'c', { slot: 3 })], ['create slot=2 pending attempt=0']],
    [
      'scales down by shutting down the highest slots',
      web(1),
      (s) => [task(s, 'a', { slot: 1 }), task(s, 'b', { slot: 2 }), task(s, 'c', { slot: 3 })],
      ['setDesired b', 'setDesired c'],
    ],
    ['scales to zero', web(0), (s) => [task(s, 'a', { slot: 1 }), task(s, 'b', { slot: 2 })], ['setDesired a', 'setDesired b']],
    ['deletes a scaled-down task that never reached a node', web(1), (s) => [task(s, 'a', { slot: 1 }), task(s, 'b', { slot: 2, state: 'pending' })], ['delete b']],
    ['leaves history alone', web(1), (s) => [task(s, 'old', { slot: 1, state: 'failed', desired: 'shutdown' }), task(s, 'a', { slot: 1, created: 10 })], []],
    [
      'refills a slot whose task the manager shut down (drained, orphaned)',
      web(1),
      (s) => [task(s, 'a', { slot: 1, state: 'running', desired: 'shutdown' })],
      ['create slot=1 pending attempt=0'],
    ],
    [
      'keeps the newest of duplicates in a slot',
      web(1),
      (s) => [task(s, 'old', { slot: 1, created: 1 }), task(s, 'new', { slot: 1, created: 2 })],
      ['setDesired old'],
    ],
    ['retires a task without a slot', web(1), (s) => [task(s, 'a', { slot: 1 }), task(s, 'stray', {})], ['setDesired stray']],
    [
      'keeps a slot still stopping after scale down from shutting down twice',
      web(1),
      (s) => [task(s, 'a', { slot: 1 }), task(s, 'b', { slot: 2, desired: 'shutdown' })],
      [],
    ],
  ];
  it.each(cases)('%s', (_name, svc, tasks, expected) => {
    expect(summarize(planReplicated(svc, tasks(svc), T0, counter()))).toEqual(expected);
  });

  it('new tasks carry the template, its hash, the slot, an owner reference and labels', () => {
    const svc = web(1);
    const [create] = planReplicated(svc, [], at(3), counter('id-'));
    expect(create.type).toBe('create');
    if (create.type !== 'create') return;
    const t = create.task;
    expect(t.metadata).toMatchObject({
      name: 'id-1',
      namespace: 'app',
      creationTimestamp: at(3).toISOString(),
      labels: { 'io.stackd.stack': 'app', 'io.stackd.service': 'web' },
    });
    expect(t.metadata.ownerReferences).toEqual([{ apiVersion: 'stackd.io/v1', kind: 'Service', name: 'web', uid: 'uid-web', controller: true }]);
    expect(t.spec).toMatchObject({
      stack: 'app',
      service: 'web',
      slot: 1,
      desiredState: 'running',
      specHash: specHash(svc.spec.template),
      template: svc.spec.template,
    });
    expect(t.spec.nodeName).toBeUndefined();
    expect(t.status).toEqual({ state: 'pending', timestamp: at(3).toISOString(), message: 'pending task scheduling' });
  });

  it('restarts an ended task per policy: not before the delay, then replace it', () => {
    const svc = web(1);
    const failed = task(svc, 'a', { slot: 1, state: 'failed', exitCode: 1, since: 10 });
    const early = planReplicatedDetailed(svc, [failed], at(12), counter());
    expect(early.actions).toEqual([]);
    expect(early.wakeAt).toEqual(at(15)); // 5s default delay after the failure
    const due = planReplicatedDetailed(svc, [failed], at(15), counter());
    expect(summarize(due.actions)).toEqual(['create slot=1 pending attempt=1', 'setDesired a']);
    expect(due.actions.find((a) => a.type === 'setDesired')).toMatchObject({ reason: 'restarted: task a failed (exit code 1)' });
    expect(due.wakeAt).toBeUndefined();
  });

  it('a slot whose restart is exhausted stays as it is and is not refilled by scaling', () => {
    const svc = service('job', { deploy: { replicas: 2, restart_policy: { condition: 'none' } } });
    const tasks = [task(svc, 'a', { slot: 1, state: 'complete', exitCode: 0 }), task(svc, 'b', { slot: 2, state: 'failed', exitCode: 2 })];
    expect(planReplicated(svc, tasks, at(100), counter())).toEqual([]);
  });

  it('carries the restart record into a slot refilled after the manager shut its task down', () => {
    const svc = web(1);
    const record = { attempt: 2, history: [at(1).toISOString(), at(2).toISOString()] };
    const [create] = planReplicated(svc, [task(svc, 'a', { slot: 1, desired: 'shutdown', restart: record })], at(5), counter());
    expect(create.type === 'create' && create.task.spec.restart).toEqual(record);
  });

  it('an empty slot of a new revision starts its record afresh', () => {
    const old = service('web', { image: 'app:1' });
    const svc = service('web', { image: 'app:2' });
    const [create] = planReplicated(svc, [task(svc, 'a', { slot: 1, desired: 'shutdown', from: old, restart: { attempt: 4, history: [] } })], at(5), counter());
    expect(create.type === 'create' && create.task.spec.restart).toEqual({ attempt: 0, history: [] });
  });

  it('never names a task twice', () => {
    const svc = web(2);
    const tasks = [
      task(svc, 'a', { slot: 1, state: 'failed', since: 0 }),
      task(svc, 'a2', { slot: 1, state: 'running', created: -1 }),
      task(svc, 'b', { slot: 3, state: 'failed', since: 0 }),
    ];
    const names = planReplicated(svc, tasks, at(60), counter()).map((a) => (a.type === 'create' ? a.task.metadata.name : a.taskName));
    expect(new Set(names).size).toBe(names.length);
  });
});
