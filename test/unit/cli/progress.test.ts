import type { Service, Task, TaskState } from '../../../src/api/objects.js';
import { stackProgress } from '../../../src/cli/progress.js';
import { specHash } from '../../../src/orchestrator/spec-hash.js';
import type { ServiceSpec } from '../../../src/stackfile/types.js';

const template = (replicas: number, condition: 'any' | 'none' = 'any'): ServiceSpec =>
  ({ image: 'x', deploy: { mode: 'replicated', replicas, restart_policy: { condition } } }) as unknown as ServiceSpec;

function service(name: string, tpl: ServiceSpec, observed = true): Service {
  return {
    apiVersion: 'stackd.io/v1',
    kind: 'Service',
    metadata: { name, namespace: 's', uid: name, generation: 2, resourceVersion: '1', labels: {}, annotations: {}, creationTimestamp: '', ownerReferences: [] },
    spec: { stack: 's', template: tpl },
    status: { observedGeneration: observed ? 2 : 1 },
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
    status: { state, timestamp: '', message: '', ...extra },
  };
}

describe('stackProgress', () => {
  const two = template(2);
  it('is done when every replica of the current spec runs and the spec was observed', () => {
    const p = stackProgress([service('web', two)], [task('web', two, 'running'), task('web', two, 'running')]);
    expect(p).toMatchObject({ done: true, failed: false, services: [{ name: 's_web', desired: 2, running: 2 }] });
  });

  it('is not done while the controller has not observed the new generation', () => {
    const p = stackProgress([service('web', two, false)], [task('web', two, 'running'), task('web', two, 'running')]);
    expect(p.done).toBe(false);
  });

  it('does not count tasks of an older spec, nor extra tasks still shutting down', () => {
    const old = template(1);
    const p = stackProgress([service('web', template(1))], [task('web', { ...old, image: 'old' }, 'running')]);
    expect(p.services[0].running).toBe(0);
    const scaledDown = stackProgress([service('web', template(1))], [task('web', old, 'running'), task('web', old, 'running')]);
    expect(scaledDown.done).toBe(false);
  });

  it('fails on a rejected task, with its error', () => {
    const p = stackProgress([service('web', two)], [task('web', two, 'running'), task('web', two, 'rejected', { error: 'No such image: x' })]);
    expect(p.failed).toBe(true);
    expect(p.services[0].error).toBe('s_web: task rejected: No such image: x');
  });

  it('counts a one-shot job that exited 0 as done', () => {
    const job = template(1, 'none');
    expect(stackProgress([service('migrate', job)], [task('migrate', job, 'complete')]).done).toBe(true);
    const daemon = template(1, 'any');
    expect(stackProgress([service('db', daemon)], [task('db', daemon, 'complete')]).done).toBe(false);
  });

  it('says why a service waits', () => {
    const p = stackProgress([service('web', two)], [task('web', two, 'pending', { message: 'no suitable node (1 node not ready)' })]);
    expect(p.services[0].waiting).toBe('no suitable node (1 node not ready)');
  });
});
