import { formatPorts } from '../../../src/compose/containers.js';
import { logPrefix } from '../../../src/compose/log-mux.js';
import { upProgress } from '../../../src/compose/up-progress.js';
import { shortCommand } from '../../../src/cli/commands/compose-ps.js';
import type { Service, Task, TaskState } from '../../../src/api/objects.js';
import { specHash } from '../../../src/orchestrator/spec-hash.js';
import { DEFAULT_RESTART_POLICY, type ServiceSpec } from '../../../src/stackfile/index.js';

test("formatPorts: Docker's PORTS column, published first by target port, no duplicates", () => {
  expect(
    formatPorts([
      { PrivatePort: 80, PublicPort: 8088, IP: '0.0.0.0', Type: 'tcp' },
      { PrivatePort: 80, PublicPort: 8088, IP: '0.0.0.0', Type: 'tcp' },
      { PrivatePort: 53, Type: 'udp' },
    ]),
  ).toBe('53/udp, 0.0.0.0:8088->80/tcp');
});

test('logPrefix: padded to the widest service, coloured only when asked', () => {
  expect(logPrefix('web', 1, 8, undefined)).toBe('web-1     | ');
  expect(logPrefix('web', 1, 5, 36)).toBe('\x1b[36mweb-1  | \x1b[0m');
});

test('shortCommand: quoted, cut with an ellipsis like docker ps', () => {
  expect(shortCommand('sh ./goose up')).toBe('"sh ./goose up"');
  expect(shortCommand('mysqld-standin --character-set-server=utf8mb4')).toBe('"mysqld-standin --ch…"');
});

describe('upProgress', () => {
  const since = new Date('2026-01-01T00:00:00Z');
  const template = (over: Partial<ServiceSpec> = {}): ServiceSpec =>
    ({
      image: 'x',
      depends_on: {},
      deploy: { mode: 'replicated', replicas: 1, restart_policy: { ...DEFAULT_RESTART_POLICY, condition: 'none' } },
      ...over,
    }) as unknown as ServiceSpec;
  const service = (name: string, t: ServiceSpec): Service =>
    ({
      kind: 'Service',
      metadata: { name, namespace: 'p', generation: 1 },
      spec: { stack: 'p', template: t },
      status: { observedGeneration: 1 },
    }) as unknown as Service;
  const task = (svc: string, t: ServiceSpec, state: TaskState, extra: Partial<Task['status']> = {}): Task =>
    ({
      kind: 'Task',
      metadata: { name: `${svc}-task`, namespace: 'p' },
      spec: { stack: 'p', service: svc, slot: 1, desiredState: 'running', specHash: specHash(t), template: t },
      status: { state, timestamp: '', message: '', ...extra },
    }) as unknown as Task;

  test('-d: done once every container started, a one-shot job still running or already exited', () => {
    const web = template();
    const job = template();
    const services = [service('web', web), service('job', job)];
    expect(upProgress(services, [task('web', web, 'running'), task('job', job, 'starting')], ['job', 'web'], 'started', since).done).toBe(false);
    const p = upProgress(services, [task('web', web, 'running'), task('job', job, 'complete')], ['job', 'web'], 'started', since);
    expect(p).toEqual({
      done: true,
      errors: [],
      containers: [
        { name: 'job-1', state: 'Exited' },
        { name: 'web-1', state: 'Started' },
      ],
    });
  });

  test('--wait: a healthcheck must pass; a one-shot job must complete, and its failure is an error', () => {
    const web = template({ healthcheck: { test: ['CMD', 'true'], interval: '1s', timeout: '1s', retries: 1, start_period: '0s' } });
    const job = template();
    const services = [service('web', web), service('job', job)];
    expect(upProgress(services, [task('web', web, 'running', { health: 'starting' }), task('job', job, 'complete')], ['job', 'web'], 'healthy', since).done).toBe(
      false,
    );
    expect(upProgress(services, [task('web', web, 'running', { health: 'healthy' }), task('job', job, 'complete')], ['job', 'web'], 'healthy', since).done).toBe(
      true,
    );
    const failed = upProgress(
      services,
      [task('web', web, 'running', { health: 'healthy' }), task('job', job, 'failed', { exitCode: 2 })],
      ['job', 'web'],
      'healthy',
      since,
    );
    expect(failed.errors).toEqual(['job: task job-task failed (exit code 2); restart_policy condition none']);
  });

  test('a service not written yet, or not seen by the manager, is not done', () => {
    const web = template();
    expect(upProgress([], [], ['web'], 'started', since).done).toBe(false);
    const unseen = { ...service('web', web), status: { observedGeneration: 0 } } as Service;
    expect(upProgress([unseen], [], ['web'], 'started', since).done).toBe(false);
  });
});
