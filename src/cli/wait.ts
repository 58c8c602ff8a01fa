// Wait for a stack to converge, watching its Services and Tasks (no polling).
import { auditTime, firstValueFrom, from, last, map, merge, race, startWith, takeWhile, timer } from 'rxjs';
import { kindPrefix } from '../api/keys.js';
import type { Service, Task } from '../api/objects.js';
import { Informer } from '../controller/informer.js';
import type { Store } from '../store/store.js';
import { stackProgress, type StackProgress } from './progress.js';
import { progressView } from './progress-view.js';
import { CommandError, InputError } from './errors.js';
import { formatDuration, parseDuration } from '../stackfile/units.js';

export interface WaitOutcome extends StackProgress {
  timedOut: boolean;
}

export async function waitForStack(store: Store, stack: string, timeoutMs: number, onProgress: (p: StackProgress) => void, since?: Date, service?: string): Promise<WaitOutcome> {
  const only = (list: Service[]) => (service ? list.filter((s) => s.metadata.name === service) : list);
  const out = await watchStack(store, stack, timeoutMs, (services, tasks) => stackProgress(only(services), tasks, since), (p) => p.done || p.failed, onProgress);
  return { ...(out.progress ?? { services: [], done: false, failed: false }), timedOut: out.timedOut };
}

/**
 * Watches a stack's Services and Tasks (no polling) until `settled(evaluate(services, tasks))`, or
 * `timeoutMs` (which covers the first list too); `progress` is the last evaluation (none when the
 * Store never answered).
 */
export async function watchStack<P>(
  store: Store,
  stack: string,
  timeoutMs: number,
  evaluate: (services: Service[], tasks: Task[]) => P,
  settled: (p: P) => boolean,
  onProgress: (p: P) => void = () => undefined,
): Promise<{ progress?: P; timedOut: boolean }> {
  const services = new Informer<Service>(store, kindPrefix('Service', stack));
  const tasks = new Informer<Task>(store, kindPrefix('Task', stack));
  services.start();
  tasks.start();
  try {
    const deadline = Date.now() + timeoutMs;
    // the timeout covers the first list too (a store gone after the write)
    // (race unsubscribes the loser: a pending timer would keep the CLI alive)
    const synced = await firstValueFrom(race(from(Promise.all([services.synced, tasks.synced])).pipe(map(() => true)), timer(timeoutMs).pipe(map(() => false))));
    if (!synced) return { timedOut: true };
    timeoutMs = Math.max(0, deadline - Date.now());
    const now = () => evaluate(services.list(), tasks.list());
    const progress$ = merge(services.changes$, tasks.changes$).pipe(
      auditTime(50), // a burst of task changes makes one update
      startWith(0),
      map(now),
    );
    const settled$ = progress$.pipe(
      takeWhile((p) => {
        onProgress(p);
        return !settled(p);
      }, true),
      last(),
      map((progress) => ({ progress, timedOut: false })),
    );
    const timeout$ = timer(timeoutMs).pipe(map(() => ({ progress: now(), timedOut: true })));
    return await firstValueFrom(race(settled$, timeout$));
  } finally {
    services.stop();
    tasks.stop();
  }
}

/** Wait with the live view; a failure (a rejected task, a rollout that paused or rolled back) or
 *  the timeout becomes a CommandError that names it. `what` names the thing waited for. */
export async function awaitConvergence(store: Store, what: string, stack: string, opts: { timeoutMs: number; since?: Date; service?: string }): Promise<WaitOutcome> {
  const view = progressView();
  const out = await waitForStack(store, stack, opts.timeoutMs, (p) => view.update(p), opts.since, opts.service);
  view.stop();
  if (out.failed) throw new CommandError(`${what} failed: ${out.services.filter((s) => s.error).map((s) => s.error).join('; ')}`);
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
