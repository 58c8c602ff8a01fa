// When `up` may return: `-d` once every container of the services it started has been started
// (Compose: a one-shot job may still be running), `--wait` once they run and are healthy (one-shot
// jobs completed). Pure.
import type { Service, Task, TaskState } from '../api/objects.js';
import { specHash } from '../orchestrator/spec-hash.js';

export type UpMode = 'started' | 'healthy';

export interface ContainerLine {
  /** `web-1` */
  name: string;
  /** Compose's words: Created, Starting, Started, Healthy, Exited, Error */
  state: string;
}

export interface UpProgress {
  done: boolean;
  /** one line per failure waiting will not fix */
  errors: string[];
  containers: ContainerLine[];
}

const STARTED: ReadonlySet<TaskState> = new Set(['running', 'complete', 'failed']);

function word(t: Task): string {
  const state = t.status?.state ?? 'new';
  if (state === 'running') return t.status?.health === 'healthy' ? 'Healthy' : 'Started';
  if (state === 'complete') return 'Exited';
  if (state === 'failed' || state === 'rejected') return 'Error';
  if (state === 'starting') return 'Starting';
  return 'Waiting';
}

export function upProgress(services: Service[], tasks: Task[], targets: string[], mode: UpMode): UpProgress {
  const errors: string[] = [];
  const containers: ContainerLine[] = [];
  let done = true;
  for (const name of targets) {
    const svc = services.find((s) => s.metadata.name === name);
    if (!svc) {
      done = false;
      continue;
    }
    const t = svc.spec.template;
    const hash = specHash(t);
    const current = tasks
      .filter((task) => task.spec.service === name && task.spec.specHash === hash && task.spec.desiredState === 'running')
      .sort((a, b) => (a.spec.slot ?? 0) - (b.spec.slot ?? 0));
    const observed = (svc.status?.observedGeneration ?? 0) >= svc.metadata.generation;
    const desired = t.deploy.mode === 'global' ? svc.status?.replicas?.desired ?? 0 : t.deploy.replicas;
    const oneShot = t.deploy.restart_policy.condition !== 'any';
    if (!observed || current.length < desired) done = false;
    for (const task of current) {
      const state = task.status?.state ?? 'new';
      containers.push({ name: `${name}-${task.spec.slot ?? 1}`, state: word(task) });
      if (state === 'rejected') errors.push(`${name}: ${task.status?.error ?? task.status?.message ?? 'rejected'}`);
      const ok =
        mode === 'started'
          ? STARTED.has(state)
          : (state === 'running' && (!t.healthcheck || t.healthcheck.disable || task.status?.health === 'healthy')) || (oneShot && state === 'complete');
      if (mode === 'healthy' && state === 'failed' && oneShot) errors.push(`${name}: exited with ${task.status?.exitCode ?? '?'}${task.status?.error ? `: ${task.status.error}` : ''}`);
      if (!ok) done = false;
    }
  }
  return { done: done && errors.length === 0, errors, containers };
}
