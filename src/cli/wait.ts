// Wait for a stack to converge, as the orchestrator's judge sees it, with the live view. The watch
// and the view are imported when a command waits: many commands import parseTimeout only.
import type { StackJudgement } from '../orchestrator/convergence.js';
import type { Store } from '../store/store.js';
import { CommandError, InputError } from '../errors.js';
import { formatDuration, parseDuration } from '../stackfile/units.js';

export interface WaitOutcome extends StackJudgement {
  timedOut: boolean;
}

/** @param since when the deploy being waited for started: rollouts it started that pause or roll back fail it */
export async function waitForStack(
  store: Store,
  stack: string,
  timeoutMs: number,
  onProgress: (p: StackJudgement) => void,
  since?: Date,
  service?: string,
): Promise<WaitOutcome> {
  const [{ watchStack }, { judgeStack }] = await Promise.all([import('../client/watch-stack.js'), import('../orchestrator/convergence.js')]);
  const out = await watchStack(
    store,
    stack,
    timeoutMs,
    (services, tasks) => judgeStack(service ? services.filter((s) => s.metadata.name === service) : services, tasks, { since }),
    (p) => p.done || p.failed,
    onProgress,
  );
  return { ...(out.progress ?? { services: [], phase: 'progressing', done: false, failed: false }), timedOut: out.timedOut };
}

/** Wait with the live view; a failure (a task that failed for good, a rollout that paused or rolled
 *  back) or the timeout becomes a CommandError that names it. `what` names the thing waited for. */
export async function awaitConvergence(
  store: Store,
  what: string,
  stack: string,
  opts: { timeoutMs: number; since?: Date; service?: string },
): Promise<WaitOutcome> {
  const { progressView } = await import('./progress-view.js');
  const view = progressView();
  const out = await waitForStack(store, stack, opts.timeoutMs, (p) => view.update(p), opts.since, opts.service);
  view.stop();
  if (out.failed)
    throw new CommandError(
      `${what} failed: ${out.services
        .filter((s) => s.error)
        .map((s) => `${s.name}: ${s.error}`)
        .join('; ')}`,
    );
  if (out.timedOut) {
    const late = out.services.filter((s) => !s.done).map((s) => `${s.name} ${s.running}/${s.desired}${s.waiting ? ` (${s.waiting})` : ''}`);
    throw new CommandError(`${what} did not converge within ${formatDuration(opts.timeoutMs)}: ${late.join('; ')}`);
  }
  return out;
}

/** --timeout values: a duration ("90s", "5m"); anything else is bad input (exit 2). */
export function parseTimeout(text: string): number {
  try {
    return parseDuration(text);
  } catch (err) {
    throw new InputError([`--timeout: ${(err as Error).message}`]);
  }
}
