// The restart supervisor: when a slot's current task has ended without the manager asking,
// decide from restart_policy whether and when its replacement is created. Everything it needs
// is in the Store: the ended task's status (state, timestamp) and its restart record, which each
// replacement carries forward. A new leader therefore reaches the same decision.
import type { Service, Task, TaskRestartRecord } from '../api/objects.js';
import { durationMs } from '../stackfile/units.js';
import { groupSlots } from './slots.js';
import { specHash } from './spec-hash.js';
import { isTerminal, stateOf } from './task-state.js';

export interface RestartDecision {
  /** slot number ("1") or node name (global) */
  slot: string;
  /** the ended task */
  taskName: string;
  restart: boolean;
  /** restart: when the replacement may be created (the end + restart_policy.delay) */
  at?: Date;
  /** restart: the record the replacement carries */
  record?: TaskRestartRecord;
  /** e.g. "task t1 failed (exit code 1)" or "restart_policy max_attempts 3 reached" */
  reason: string;
}

/** One line on how a task ended: "failed (exit code 1: boom)", "rejected (no such image)". */
export function describeEnd(task: Task): string {
  const s = task.status;
  const details = [s?.exitCode !== undefined ? `exit code ${s.exitCode}` : '', s?.error ?? ''].filter(Boolean).join(': ');
  return `${stateOf(task)}${details ? ` (${details})` : ''}`;
}

function endTime(task: Task, now: Date): number {
  const t = Date.parse(task.status?.timestamp ?? '');
  return Number.isNaN(t) ? now.getTime() : t;
}

/** The decision for a slot whose current task `task` has ended (terminal state, desiredState running). */
export function decideRestart(service: Service, slot: string, task: Task, now: Date): RestartDecision {
  const policy = service.spec.template.deploy.restart_policy;
  const base = { slot, taskName: task.metadata.name };
  const ended = `task ${task.metadata.name} ${describeEnd(task)}`;
  if (policy.condition === 'none') return { ...base, restart: false, reason: `${ended}; restart_policy condition none` };
  if (policy.condition === 'on-failure' && stateOf(task) === 'complete') {
    return { ...base, restart: false, reason: `${ended}; restart_policy condition on-failure` };
  }
  const endedAt = endTime(task, now);
  const windowMs = durationMs(policy.window);
  const max = policy.max_attempts;
  // a new revision starts counting afresh (Swarm does the same)
  const prev = task.spec.specHash === specHash(service.spec.template) ? (task.spec.restart ?? { attempt: 0, history: [] }) : { attempt: 0, history: [] };
  if (max > 0) {
    const counted = windowMs > 0 ? prev.history.filter((t) => Date.parse(t) > endedAt - windowMs).length : prev.attempt;
    if (counted >= max) {
      const within = windowMs > 0 ? ` within ${policy.window}` : '';
      return { ...base, restart: false, reason: `${ended}; restart_policy max_attempts ${max} reached${within}` };
    }
  }
  const at = new Date(endedAt + durationMs(policy.delay));
  const made = new Date(Math.max(at.getTime(), now.getTime())).toISOString();
  const history = max > 0 ? [...prev.history, made].filter((t) => windowMs === 0 || Date.parse(t) > Date.parse(made) - windowMs).slice(-max) : [];
  return { ...base, restart: true, at, record: { attempt: prev.attempt + 1, history }, reason: ended };
}

/** A decision for every slot (global: node) whose current task has ended. */
export function planRestarts(service: Service, tasks: Task[], now: Date): RestartDecision[] {
  const { slots } = groupSlots(tasks, service.spec.template.deploy.mode);
  const decisions: RestartDecision[] = [];
  for (const group of slots.values()) {
    if (group.current && isTerminal(stateOf(group.current))) decisions.push(decideRestart(service, group.key, group.current, now));
  }
  return decisions;
}
