import type { Service, ServiceUpdateStatus, Task } from '../../../src/api/objects.js';
import { judgeRollout } from '../../../src/gitops/stack-result.js';
import { specHash } from '../../../src/orchestrator/spec-hash.js';
import type { ServiceSpec } from '../../../src/stackfile/types.js';

const tpl = { image: 'x', deploy: { mode: 'replicated', replicas: 1, restart_policy: { condition: 'any' } } } as unknown as ServiceSpec;
const since = new Date('2026-01-01T00:00:00Z');

function service(update?: Partial<ServiceUpdateStatus>, observed = true): Service {
  return {
    apiVersion: 'stackd.io/v1',
    kind: 'Service',
    metadata: {
      name: 'app',
      namespace: 's',
      uid: 'u',
      generation: 2,
      resourceVersion: '1',
      labels: {},
      annotations: {},
      creationTimestamp: '',
      ownerReferences: [],
    },
    spec: { stack: 's', template: tpl },
    status: {
      observedGeneration: observed ? 2 : 1,
      ...(update
        ? {
            update: {
              state: 'completed',
              message: '',
              startedAt: since.toISOString(),
              fromRevision: 'a',
              toRevision: specHash(tpl),
              updated: 1,
              total: 1,
              failures: 0,
              verdicts: {},
              ...update,
            },
          }
        : {}),
    },
  };
}
const running: Task = {
  apiVersion: 'stackd.io/v1',
  kind: 'Task',
  metadata: { name: 't', namespace: 's', uid: 't', generation: 1, resourceVersion: '1', labels: {}, annotations: {}, creationTimestamp: '', ownerReferences: [] },
  spec: { stack: 's', service: 'app', slot: 1, desiredState: 'running', specHash: specHash(tpl), template: tpl },
  status: { state: 'running', timestamp: '', message: '' },
};

describe('judgeRollout', () => {
  test('rolled out once every replica of the spec runs and the rollout completed', () => {
    expect(judgeRollout([service({ state: 'completed' })], [running], since)).toEqual({ result: 'rolled out' });
  });

  test('rolling out while the manager has not seen the spec or the update runs', () => {
    expect(judgeRollout([service(undefined, false)], [running], since).result).toBe('rolling out');
    expect(judgeRollout([service({ state: 'updating', message: '0/1 updated' })], [], since)).toMatchObject({ result: 'rolling out' });
  });

  test('a rollback since the write: rolling out while it runs, rolled back once done, with the cause', () => {
    const cause = { reason: 'TaskFailed' as const, message: 'task t failed: exit 1' };
    expect(judgeRollout([service({ state: 'rollback_started', rollbackCause: cause })], [], since)).toEqual({
      result: 'rolling out',
      message: 'app: rolling back: task t failed: exit 1',
    });
    expect(judgeRollout([service({ state: 'rollback_completed', rollbackCause: cause })], [running], since)).toEqual({
      result: 'rolled back',
      message: 'app: task t failed: exit 1',
    });
  });

  test("a rollback from before the write is not this sync's", () => {
    const old = service({ state: 'rollback_completed', startedAt: '2025-01-01T00:00:00Z' });
    expect(judgeRollout([old], [running], since).result).not.toBe('rolled back');
  });

  test('a paused update is a failure', () => {
    expect(judgeRollout([service({ state: 'paused', message: 'update paused: task failed' })], [running], since)).toEqual({
      result: 'failed',
      message: 'app: update paused: update paused: task failed',
    });
  });
});
