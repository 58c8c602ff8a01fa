// The one judge of where a service stands: converged, still progressing, failed, rolling back or
// rolled back, from its Service and Tasks. Pure. Read by everyone who asks: the manager (the
// Service's Ready condition), `deploy` / `rollout` waits and their live view, Compose `up`, and
// GitOps (a stack's result), so they can never disagree.
import type { Service, Task, TaskState } from '../api/objects.js';
import { decideRestart } from './restart.js';
import type { PlannedCondition } from './service-status.js';
import { specHash } from './spec-hash.js';
import { endedInFailure, stateOf } from './task-state.js';

export type Phase = 'converged' | 'progressing' | 'failed' | 'rolling back' | 'rolled back';

/**
 * What "there" means.
 *  - converged: every replica of the current revision runs (healthy, where there is a healthcheck;
 *    a one-shot job has exited 0), no task of another revision is still wanted, and the rollout,
 *    if any, completed (its monitor period passed). `deploy`, `rollout`, GitOps, the manager.
 *  - healthy: the same without waiting out the rollout's monitor period (`up --wait`).
 *  - started: every container was started (it runs, or has exited, well or not) (`up -d`).
 */
export type Goal = 'converged' | 'healthy' | 'started';

export interface JudgeOptions {
  goal?: Goal;
  /** when the change being waited for was written: only rollouts started since then fail it.
   *  Without it every rollout record counts (the manager's standing view). */
  since?: Date;
  /** for restart decisions (a failed task's restart window) */
  now?: Date;
}

export interface ServiceJudgement {
  /** `stack_service`, as users name it */
  name: string;
  /** the service's own name (Compose's) */
  service: string;
  phase: Phase;
  /** phase === 'converged' */
  done: boolean;
  desired: number;
  /** replicas there, in the goal's sense */
  running: number;
  /** current tasks that ended in failure */
  failed: number;
  /** failed / rolling back / rolled back: why, in a phrase ("task rejected: No such image: x") */
  error?: string;
  /** rolling back / rolled back: the cause of the rollback alone */
  cause?: string;
  /** progressing: why it is not there yet (a pending reason, a dependency wait, the rollout) */
  waiting?: string;
  /** the current revision's wanted tasks, by slot */
  current: Task[];
}

export interface StackJudgement {
  services: ServiceJudgement[];
  /** the worst phase of its services (rolling back, rolled back, failed, progressing, converged) */
  phase: Phase;
  done: boolean;
  /** some service will not reach the change waited for (failed, rolling back or rolled back) */
  failed: boolean;
}

const STARTED: ReadonlySet<TaskState> = new Set(['running', 'complete', 'failed']);
const WORST_FIRST: Phase[] = ['rolling back', 'rolled back', 'failed', 'progressing', 'converged'];

/** A rollout this judgement is about that paused or rolled back; undefined when none did. */
function rolloutVerdict(svc: Service, since?: Date): Pick<ServiceJudgement, 'phase' | 'error' | 'cause'> | undefined {
  const u = svc.status?.update;
  if (!u || (since && new Date(u.startedAt).getTime() < since.getTime())) return undefined;
  const rollback = u.rollbackCause?.message ?? u.message;
  switch (u.state) {
    case 'paused':
      return { phase: 'failed', error: `update paused: ${u.pauseCause?.message ?? u.message}` };
    case 'rollback_started':
      return { phase: 'rolling back', error: `update rolled back: ${rollback}`, cause: rollback };
    case 'rollback_completed':
      return { phase: 'rolled back', error: `update rolled back: ${rollback}`, cause: rollback };
    case 'rollback_paused':
      return { phase: 'rolled back', error: `update rolled back: ${rollback}; the rollback paused: ${u.pauseCause?.message ?? ''}`, cause: rollback };
    default:
      return undefined;
  }
}

