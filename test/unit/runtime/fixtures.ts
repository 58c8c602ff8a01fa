// Tasks built by hand, as the orchestrator would write them (the normalized spec's defaults).
import { API_VERSION } from '../../../src/api/meta.js';
import type { Task } from '../../../src/api/objects.js';
import type { ServiceSpec, UpdateConfigSpec } from '../../../src/stackfile/types.js';

const update: UpdateConfigSpec = { parallelism: 1, delay: '0s', failure_action: 'pause', monitor: '5s', max_failure_ratio: 0, order: 'stop-first' };

export function service(overrides: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    image: 'stackd/busybox:latest',
    environment: {},
    ports: [],
    volumes: [],
    networks: { default: { aliases: [] } },
    labels: {},
    stop_grace_period: '10s',
    depends_on: {},
    configs: [],
    secrets: [],
    deploy: {
      mode: 'replicated',
      replicas: 1,
      endpoint_mode: 'vip',
      labels: {},
      placement: { constraints: [], preferences: [] },
      resources: { limits: {}, reservations: {} },
      restart_policy: { condition: 'any', delay: '5s', max_attempts: 0, window: '0s' },
      update_config: update,
      rollback_config: update,
    },
    ...overrides,
  };
}

export function task(opts: { stack?: string; service?: string; id?: string; slot?: number | null; template?: ServiceSpec } = {}): Task {
  const stack = opts.stack ?? 'demo';
  const id = opts.id ?? 'tid0001';
  return {
    apiVersion: API_VERSION,
    kind: 'Task',
    metadata: {
      name: id,
      namespace: stack,
      uid: `uid-${id}`,
      generation: 1,
      resourceVersion: '1',
      labels: {},
      annotations: {},
      creationTimestamp: '2026-01-01T00:00:00Z',
      ownerReferences: [],
    },
    spec: {
      stack,
      service: opts.service ?? 'web',
      ...(opts.slot === null ? {} : { slot: opts.slot ?? 1 }),
      nodeName: 'node-1',
      desiredState: 'running',
      specHash: 'hash1',
      template: opts.template ?? service(),
    },
  };
}
