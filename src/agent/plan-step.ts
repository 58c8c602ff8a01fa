// The agent's next step for one task, from what the manager wants, what the engine shows, and
// what the agent last reported. Pure. Like SwarmKit's exec.Do, a task advances one state per
// step, and states only move forward.
import type { Task, TaskState, TaskStatus } from '../api/objects.js';
import { canAdvance, isTerminal } from '../orchestrator/task-state.js';
import type { ObservedContainer } from '../runtime/types.js';

export type Step =
  /** pull the image, create networks/volumes and the container, copy configs/secrets in */
  | { type: 'prepare' }
  | { type: 'start'; containerId: string }
  /** stop the container (desired shutdown or stopped, or unhealthy) within `timeoutSeconds`
   *  (absent: the template's stop_grace_period) and then report `then`. `drain`: the task was one
   *  of its service's endpoints; it leaves them first (the manager's wish already took it out, or
   *  `drain.report` does), and every node gets time to stop sending it connections before the
   *  stop signal, as Swarm's agent does */
  | { type: 'stop'; containerId: string; timeoutSeconds?: number; then: Partial<TaskStatus> & { state: TaskState }; drain?: Drain }
  /** only a status to report */
  | { type: 'report'; status: Partial<TaskStatus> & { state: TaskState } }
  | { type: 'none' };

export interface Drain {
  /** reported (and written) before the drain: what takes the task out of the endpoints */
  report?: Partial<TaskStatus> & { state: TaskState };
}

/**
 * @param task      the manager's task (desiredState, template)
 * @param container the task's container, if the engine has one
 * @param reported  the state the agent last reported (or read from the Store at start)
 */
export function planStep(task: Task, container: ObservedContainer | undefined, reported: TaskState): Step {
  const hasHealthcheck = (task.spec.template.healthcheck?.test[0] ?? 'NONE') !== 'NONE' || container?.health !== undefined;

  if (task.spec.desiredState === 'stopped') return planStopped(task, container, reported);
  if (task.spec.desiredState !== 'running') {
    if (container?.running) return { type: 'stop', containerId: container.id, then: { state: 'shutdown', message: 'shutdown' }, ...drained(reported) };
    if (!isTerminal(reported))
      return { type: 'report', status: { state: 'shutdown', message: 'shutdown', ...(container?.exitCode !== undefined ? { exitCode: container.exitCode } : {}) } };
    return { type: 'none' };
  }
  if (isTerminal(reported)) return { type: 'none' }; // ended: the manager replaces it, never the agent
  // started again after a Compose stop: the same container (its exit was ours, not a failure)
  if (reported === 'stopped' && (container?.status === 'exited' || container?.status === 'created')) return { type: 'start', containerId: container.id };

  if (!container) {
    // a container that vanished after it started is a failure; before, it is still to be made
    if (reported === 'starting' || reported === 'running')
      return { type: 'report', status: { state: 'failed', message: 'container removed', error: 'container removed outside stackd' } };
    return { type: 'prepare' };
  }
  if (container.status === 'created') return { type: 'start', containerId: container.id };
  if (container.status === 'exited' || container.status === 'dead') {
    const code = container.exitCode ?? -1;
    if (code === 0) return { type: 'report', status: { state: 'complete', message: 'finished', exitCode: 0, containerId: container.id } };
    const error = container.oomKilled ? 'out of memory (OOM killed)' : container.error || `task: non-zero exit (${code})`;
    return { type: 'report', status: { state: 'failed', message: 'started', exitCode: code, error, containerId: container.id } };
  }
  if (!container.running) return { type: 'none' }; // paused, restarting, removing: wait for the next event

  if (container.health === 'unhealthy') {
    const out = { state: reported, message: 'unhealthy: stopping', health: 'unhealthy' as const };
    const then = { state: 'failed' as const, message: 'started', error: 'container unhealthy', health: 'unhealthy' as const };
    return { type: 'stop', containerId: container.id, then, ...(reported === 'running' ? { drain: { report: out } } : {}) };
  }
  if (hasHealthcheck && container.health !== 'healthy') {
    return advance(reported, {
      state: 'starting',
      message: 'starting: waiting for healthy',
      containerId: container.id,
      health: 'starting',
      ...addresses(container),
    });
  }
  return advance(reported, {
    state: 'running',
    message: 'started',
    containerId: container.id,
    ...(hasHealthcheck ? { health: 'healthy' as const } : {}),
    ...addresses(container),
  });
}

/** Compose `stop`: the container is kept, stopped. One that ends meanwhile is stopped too (the user
 *  asked for it); a task without a container yet is stopped before it has one (`start` prepares it). */
function planStopped(task: Task, container: ObservedContainer | undefined, reported: TaskState): Step {
  if (isTerminal(reported)) return { type: 'none' }; // ended before the stop: stays ended
  const timeout = task.spec.stopTimeoutSeconds !== undefined ? { timeoutSeconds: task.spec.stopTimeoutSeconds } : {};
  if (container?.running)
    return { type: 'stop', containerId: container.id, ...timeout, then: { state: 'stopped', message: 'stopped', containerId: container.id }, ...drained(reported) };
  if (reported === 'stopped') return { type: 'none' };
  const exit = container?.exitCode !== undefined && container.status !== 'created' ? { exitCode: container.exitCode } : {};
  return { type: 'report', status: { state: 'stopped', message: 'stopped', ...(container ? { containerId: container.id } : {}), ...exit } };
}

/** A running task was an endpoint until the manager's wish (desiredState) took it out. */
function drained(reported: TaskState): { drain?: Drain } {
  return reported === 'running' ? { drain: {} } : {};
}

function advance(reported: TaskState, status: Partial<TaskStatus> & { state: TaskState }): Step {
  return canAdvance(reported, status.state) ? { type: 'report', status } : { type: 'none' };
}

/** Where the task answers on its networks: service discovery and the VIPs of every node read it. */
function addresses(container: ObservedContainer): { addresses?: Record<string, string> } {
  return container.addresses ? { addresses: container.addresses } : {};
}
