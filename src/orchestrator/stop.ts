// Compose `stop` / `start` on the model: a Service with spec.stopped keeps its tasks (and their
// containers), stopped: their desiredState is `stopped`, and back to `running` once the flag is
// cleared. Not a failure, not a restart reason, not a rollout: the slots stay occupied.
//  - Stop order is depends_on reversed: a service's tasks keep running until every service of the
//    stack that depends on it, and is being stopped too, has no task still running (`stop` of a
//    project stops web, then api, then db; `stop db` alone stops only db, as Compose does).
//  - Start order is depends_on: a service's tasks start once its dependencies that are not
//    themselves stopped meet their conditions (the same gate new tasks wait on).
//  - A task that had already ended stays ended; one not on a node yet is simply held back.
import type { Service, Task } from '../api/objects.js';
import type { OrchestratorAction } from './actions.js';
import { dependencyGate } from './dependencies.js';
import { isTerminal, isUnassigned, stateOf } from './task-state.js';

/** The task holds a container that is not (yet) stopped. */
export function stillRunning(task: Task): boolean {
  const state = stateOf(task);
  return !isUnassigned(state) && !isTerminal(state) && state !== 'stopped';
}

/** Services of the stack that depend on `service`, are being stopped too, and still run a task: they stop first. */
export function stopBlockers(service: Service, services: Service[], tasks: Task[]): string[] {
  const { stack } = service.spec;
  return services
    .filter((s) => s.spec.stack === stack && s.spec.stopped && s.metadata.name !== service.metadata.name && service.metadata.name in s.spec.template.depends_on)
    .filter((s) => tasks.some((t) => t.spec.stack === stack && t.spec.service === s.metadata.name && stillRunning(t)))
    .map((s) => s.metadata.name)
    .sort();
}

/** dependencyGate over the dependencies that are not stopped themselves (those are not coming). */
function startGate(service: Service, services: Service[], tasks: Task[]) {
  const stopped = new Set(services.filter((s) => s.spec.stack === service.spec.stack && s.spec.stopped).map((s) => s.metadata.name));
  const dependsOn = Object.fromEntries(Object.entries(service.spec.template.depends_on).filter(([name]) => !stopped.has(name)));
  const view: Service = { ...service, spec: { ...service.spec, template: { ...service.spec.template, depends_on: dependsOn } } };
  return dependencyGate(view, services, tasks);
}

export interface RunStatePlan {
  actions: OrchestratorAction[];
  /** why nothing moves yet ("stopping after web", "starting after: waiting for db ...") */
  waiting?: string;
}

/**
 * @param own      the service's tasks
 * @param services the services of the stack
 * @param tasks    the tasks of the stack
 */
export function planRunState(service: Service, own: Task[], services: Service[], tasks: Task[]): RunStatePlan {
  const name = (t: Task) => t.metadata.name;
  if (service.spec.stopped) {
    const toStop = own.filter((t) => t.spec.desiredState === 'running' && !isTerminal(stateOf(t)));
    if (toStop.length === 0) return { actions: [] };
    const blockers = stopBlockers(service, services, tasks);
    if (blockers.length > 0) return { actions: [], waiting: `stopping after ${blockers.join(', ')}` };
    const timeout = service.spec.stopTimeoutSeconds;
    return {
      actions: toStop.map((t) => ({
        type: 'setRunState',
        taskName: name(t),
        desiredState: 'stopped',
        ...(timeout !== undefined ? { stopTimeoutSeconds: timeout } : {}),
        reason: 'service stopped',
      })),
    };
  }
  const toStart = own.filter((t) => t.spec.desiredState === 'stopped');
  if (toStart.length === 0) return { actions: [] };
  const gate = startGate(service, services, tasks);
  if (!gate.ready) return { actions: [], waiting: `starting after dependencies: ${gate.reason}` };
  return { actions: toStart.map((t) => ({ type: 'setRunState', taskName: name(t), desiredState: 'running', reason: 'service started' })) };
}
