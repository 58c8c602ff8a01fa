// Builders for planner tests: a normalized service with Swarm's defaults, tasks, nodes.
import type { Node, NodeSpec, NodeStatus, Service, Task, TaskState } from '../../../src/api/objects.js';
import type { DeploySpec, ServiceSpec } from '../../../src/stackfile/types.js';
import { specHash } from '../../../src/orchestrator/spec-hash.js';

export const T0 = new Date('2026-01-01T00:00:00.000Z');
/** T0 + seconds */
export const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
export const iso = (seconds: number) => at(seconds).toISOString();

type DeployPatch = Partial<Omit<DeploySpec, 'restart_policy' | 'placement'>> & {
  restart_policy?: Partial<DeploySpec['restart_policy']>;
  placement?: Partial<DeploySpec['placement']>;
};
type SpecPatch = Partial<Omit<ServiceSpec, 'deploy'>> & { deploy?: DeployPatch };

export function template(patch: SpecPatch = {}): ServiceSpec {
  const update = { parallelism: 1, delay: '0s', failure_action: 'pause' as const, monitor: '5s', max_failure_ratio: 0, order: 'stop-first' as const };
  const { deploy = {}, ...rest } = patch;
  return {
    image: 'app:1',
    environment: {},
    ports: [],
    volumes: [],
    networks: {},
    labels: {},
    stop_grace_period: '10s',
    depends_on: {},
    configs: [],
    secrets: [],
    ...rest,
    deploy: {
      mode: 'replicated',
      replicas: 1,
      endpoint_mode: 'vip',
      labels: {},
      resources: { limits: {}, reservations: {} },
      update_config: update,
      rollback_config: update,
      ...deploy,
      restart_policy: { condition: 'any', delay: '5s', max_attempts: 0, window: '0s', ...deploy.restart_policy },
      placement: { constraints: [], preferences: [], ...deploy.placement },
    },
  };
}

export function service(name: string, patch: SpecPatch = {}, stack = 'app'): Service {
  return {
    apiVersion: 'stackd.io/v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: stack,
      uid: `uid-${name}`,
      generation: 1,
      resourceVersion: '1',
      labels: {},
      annotations: {},
      creationTimestamp: T0.toISOString(),
      ownerReferences: [],
    },
    spec: { stack, template: template(patch) },
  };
}

export interface TaskOpts {
  slot?: number;
  node?: string;
  state?: TaskState;
  desired?: 'running' | 'stopped' | 'shutdown';
  /** creation time, seconds after T0 */
  created?: number;
  /** when the state was entered, seconds after T0 (default: created) */
  since?: number;
  exitCode?: number;
  error?: string;
  health?: 'starting' | 'healthy' | 'unhealthy';
  restart?: { attempt: number; history: string[] };
  /** the service whose template the task runs (default: svc itself, i.e. up to date) */
  from?: Service;
}

export function task(svc: Service, name: string, o: TaskOpts = {}): Task {
  const tpl = (o.from ?? svc).spec.template;
  const created = o.created ?? 0;
  return {
    apiVersion: 'stackd.io/v1',
    kind: 'Task',
    metadata: {
      name,
      namespace: svc.metadata.namespace,
      uid: name,
      generation: 1,
      resourceVersion: '5',
      labels: {},
      annotations: {},
      creationTimestamp: iso(created),
      ownerReferences: [],
    },
    spec: {
      stack: svc.spec.stack,
      service: svc.metadata.name,
      ...(o.slot !== undefined ? { slot: o.slot } : {}),
      ...(o.node !== undefined ? { nodeName: o.node } : {}),
      desiredState: o.desired ?? 'running',
      specHash: specHash(tpl),
      template: tpl,
      ...(o.restart ? { restart: o.restart } : {}),
    },
    status: {
      state: o.state ?? 'running',
      timestamp: iso(o.since ?? created),
      message: '',
      ...(o.exitCode !== undefined ? { exitCode: o.exitCode } : {}),
      ...(o.error !== undefined ? { error: o.error } : {}),
      ...(o.health !== undefined ? { health: o.health } : {}),
    },
  };
}

export interface NodeOpts {
  state?: NodeStatus['state'];
  availability?: NodeSpec['availability'];
  role?: NodeSpec['role'];
  labels?: Record<string, string>;
  engineLabels?: Record<string, string>;
  cpus?: number;
  memory?: number;
  hostname?: string;
}

export function node(name: string, o: NodeOpts = {}): Node {
  return {
    apiVersion: 'stackd.io/v1',
    kind: 'Node',
    metadata: {
      name,
      namespace: '',
      uid: `uid-${name}`,
      generation: 1,
      resourceVersion: '3',
      labels: {},
      annotations: {},
      creationTimestamp: T0.toISOString(),
      ownerReferences: [],
    },
    spec: { role: o.role ?? 'worker', availability: o.availability ?? 'active', labels: o.labels ?? {} },
    status: {
      state: o.state ?? 'ready',
      hostname: o.hostname ?? `${name}.local`,
      engineLabels: o.engineLabels ?? {},
      cpus: o.cpus ?? 4,
      memoryBytes: o.memory ?? 8 * 1024 ** 3,
      platform: { os: 'linux', arch: 'x86_64' },
    },
  };
}

/** ids t1, t2, ... */
export function counter(prefix = 'n'): () => string {
  let n = 0;
  return () => `${prefix}${++n}`;
}

/** A compact, order-independent view of actions: "create slot=2 node=- state=pending", "setDesired t3", ... */
export function summarize(actions: import('../../../src/orchestrator/actions.js').OrchestratorAction[]): string[] {
  return actions
    .map((a) => {
      if (a.type === 'create') {
        const s = a.task.spec;
        return `create ${s.slot !== undefined ? `slot=${s.slot}` : `node=${s.nodeName}`} ${a.task.status!.state} attempt=${s.restart?.attempt ?? 0}`;
      }
      return `${a.type} ${a.taskName}`;
    })
    .sort();
}
