// depends_on across the cluster (Swarm ignores it): a service's new tasks wait, in state `new`,
// until every dependency meets its condition.
//  - service_started: every wanted slot's current task is running;
//  - service_healthy: ... running and healthy. A dependency without a healthcheck counts as
//    healthy once running (its running state is all there is to know; compose would refuse);
//  - service_completed_successfully: every wanted slot has a task of the current revision that
//    completed with exit code 0. Once that is so it stays so, even if the dependency restarts.
// "Every wanted slot": replicas slots (0 replicas: nothing to wait for); global: every node that
// has a task, and at least one. A dependency missing from the stack blocks when `required`
// (compose's default) and is skipped otherwise.
import type { Service, Task } from '../api/objects.js';
import type { DependsCondition } from '../stackfile/types.js';
import { groupSlots, type SlotGroup, slotKey } from './slots.js';
import { specHash } from './spec-hash.js';
import { stateOf } from './task-state.js';

export interface GateResult {
  ready: boolean;
  /** e.g. "waiting for api (service_healthy: 0/1 tasks healthy)"; several joined with "; " */
  reason?: string;
}

function hasHealthcheck(svc: Service): boolean {
  const hc = svc.spec.template.healthcheck;
  return !!hc && !hc.disable && hc.test[0] !== 'NONE';
}

const WORDING: Record<DependsCondition, string> = {
  service_started: 'running',
  service_healthy: 'healthy',
  service_completed_successfully: 'completed successfully',
};

function satisfied(dep: Service, group: SlotGroup, condition: DependsCondition): boolean {
  if (condition === 'service_completed_successfully') {
    const hash = specHash(dep.spec.template);
    return group.tasks.some((t) => t.spec.specHash === hash && stateOf(t) === 'complete' && (t.status?.exitCode ?? 0) === 0);
  }
  const current = group.current;
  if (!current || stateOf(current) !== 'running') return false;
  return condition === 'service_started' || !hasHealthcheck(dep) || current.status?.health === 'healthy';
}

/** How many of the dependency's wanted slots meet the condition, out of how many. */
export function dependencyProgress(dep: Service, tasks: Task[], condition: DependsCondition): { met: number; wanted: number } {
  const deploy = dep.spec.template.deploy;
  const own = tasks.filter((t) => t.spec.stack === dep.spec.stack && t.spec.service === dep.metadata.name);
  const { slots } = groupSlots(own, deploy.mode);
  const groups =
    deploy.mode === 'global'
      ? [...slots.values()].filter((g) => g.current)
      : Array.from({ length: deploy.replicas }, (_, i) => slots.get(slotKey(i + 1)) ?? { key: slotKey(i + 1), tasks: [], extra: [] });
  const met = groups.filter((g) => satisfied(dep, g, condition)).length;
  return { met, wanted: deploy.mode === 'global' ? Math.max(1, groups.length) : groups.length };
}

/**
 * @param services the services of the stack
 * @param tasks    the tasks of the stack (at least those of the dependencies)
 */
export function dependencyGate(service: Service, services: Service[], tasks: Task[]): GateResult {
  const waiting: string[] = [];
  for (const [name, { condition, required }] of Object.entries(service.spec.template.depends_on)) {
    const dep = services.find((s) => s.metadata.name === name && s.spec.stack === service.spec.stack);
    if (!dep) {
      if (required) waiting.push(`waiting for ${name} (service ${name} not found)`);
      continue;
    }
    const { met, wanted } = dependencyProgress(dep, tasks, condition);
    if (met < wanted) waiting.push(`waiting for ${name} (${condition}: ${met}/${wanted} tasks ${WORDING[condition]})`);
  }
  return waiting.length === 0 ? { ready: true } : { ready: false, reason: waiting.join('; ') };
}

/** The services of the stack that depend on `name`: reconcile them when its tasks change. */
export function dependentsOf(name: string, services: Service[]): string[] {
  return services
    .filter((s) => name in s.spec.template.depends_on)
    .map((s) => s.metadata.name)
    .sort();
}

/** The services of the stack whose plan reads the tasks of service `name`: itself, those that
 *  depend on it (their start waits on its tasks) and those it depends on (their stop waits on its
 *  tasks: stopBlockers). A change of one of its tasks reconciles these, not the whole stack: at
 *  10,000 tasks each reconcile scans them all, so waking every service on every report multiplied
 *  the manager's work by the number of services. */
export function servicesReading(name: string, services: Service[]): string[] {
  const self = services.find((s) => s.metadata.name === name);
  const dependsOn = self ? Object.keys(self.spec.template.depends_on) : [];
  const known = new Set(services.map((s) => s.metadata.name));
  return [...new Set([name, ...dependentsOf(name, services), ...dependsOn.filter((d) => known.has(d))])];
}
