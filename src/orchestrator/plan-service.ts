// One entry point per service key: everything the orchestration layer wants done for a service.
// The reconciler loads a snapshot (the Service, the stack's Services and Tasks, the Nodes), calls
// planService, applies `actions` in batched compare-and-swap transactions, writes `status`, and
// requeues the key after `requeueAfterMs` if given. The scheduler runs separately over every
// pending task; the node controller runs planNodeLiveness.
import type { Node, Service, ServiceRevision, ServiceUpdateStatus, Task } from '../api/objects.js';
import { matchesAll, parseConstraints } from '../scheduler/constraints.js';
import { actionTaskName, type OrchestratorAction } from './actions.js';
import { dependencyGate, type GateResult } from './dependencies.js';
import { planGlobalDetailed } from './global.js';
import { planTaskHistory, TASK_HISTORY_LIMIT } from './history.js';
import { planReplicatedDetailed } from './replicated.js';
import { summarizeService, type PlannedCondition, type ServiceStatusSummary } from './service-status.js';
import { planRevisions } from './revisions.js';
import { retire } from './slot-actions.js';
import { planRunState } from './stop.js';
import { slotKeyOf, withSlotMemo } from './slots.js';
import { isTerminal, stateOf } from './task-state.js';
import { rolloutConditions } from './update-conditions.js';
import { planUpdate, type RollbackSpecAction, type UpdatePlan } from './update.js';

/** How often a service waiting on dependencies looks again, should no event wake it sooner. */
export const DEPENDENCY_RECHECK_MS = 2000;

export interface ServicePlanInput {
  service: Service;
  /** the services of the stack (for depends_on) */
  services: Service[];
  /** the tasks of the stack: this service's and its dependencies' */
  tasks: Task[];
  nodes: Node[];
  now: Date;
  /** task names; must be unique across the cluster */
  ids: () => string;
  historyLimit?: number;
  /** revisions kept in status.revisions (default 10) */
  revisionHistoryLimit?: number;
}

/** The Service's own writes, made in one compare-and-swap write of the Service (spec and status together). */
export interface RolloutPlan {
  /** status.revisions */
  revisions: ServiceRevision[];
  /** status.update (undefined: never had a rollout) */
  update?: ServiceUpdateStatus;
  /** an update failed: write spec.template (bump metadata.generation) in the same write as status.update */
  rollbackSpec?: RollbackSpecAction;
  /** Available, Progressing, Paused, RolledBack: add to status.conditions */
  conditions: PlannedCondition[];
}

export interface ServicePlan {
  /** at most one action per task */
  actions: OrchestratorAction[];
  /** reconcile again after this long (a delayed restart is due, or dependencies are awaited) */
  requeueAfterMs?: number;
  status: ServiceStatusSummary;
  rollout: RolloutPlan;
}

/** Replicated tasks on nodes that no longer satisfy the constraints (labels changed): Swarm's constraint enforcer. */
function enforceConstraints(own: Task[], nodes: Node[]): OrchestratorAction[] {
  const byName = new Map(nodes.map((n) => [n.metadata.name, n]));
  // each task against its own revision's constraints (as Swarm): a change of constraints is a new
  // revision, which the update supervisor rolls out. Judged once per revision and node: a
  // 5,000-task service has a handful of revisions and at most one verdict per node for each
  const revisions = new Map<string, { parsed: ReturnType<typeof parseConstraints>; fits: Map<string, boolean> }>();
  const fitsOn = (t: Task, node: Node): boolean => {
    let rev = revisions.get(t.spec.specHash);
    if (!rev) revisions.set(t.spec.specHash, (rev = { parsed: parseConstraints(t.spec.template.deploy.placement.constraints), fits: new Map() }));
    const { parsed, fits } = rev;
    let fit = fits.get(node.metadata.name);
    if (fit === undefined) fits.set(node.metadata.name, (fit = !parsed.ok || matchesAll(parsed.constraints, node)));
    return fit;
  };
  const actions: OrchestratorAction[] = [];
  for (const t of own) {
    if (t.spec.desiredState !== 'running' || isTerminal(stateOf(t))) continue;
    const node = t.spec.nodeName !== undefined ? byName.get(t.spec.nodeName) : undefined;
    if (node && !fitsOn(t, node)) actions.push(retire(t, `node ${node.metadata.name} no longer satisfies the constraints`));
  }
  return actions;
}

