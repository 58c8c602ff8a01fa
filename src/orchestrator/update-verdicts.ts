// The update supervisor's judgement of the tasks a rollout makes: the target revision's tasks
// created since the rollout started.
//  - passed: running (the agent says running only once healthy, where there is a healthcheck)
//    for `monitor`; it no longer counts against the rollout, whatever happens to it later.
//  - failed: it ended on its own (failed, rejected, or exited, as SwarmKit counts it) before it
//    passed, or was still not running `progress_deadline` after its creation (it cannot be
//    scheduled, pulled or made healthy: Swarm waits for it forever).
// A task the manager stopped (shutdown) or gave up on with its node (orphaned) is neither.
// Verdicts are kept in the Store (status.update.verdicts), so each failure counts once, even
// across leaders, and a task that passed is never judged again.
import type { Task, UpdateCause } from '../api/objects.js';
import { formatDuration } from '../stackfile/units.js';
import { describeEnd } from './restart.js';
import { isTerminal, stateOf } from './task-state.js';

export type Verdict = 'passed' | 'failed';

export interface Judgement {
  /** every verdict, old and new, for tasks that still exist */
  verdicts: Record<string, Verdict>;
  /** the failures found now, oldest task first */
  failures: UpdateCause[];
  /** the next time a verdict is due (a monitor or deadline ends), if any */
  wakeAt?: number;
}

const ENDED_ON_ITS_OWN = new Set(['failed', 'rejected', 'complete']);
const ms = (iso: string) => Date.parse(iso);

export function judgeTasks(
  tasks: Task[],
  target: string,
  since: string,
  previous: Record<string, Verdict>,
  monitorMs: number,
  deadlineMs: number,
  now: Date,
): Judgement {
  // one pass: the verdicts of tasks that still exist, and the tasks still to judge
  const verdicts: Record<string, Verdict> = {};
  const watched: Task[] = [];
  for (const t of tasks) {
    const name = t.metadata.name;
    const verdict = Object.hasOwn(previous, name) ? previous[name] : undefined;
    if (verdict) verdicts[name] = verdict;
    else if (t.spec.specHash === target && t.metadata.creationTimestamp >= since) watched.push(t);
  }
  watched.sort((a, b) => byString(a.metadata.creationTimestamp, b.metadata.creationTimestamp) || byString(a.metadata.name, b.metadata.name));
  const failures: UpdateCause[] = [];
  let wakeAt: number | undefined;
  const wake = (at: number) => (wakeAt = wakeAt === undefined ? at : Math.min(wakeAt, at));
  for (const task of watched) {
    const name = task.metadata.name;
    const state = stateOf(task);
    if (ENDED_ON_ITS_OWN.has(state)) {
      verdicts[name] = 'failed';
      failures.push({ reason: 'TaskFailed', message: `task ${name} ${describeEnd(task)}` });
    } else if (state === 'running') {
      const passAt = ms(task.status!.timestamp) + monitorMs;
      if (now.getTime() >= passAt) verdicts[name] = 'passed';
      else wake(passAt);
    } else if (!isTerminal(state) && task.spec.desiredState === 'running') {
      const deadline = ms(task.metadata.creationTimestamp) + deadlineMs;
      if (now.getTime() < deadline) wake(deadline);
      else {
        verdicts[name] = 'failed';
        const why = task.status?.message ? `: ${task.status.message}` : '';
        const message = `task ${name} not running within the progress deadline (${formatDuration(deadlineMs)}; still ${state}${why})`;
        failures.push({ reason: 'ProgressDeadlineExceeded', message });
      }
    }
  }
  return { verdicts, failures, ...(wakeAt !== undefined ? { wakeAt } : {}) };
}

/** Plain string order (timestamps of one format, generated names): localeCompare's ICU cost
 *  showed in the manager's profile at 10,000 tasks a service. */
function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
