// How far a stack's rollout has come, from its Services and Tasks. Pure.
import type { Service, Task } from '../api/objects.js';
import { specHash } from '../orchestrator/spec-hash.js';

export interface ServiceProgress {
  name: string;
  desired: number;
  running: number;
  failed: number;
  done: boolean;
  /** a failure that waiting will not fix (e.g. the image cannot be pulled) */
  error?: string;
  /** why it is not done yet (pending reason, dependency wait) */
  waiting?: string;
}

export interface StackProgress {
  services: ServiceProgress[];
  done: boolean;
  failed: boolean;
}

/** A rollout this wait is about (started at or after `since`) that paused or rolled back. */
function rolloutFailure(svc: Service, name: string, since?: Date): string | undefined {
  const u = svc.status?.update;
  if (!u || !since || new Date(u.startedAt).getTime() < since.getTime()) return undefined;
  if (u.state === 'paused' || u.state === 'rollback_paused') return `${name}: update paused: ${u.message}`;
  if (u.state === 'rollback_started' || u.state === 'rollback_completed') return `${name}: update rolled back: ${u.message}`;
  return undefined;
}

function serviceProgress(svc: Service, tasks: Task[], since?: Date): ServiceProgress {
  const name = `${svc.metadata.namespace}_${svc.metadata.name}`;
  const t = svc.spec.template;
  const hash = specHash(t);
  const current = tasks.filter((task) => task.spec.service === svc.metadata.name && task.spec.specHash === hash && task.spec.desiredState === 'running');
  const observed = (svc.status?.observedGeneration ?? 0) >= svc.metadata.generation;
  const desired = t.deploy.mode === 'global' ? (observed ? svc.status?.replicas?.desired ?? 0 : 0) : t.deploy.replicas;
  // a one-shot task (restart none / on-failure) that exited 0 has done its work
  const oneShot = t.deploy.restart_policy.condition !== 'any';
  const running = current.filter((task) => task.status?.state === 'running' || (oneShot && task.status?.state === 'complete')).length;
  const failedTasks = current.filter((task) => task.status?.state === 'failed' || task.status?.state === 'rejected');
  const rejected = failedTasks.find((task) => task.status?.state === 'rejected');
  const pending = current.find((task) => ['new', 'pending'].includes(task.status?.state ?? 'new') && task.status?.message);
  const live = tasks.filter((task) => task.spec.service === svc.metadata.name && task.spec.desiredState === 'running').length;
  // a rollout of the current revision is done once it completed (its monitor period passed)
  const update = svc.status?.update;
  const rolling = update !== undefined && update.toRevision === hash && update.state === 'updating';
  // a rollout that pauses or rolls back on failures judges a rejected new task itself: wait for its verdict
  const replacing = rolling || tasks.some((task) => task.spec.service === svc.metadata.name && task.spec.specHash !== hash && task.spec.desiredState === 'running');
  const rolloutJudges = replacing && t.deploy.update_config?.failure_action !== 'continue';
  const error = rolloutFailure(svc, name, since) ?? (rejected && !rolloutJudges ? `${name}: task rejected: ${rejected.status?.error ?? rejected.status?.message}` : undefined);
  return {
    name,
    desired,
    running,
    failed: failedTasks.length,
    done: observed && running === desired && live === desired && !rolling,
    ...(error ? { error } : {}),
    ...(pending ? { waiting: pending.status!.message } : rolling ? { waiting: update.message } : svc.status?.message ? { waiting: svc.status.message } : {}),
  };
}

/** @param since when the deploy being waited for started: rollouts it started that pause or roll back fail it */
export function stackProgress(services: Service[], tasks: Task[], since?: Date): StackProgress {
  const list = services.map((s) => serviceProgress(s, tasks, since)).sort((a, b) => a.name.localeCompare(b.name));
  return { services: list, done: list.every((s) => s.done), failed: list.some((s) => s.error !== undefined) };
}
