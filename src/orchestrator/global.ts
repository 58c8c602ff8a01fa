// The global orchestrator: one task per eligible node. A node is eligible when it is ready,
// active and satisfies the constraints. A paused node keeps its task but gets no new one (not even
// a restart: pause means no new tasks). A node that is down or unknown keeps its task untouched:
// nothing could replace it, and the agent resumes it if the node comes back. A drained node, or
// one that no longer satisfies the constraints, has its task shut down.
import type { Node, Service, Task } from '../api/objects.js';
import { matchesAll, parseConstraints, type Constraint } from '../scheduler/constraints.js';
import type { OrchestratorAction } from './actions.js';
import { newTask } from './new-task.js';
import type { ReplicatedPlan } from './replicated.js';
import { fillSlot, retire } from './slot-actions.js';
import { groupSlots } from './slots.js';

type NodeVerdict = 'run' | 'keep' | string; // a string other than run/keep: why the task must go

function verdict(node: Node | undefined, constraints: Constraint[] | undefined): NodeVerdict {
  if (!node) return 'node removed';
  if (node.spec.availability === 'drain') return `node ${node.metadata.name} drained`;
  if (!constraints) return 'keep'; // invalid constraints: leave what runs, start nothing
  if (!matchesAll(constraints, node)) return `node ${node.metadata.name} no longer satisfies the constraints`;
  if (node.status?.state !== 'ready' || node.spec.availability === 'pause') return 'keep';
  return 'run';
}

/** @param tasks every task of this service; @param nodes every node of the cluster */
export function planGlobalDetailed(service: Service, tasks: Task[], nodes: Node[], now: Date, ids: () => string): ReplicatedPlan {
  const parsed = parseConstraints(service.spec.template.deploy.placement.constraints);
  const constraints = parsed.ok ? parsed.constraints : undefined;
  const { slots, strays } = groupSlots(tasks, 'global');
  const actions: OrchestratorAction[] = strays.filter((t) => t.spec.desiredState !== 'shutdown').map((t) => retire(t, 'global task has no node'));
  const byName = new Map(nodes.map((n) => [n.metadata.name, n]));
  let wakeAt: Date | undefined;
  const names = new Set([...byName.keys(), ...slots.keys()]);
  for (const name of [...names].sort()) {
    const group = slots.get(name);
    const v = verdict(byName.get(name), constraints);
    if (v === 'run') {
      const fill = fillSlot(service, name, group, now, (restart) => newTask(service, ids(), now, { nodeName: name, restart }));
      actions.push(...fill.actions);
      if (fill.wakeAt && (!wakeAt || fill.wakeAt < wakeAt)) wakeAt = fill.wakeAt;
    } else if (v === 'keep') {
      for (const t of group?.extra ?? []) actions.push(retire(t, `duplicate task on node ${name}`));
    } else {
      for (const t of [group?.current, ...(group?.extra ?? [])]) if (t) actions.push(retire(t, v));
    }
  }
  return { actions, wakeAt };
}

export function planGlobal(service: Service, tasks: Task[], nodes: Node[], now: Date, ids: () => string): OrchestratorAction[] {
  return planGlobalDetailed(service, tasks, nodes, now, ids).actions;
}

/** Nodes where a global service should run a task now (for status: its desired count). */
export function eligibleNodes(service: Service, nodes: Node[]): Node[] {
  const parsed = parseConstraints(service.spec.template.deploy.placement.constraints);
  if (!parsed.ok) return [];
  return nodes.filter((n) => verdict(n, parsed.constraints) === 'run');
}
