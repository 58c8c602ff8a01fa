// How a stack's rollout stands after a sync, from its Services and Tasks (as `deploy` judges it). Pure.
import type { GitStackResult, GitStackResultState, Service, Task } from '../api/objects.js';
import { stackProgress } from '../cli/progress.js';

export interface RolloutVerdict {
  result: Extract<GitStackResultState, 'rolled out' | 'rolling out' | 'rolled back' | 'failed'>;
  message?: string;
}

/** @param since when the source last wrote the stack: rollouts started since then are this sync's */
export function judgeRollout(services: Service[], tasks: Task[], since: Date): RolloutVerdict {
  const progress = stackProgress(services, tasks, since);
  const rolledBack = services.find((s) => {
    const u = s.status?.update;
    return u && (u.state === 'rollback_started' || u.state === 'rollback_completed' || u.state === 'rollback_paused') && new Date(u.startedAt) >= since;
  });
  if (rolledBack) {
    const u = rolledBack.status!.update!;
    if (u.state === 'rollback_started') return { result: 'rolling out', message: `${rolledBack.metadata.name}: rolling back: ${u.rollbackCause?.message ?? u.message}` };
    return { result: 'rolled back', message: `${rolledBack.metadata.name}: ${u.rollbackCause?.message ?? u.message}` };
  }
  const error = progress.services.find((s) => s.error)?.error;
  if (error) return { result: 'failed', message: error };
  if (progress.done) return { result: 'rolled out' };
  const waiting = progress.services.filter((s) => !s.done).map((s) => `${s.name} ${s.running}/${s.desired}${s.waiting ? ` (${s.waiting})` : ''}`);
  return { result: 'rolling out', message: waiting.join(', ') };
}

/** A result that can still change without a new write (so it is judged again). */
export function unsettled(r: GitStackResult | undefined): boolean {
  return r?.result === 'rolling out' || r?.result === 'failed';
}