export function judgeService(svc: Service, tasks: Task[], opts: JudgeOptions = {}): ServiceJudgement {
  const goal = opts.goal ?? 'converged';
  const t = svc.spec.template;
  const hash = specHash(t);
  const live = tasks.filter((task) => task.spec.service === svc.metadata.name && task.spec.desiredState === 'running');
  const current = live.filter((task) => task.spec.specHash === hash).sort((a, b) => (a.spec.slot ?? 0) - (b.spec.slot ?? 0));
  const observed = (svc.status?.observedGeneration ?? 0) >= svc.metadata.generation;
  const desired = t.deploy.mode === 'global' ? (observed ? (svc.status?.replicas?.desired ?? 0) : 0) : t.deploy.replicas;
  // a one-shot task (restart none / on-failure) that exited 0 has done its work
  const oneShot = t.deploy.restart_policy.condition !== 'any';
  const there = (task: Task) => {
    const state = stateOf(task);
    if (goal === 'started') return STARTED.has(state);
    // the agent reports running once healthy; an image's own healthcheck shows in `health`
    return (state === 'running' && (task.status?.health ?? 'healthy') === 'healthy') || (oneShot && state === 'complete');
  };
  const running = current.filter(there).length;
  const failedTasks = current.filter(endedInFailure);

  const update = svc.status?.update;
  const rolling = update !== undefined && update.toRevision === hash && update.state === 'updating';
  // a rollout that pauses or rolls back on failures judges a failed new task itself: wait for its verdict
  const replacing = rolling || live.some((task) => task.spec.specHash !== hash);
  const rolloutJudges = replacing && t.deploy.update_config?.failure_action !== 'continue';
  const now = opts.now ?? new Date();
  const taskError = (): string | undefined => {
    if (rolloutJudges) return undefined;
    const rejected = failedTasks.find((task) => stateOf(task) === 'rejected');
    if (rejected) return `task rejected: ${rejected.status?.error ?? rejected.status?.message}`;
    if (goal === 'started') return undefined; // a container that started and exited was started
    // an end the restart supervisor will not repair (restart_policy none, max_attempts reached)
    const final = failedTasks.map((task) => decideRestart(svc, String(task.spec.slot ?? task.spec.nodeName), task, now)).find((d) => !d.restart);
    return final?.reason;
  };

  const pending = current.find((task) => ['new', 'pending'].includes(stateOf(task)) && task.status?.message);
  const waiting = pending ? pending.status!.message : rolling ? update.message : svc.status?.message || undefined;
  const verdict = rolloutVerdict(svc, opts.since);
  const error = verdict ? undefined : taskError();
  const done = observed && running === desired && live.length === desired && !(rolling && goal === 'converged');
  const phase: Phase = verdict?.phase ?? (error ? 'failed' : done ? 'converged' : 'progressing');
  return {
    name: `${svc.metadata.namespace}_${svc.metadata.name}`,
    service: svc.metadata.name,
    phase,
    done: phase === 'converged',
    desired,
    running,
    failed: failedTasks.length,
    ...(verdict?.error ? { error: verdict.error } : error ? { error } : {}),
    ...(verdict?.cause ? { cause: verdict.cause } : {}),
    ...(phase === 'progressing' && waiting ? { waiting } : {}),
    current,
  };
}

export function judgeStack(services: Service[], tasks: Task[], opts: JudgeOptions = {}): StackJudgement {
  const list = services.map((s) => judgeService(s, tasks, opts)).sort((a, b) => a.name.localeCompare(b.name));
  const phase = WORST_FIRST.find((p) => list.some((s) => s.phase === p)) ?? 'converged';
  return { services: list, phase, done: list.every((s) => s.done), failed: list.some((s) => s.error !== undefined) };
}

const READY: Record<Phase, [PlannedCondition['status'], string]> = {
  converged: ['True', 'Converged'],
  progressing: ['Unknown', 'Progressing'],
  failed: ['False', 'Failed'],
  'rolling back': ['False', 'RollingBack'],
  'rolled back': ['False', 'RolledBack'],
};

/** The manager's record of the judgement: condition Ready (kstatus' reading: Unknown while in progress). */
export function readyCondition(j: ServiceJudgement, generation: number): PlannedCondition {
  const [status, reason] = READY[j.phase];
  const count = `${j.running}/${j.desired} running`;
  return { type: 'Ready', status, reason, message: j.error ?? (j.waiting ? `${count}: ${j.waiting}` : count), observedGeneration: generation };
}
