// The summary a Service's status shows: desired / running / failed, and why it is not there yet.
import type { Condition } from '../api/meta.js';
import type { Node, Service, Task } from '../api/objects.js';
import { parseConstraints } from '../scheduler/constraints.js';
import type { GateResult } from './dependencies.js';
import { eligibleNodes } from './global.js';
import { planRestarts } from './restart.js';
import { groupSlots } from './slots.js';
import { endedInFailure, stateOf } from './task-state.js';

export type PlannedCondition = Omit<Condition, 'lastTransitionTime'>;

export interface ServiceStatusSummary {
  replicas: { desired: number; running: number; failed: number };
  /** '' when nothing is in the way; else the first thing that is (bad constraints, dependencies, restarts) */
  message: string;
  /** DependenciesReady, when the service has depends_on. The caller keeps lastTransitionTime. */
  conditions: PlannedCondition[];
}

/**
 * @param own     the service's tasks, as read (before the plan's actions)
 * @param runWait why a Compose stop/start waits (depends_on order), if it does
 */
export function summarizeService(service: Service, own: Task[], nodes: Node[], gate: GateResult, now: Date, runWait?: string): ServiceStatusSummary {
  const deploy = service.spec.template.deploy;
  const { slots } = groupSlots(own, deploy.mode);
  const wanted = [...slots.values()].filter((g) => g.current && (deploy.mode === 'global' || Number(g.key) <= deploy.replicas));
  const desired = deploy.mode === 'global' ? eligibleNodes(service, nodes).length : deploy.replicas;
  const running = wanted.filter((g) => stateOf(g.current!) === 'running').length;
  const failed = wanted.filter((g) => endedInFailure(g.current!)).length;

  const parsed = parseConstraints(deploy.placement.constraints);
  const restarts = planRestarts(
    service,
    wanted.map((g) => g.current!),
    now,
  ).map((d) => (d.restart ? `${d.reason}; restarting in ${Math.max(0, Math.ceil((d.at!.getTime() - now.getTime()) / 1000))}s` : d.reason));
  const message = !parsed.ok ? parsed.error : (runWait ?? (service.spec.stopped ? 'stopped' : !gate.ready ? gate.reason! : restarts.join('; ')));

  const conditions: PlannedCondition[] = [];
  if (Object.keys(service.spec.template.depends_on).length > 0) {
    conditions.push({
      type: 'DependenciesReady',
      status: gate.ready ? 'True' : 'False',
      reason: gate.ready ? 'Satisfied' : 'Waiting',
      message: gate.reason ?? '',
      observedGeneration: service.metadata.generation,
    });
  }
  return { replicas: { desired, running, failed }, message, conditions };
}
