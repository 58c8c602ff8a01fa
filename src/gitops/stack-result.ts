// How a stack's rollout stands after a sync, in GitOps' words, as the orchestrator's judge sees it. Pure.
import type { GitStackResult, GitStackResultState, Service, Task } from '../api/objects.js';
import { judgeStack } from '../orchestrator/convergence.js';

export interface RolloutVerdict {
  result: Extract<GitStackResultState, 'rolled out' | 'rolling out' | 'rolled back' | 'failed'>;
  message?: string;
}

/** @param since when the source last wrote the stack: rollouts started since then are this sync's */
export function judgeRollout(services: Service[], tasks: Task[], since: Date): RolloutVerdict {
  const stack = judgeStack(services, tasks, { since });
  const first = stack.services.find((s) => s.phase === stack.phase);
  switch (stack.phase) {
    case 'converged':
      return { result: 'rolled out' };
    case 'rolling back':
      return { result: 'rolling out', message: `${first!.service}: rolling back: ${first!.cause}` };
    case 'rolled back':
      return { result: 'rolled back', message: `${first!.service}: ${first!.cause}` };
    case 'failed':
      return { result: 'failed', message: `${first!.service}: ${first!.error}` };
    case 'progressing': {
      const waiting = stack.services.filter((s) => !s.done).map((s) => `${s.name} ${s.running}/${s.desired}${s.waiting ? ` (${s.waiting})` : ''}`);
      return { result: 'rolling out', message: waiting.join(', ') };
    }
  }
}

/** A result that can still change without a new write (so it is judged again). */
export function unsettled(r: GitStackResult | undefined): boolean {
  return r?.result === 'rolling out' || r?.result === 'failed';
}