/** Dependencies not met: new tasks are created in state `new` and wait; met: waiting tasks are admitted. */
function gateActions(actions: OrchestratorAction[], own: Task[], gate: GateResult, touched: Set<string>): OrchestratorAction[] {
  if (!gate.ready) {
    return actions.map((a) => (a.type === 'create' ? { ...a, task: { ...a.task, status: { ...a.task.status!, state: 'new', message: gate.reason! } } } : a));
  }
  const admits: OrchestratorAction[] = own
    .filter((t) => stateOf(t) === 'new' && t.spec.desiredState === 'running' && !touched.has(t.metadata.name))
    .map((t) => ({ type: 'admit', taskName: t.metadata.name, message: 'dependencies met; pending task scheduling' }));
  return [...actions, ...admits];
}

export function planService(input: ServicePlanInput): ServicePlan {
  return withSlotMemo(() => planServiceOnce(input));
}

function planServiceOnce(input: ServicePlanInput): ServicePlan {
  const { service, now } = input;
  const deploy = service.spec.template.deploy;
  const own = input.tasks.filter((t) => t.spec.stack === service.spec.stack && t.spec.service === service.metadata.name);

  // tasks the constraint enforcer stops count as shut down, so their slots are refilled in this same plan
  const enforced = deploy.mode === 'replicated' ? enforceConstraints(own, input.nodes) : [];
  const stopped = new Set(enforced.map(actionTaskName));
  // the same array as `own` when nothing is enforced, so both group into slots once (withSlotMemo)
  const view = stopped.size === 0 ? own : own.map((t) => (stopped.has(t.metadata.name) ? { ...t, spec: { ...t.spec, desiredState: 'shutdown' as const } } : t));
  const orchestrated =
    deploy.mode === 'global' ? planGlobalDetailed(service, view, input.nodes, now, input.ids) : planReplicatedDetailed(service, view, now, input.ids);

  // the update supervisor replaces old revisions; the slots it holds are its alone this round.
  // A stopped service's rollout is frozen where it is (nothing replaced, no deadline running).
  const revisions = planRevisions(service.status?.revisions ?? [], service.spec.template, now, input.revisionHistoryLimit).revisions;
  const update: UpdatePlan = service.spec.stopped
    ? { actions: [], held: [], status: service.status?.update }
    : planUpdate(service, view, input.nodes, now, input.ids, revisions);
  const held = new Set(update.held);
  // built only when an action's slot is asked for (most plans of a large service have none)
  let byName: Map<string, Task> | undefined;
  const slotOf = (a: OrchestratorAction) => {
    const task = a.type === 'create' ? a.task : (byName ??= new Map(view.map((t) => [t.metadata.name, t]))).get(a.taskName);
    return task ? slotKeyOf(task, deploy.mode) : undefined;
  };

  const gate = dependencyGate(service, input.services, input.tasks);
  let actions = [...enforced, ...update.actions.filter((a) => !stopped.has(actionTaskName(a))), ...orchestrated.actions.filter((a) => !held.has(slotOf(a) ?? ''))];
  const touched = new Set(actions.map(actionTaskName));
  // Compose stop/start: the tasks nothing else touches this round (before admissions: a task being
  // stopped is not admitted)
  const runState = planRunState(service, own, input.services, input.tasks);
  actions.push(...runState.actions.filter((a) => !touched.has(actionTaskName(a))));
  for (const a of runState.actions) touched.add(actionTaskName(a));
  actions = gateActions(actions, own, gate, touched);

  for (const name of planTaskHistory(own, input.historyLimit ?? TASK_HISTORY_LIMIT)) {
    if (!touched.has(name)) actions.push({ type: 'delete', taskName: name, reason: 'task history limit' });
  }

  const waits = [
    orchestrated.wakeAt ? orchestrated.wakeAt.getTime() - now.getTime() : Infinity,
    gate.ready ? Infinity : DEPENDENCY_RECHECK_MS,
    update.requeueAfterMs ?? Infinity,
    runState.waiting && !service.spec.stopped ? DEPENDENCY_RECHECK_MS : Infinity,
  ];
  const requeue = Math.min(...waits);
  const status = summarizeService(service, own, input.nodes, gate, now, runState.waiting);
  return {
    actions,
    ...(requeue !== Infinity ? { requeueAfterMs: Math.max(0, requeue) } : {}),
    status,
    rollout: {
      revisions,
      ...(update.status ? { update: update.status } : {}),
      ...(update.rollbackSpec ? { rollbackSpec: update.rollbackSpec } : {}),
      conditions: rolloutConditions(update.status, status.replicas, service.metadata.generation),
    },
  };
}
