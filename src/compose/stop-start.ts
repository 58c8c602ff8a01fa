// `stackctl stop|start|restart` on the model: write Service.spec.stopped (the manager keeps the
// tasks, stopped, in reverse depends_on order; see src/orchestrator/stop.ts), then wait for the
// tasks to report it.
import { objectKey } from '../api/keys.js';
import type { Service, Task } from '../api/objects.js';
import { encodeObject } from '../client/codec.js';
import { getObject, listObjects } from '../client/objects.js';
import { CommandError, InputError } from '../errors.js';
import { watchStack } from '../client/watch-stack.js';
import { groupSlots } from '../orchestrator/slots.js';
import { isTerminal, isUnassigned, stateOf } from '../orchestrator/task-state.js';
import { formatDuration } from '../stackfile/units.js';
import type { Store } from '../store/store.js';

const ATTEMPTS = 5;

/**
 * Sets spec.stopped on the named services of `stack` (undefined: all of them) in one transaction,
 * retried when the manager wrote a service meanwhile. Returns the names of the services changed
 * (sorted); those already so are left alone. `timeoutSeconds` is `stop -t`.
 */
export async function setServicesStopped(
  store: Store,
  stack: string,
  services: string[] | undefined,
  stopped: boolean,
  opts: { timeoutSeconds?: number } = {},
): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    const { items } = await listObjects<Service>(store, 'Service', stack);
    if (items.length === 0 && !(await getObject(store, 'Stack', '', stack))) throw new InputError([`no such stack: ${stack} (see "stackctl stack ls")`]);
    const missing = (services ?? []).filter((name) => !items.some((s) => s.metadata.name === name));
    if (missing.length > 0) throw new InputError(missing.map((name) => `no such service: ${stack}_${name}`));
    const chosen = items.filter((s) => !services || services.includes(s.metadata.name));
    const changed = chosen.filter((s) => !!s.spec.stopped !== stopped);
    if (changed.length === 0) return [];
    const ops = changed.map((prev) => {
      const { stopped: _s, stopTimeoutSeconds: _t, ...rest } = prev.spec;
      const spec = stopped ? { ...rest, stopped, ...(opts.timeoutSeconds !== undefined ? { stopTimeoutSeconds: opts.timeoutSeconds } : {}) } : rest;
      const next: Service = { ...prev, metadata: { ...prev.metadata, generation: prev.metadata.generation + 1 }, spec };
      return {
        op: 'update' as const,
        key: objectKey('Service', stack, prev.metadata.name),
        value: encodeObject(next),
        revision: Number(prev.metadata.resourceVersion),
      };
    });
    const res = await store.txn(ops);
    if (res.succeeded) return changed.map((s) => s.metadata.name).sort();
    if (attempt >= ATTEMPTS) throw new CommandError(`stack ${stack} keeps changing under this command; try again`);
  }
}

export interface RunStateProgress {
  /** per service: its live tasks, and how many of them are there yet (stopped, resp. running) */
  services: { name: string; ready: number; total: number }[];
  done: boolean;
}

type Goal = 'stopped' | 'started';

/** The slots' current tasks; stopped: those not ended, for there is nothing to stop in an ended one. */
function liveTasks(tasks: Task[], svc: Service, goal: Goal): Task[] {
  const own = tasks.filter((t) => t.spec.service === svc.metadata.name);
  const current = [...groupSlots(own, svc.spec.template.deploy.mode).slots.values()].flatMap((g) => (g.current ? [g.current] : []));
  return goal === 'stopped' ? current.filter((t) => !isTerminal(stateOf(t))) : current;
}

function isThere(task: Task, goal: Goal): boolean {
  const state = stateOf(task);
  if (goal === 'started') return (state === 'running' || state === 'complete') && task.spec.desiredState === 'running';
  // a task not on a node yet has no container: held back is stopped
  return state === 'stopped' || (isUnassigned(state) && task.spec.desiredState === 'stopped');
}

/** Where the named services (undefined: all) of the stack are on the way to `goal`. */
export function runStateProgress(services: Service[], tasks: Task[], names: string[] | undefined, goal: Goal): RunStateProgress {
  const rows = services
    .filter((s) => !names || names.includes(s.metadata.name))
    .map((svc) => {
      const live = liveTasks(tasks, svc, goal);
      return { name: svc.metadata.name, ready: live.filter((t) => isThere(t, goal)).length, total: live.length };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  // started: a service the manager has not caught up with yet (still flagged) is not there
  const flagged = goal === 'started' && services.some((s) => (!names || names.includes(s.metadata.name)) && s.spec.stopped);
  return { services: rows, done: !flagged && rows.every((r) => r.ready === r.total) };
}

async function awaitRunState(
  store: Store,
  stack: string,
  services: string[] | undefined,
  goal: Goal,
  timeoutMs: number,
  onProgress?: (p: RunStateProgress) => void,
): Promise<RunStateProgress> {
  const out = await watchStack(
    store,
    stack,
    timeoutMs,
    (svcs, tasks) => runStateProgress(svcs, tasks, services, goal),
    (p) => p.done,
    onProgress,
  );
  if (out.timedOut) {
    const late = (out.progress?.services ?? [])
      .filter((s) => s.ready < s.total)
      .map((s) => `${stack}_${s.name} ${s.ready}/${s.total} ${goal === 'stopped' ? 'stopped' : 'running'}`);
    throw new CommandError(
      `${goal === 'stopped' ? 'stop' : 'start'} of ${stack} did not finish within ${formatDuration(timeoutMs)}${late.length ? `: ${late.join('; ')}` : ''}`,
    );
  }
  return out.progress!;
}

/** Resolves once every live task of the services (undefined: all) reports stopped; a CommandError after `timeoutMs`. */
export function awaitStopped(
  store: Store,
  stack: string,
  services: string[] | undefined,
  timeoutMs: number,
  onProgress?: (p: RunStateProgress) => void,
): Promise<RunStateProgress> {
  return awaitRunState(store, stack, services, 'stopped', timeoutMs, onProgress);
}

/** Resolves once every slot's task of the services (undefined: all) is running (or complete); a CommandError after `timeoutMs`. */
export function awaitStarted(
  store: Store,
  stack: string,
  services: string[] | undefined,
  timeoutMs: number,
  onProgress?: (p: RunStateProgress) => void,
): Promise<RunStateProgress> {
  return awaitRunState(store, stack, services, 'started', timeoutMs, onProgress);
}
