// A pure simulation of the cluster around planService, to walk rollouts step by step: each step
// plans, applies the actions as the service controller would (tasks, then the Service's status and
// spec in one write), schedules pending tasks, lets a fake agent move tasks, and advances time.
import type { Node, Service, Task, TaskStatus } from '../../../src/api/objects.js';
import { applyToTask, type OrchestratorAction } from '../../../src/orchestrator/actions.js';
import { planService, type ServicePlan } from '../../../src/orchestrator/plan-service.js';
import { isTerminal } from '../../../src/orchestrator/task-state.js';
import { schedule } from '../../../src/scheduler/schedule.js';

/** How the fake agent treats a task of an image: run it, crash it (at once, or after `after` seconds running), or reject it. */
export type Behaviour = { kind: 'run' } | { kind: 'crash'; after: number } | { kind: 'reject' };

export interface World {
  service: Service;
  tasks: Task[];
  nodes: Node[];
  now: Date;
  ids: () => string;
  /** image → behaviour (default: run) */
  images: Record<string, Behaviour>;
  /** tasks asked to stop take one more step to stop (to see stop-first wait) */
  slowStop?: boolean;
  stopping?: Set<string>;
}

export function applyActions(tasks: Task[], actions: OrchestratorAction[], now: Date): Task[] {
  let out = [...tasks];
  for (const a of actions) {
    if (a.type === 'create') out.push(a.task);
    else if (a.type === 'delete') out = out.filter((t) => t.metadata.name !== a.taskName);
    else out = out.map((t) => (t.metadata.name === a.taskName ? applyToTask(t, a, now) : t));
  }
  return out;
}

/** The Service as the controller writes it after a plan: status (update, revisions) and, on rollback, the spec. */
export function applyRollout(service: Service, plan: ServicePlan): Service {
  const { rollout } = plan;
  const spec = rollout.rollbackSpec ? { ...service.spec, template: rollout.rollbackSpec.template } : service.spec;
  const generation = service.metadata.generation + (rollout.rollbackSpec ? 1 : 0);
  return {
    ...service,
    metadata: { ...service.metadata, generation },
    spec,
    status: { ...service.status, revisions: rollout.revisions, ...(rollout.update ? { update: rollout.update } : {}) },
  };
}

function setStatus(task: Task, now: Date, patch: Partial<TaskStatus> & Pick<TaskStatus, 'state'>): Task {
  return { ...task, status: { message: '', ...patch, timestamp: now.toISOString() } };
}

/** The fake agent: assigned tasks start (or are rejected), running ones crash when due, stopped ones stop. */
export function agent(world: World): Task[] {
  const stopping = (world.stopping ??= new Set());
  return world.tasks.map((t) => {
    const state = t.status!.state;
    if (isTerminal(state)) return t;
    if (t.spec.desiredState === 'shutdown' && state !== 'new' && state !== 'pending') {
      if (world.slowStop && !stopping.has(t.metadata.name)) {
        stopping.add(t.metadata.name);
        return t;
      }
      return setStatus(t, world.now, { state: 'shutdown', message: 'shutdown' });
    }
    const behaviour = world.images[t.spec.template.image ?? ''] ?? { kind: 'run' };
    if (state === 'assigned') {
      if (behaviour.kind === 'reject') return setStatus(t, world.now, { state: 'rejected', message: 'pulling', error: 'no such image' });
      if (behaviour.kind === 'crash' && behaviour.after === 0) return setStatus(t, world.now, { state: 'failed', message: 'started', exitCode: 1 });
      return setStatus(t, world.now, { state: 'running', message: 'started' });
    }
    if (state === 'running' && behaviour.kind === 'crash' && world.now.getTime() - Date.parse(t.status!.timestamp) >= behaviour.after * 1000) {
      return setStatus(t, world.now, { state: 'failed', message: 'started', exitCode: 1 });
    }
    return t;
  });
}

function assign(tasks: Task[], nodes: Node[]): Task[] {
  const { assignments } = schedule(tasks, nodes, tasks);
  const to = new Map(assignments.map((x) => [x.taskName, x.nodeName]));
  return tasks.map((t) =>
    to.has(t.metadata.name) ? { ...t, spec: { ...t.spec, nodeName: to.get(t.metadata.name) }, status: { ...t.status!, state: 'assigned' as const } } : t,
  );
}

export function plan(world: World): ServicePlan {
  return planService({ service: world.service, services: [world.service], tasks: world.tasks, nodes: world.nodes, now: world.now, ids: world.ids });
}

/** What the service controller writes after a plan. */
export function write(world: World, p: ServicePlan): void {
  world.tasks = applyActions(world.tasks, p.actions, world.now);
  world.service = applyRollout(world.service, p);
}

/** The rest of the cluster: the scheduler, the agents, then time passes. */
export function advance(world: World, tickSeconds = 1): void {
  world.tasks = assign(world.tasks, world.nodes);
  world.tasks = agent(world);
  world.now = new Date(world.now.getTime() + tickSeconds * 1000);
}

/** One round: plan, write, schedule, agent, tick. Returns the plan made. */
export function step(world: World, tickSeconds = 1): ServicePlan {
  const p = plan(world);
  write(world, p);
  advance(world, tickSeconds);
  return p;
}

/** The current tasks (desired running) of the service, by slot key, with their image. */
export function currentImages(world: World): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of world.tasks) if (t.spec.desiredState === 'running') out[String(t.spec.slot ?? t.spec.nodeName)] = t.spec.template.image ?? '';
  return out;
}

export const runningCount = (world: World) => world.tasks.filter((t) => t.status?.state === 'running').length;
