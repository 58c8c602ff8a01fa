// The node controller's plan: readiness follows the heartbeat lease, and the tasks of lost or
// drained nodes are let go so the orchestrators replace them.
//  - lease alive (or lapsed for less than the grace, node-grace.ts) → node ready; else down.
//  - A down node's replicated tasks are orphaned (state orphaned, desiredState shutdown): their
//    slots are then empty, so the replicated orchestrator creates replacements at once, with no
//    restart delay (Swarm applies its 5 s delay here too; stackd's target is a replacement
//    started within 10 s of the loss). Its global tasks are left alone: nothing could replace
//    them, and the agent resumes them if the node comes back.
//  - A removed node's tasks are orphaned, whatever the mode.
//  - A drained node's tasks get desiredState shutdown: the agent stops them, the orchestrators
//    replace them elsewhere (global ones: not at all, the node is not eligible).
// Only tasks that reached the node (assigned or later) and have not ended are concerned.
import type { Node, Task } from '../api/objects.js';
import type { OrchestratorAction } from './actions.js';
import { isTerminal, isUnassigned, stateOf } from './task-state.js';

export type NodeAction = { type: 'setNodeState'; nodeName: string; state: 'ready' | 'down'; message: string };

export interface NodeLivenessPlan {
  nodeActions: NodeAction[];
  taskActions: OrchestratorAction[];
}

export const HEARTBEAT_LAPSED = 'heartbeat lease expired';

/**
 * @param heartbeats node name → whether its heartbeat lease is alive
 * @param tasks      every task of the cluster
 */
export function planNodeLiveness(nodes: Node[], heartbeats: Record<string, boolean>, tasks: Task[]): NodeLivenessPlan {
  const nodeActions: NodeAction[] = [];
  const down = new Set<string>();
  for (const node of nodes) {
    const name = node.metadata.name;
    const alive = heartbeats[name] === true;
    const state = node.status?.state ?? 'unknown';
    if (!alive) down.add(name);
    if (alive && state !== 'ready') nodeActions.push({ type: 'setNodeState', nodeName: name, state: 'ready', message: '' });
    if (!alive && state !== 'down') nodeActions.push({ type: 'setNodeState', nodeName: name, state: 'down', message: HEARTBEAT_LAPSED });
  }
  const byName = new Map(nodes.map((n) => [n.metadata.name, n]));
  const taskActions: OrchestratorAction[] = [];
  for (const task of tasks) {
    const nodeName = task.spec.nodeName;
    const state = stateOf(task);
    if (nodeName === undefined || isUnassigned(state) || isTerminal(state)) continue;
    const node = byName.get(nodeName);
    const taskName = task.metadata.name;
    if (!node) {
      taskActions.push({ type: 'orphan', taskName, reason: `node ${nodeName} removed` });
    } else if (down.has(nodeName)) {
      const global = task.spec.slot === undefined;
      if (!global || task.spec.desiredState === 'shutdown') taskActions.push({ type: 'orphan', taskName, reason: `node ${nodeName} down` });
    } else if (node.spec.availability === 'drain' && task.spec.desiredState !== 'shutdown') {
      taskActions.push({ type: 'setDesired', taskName, desiredState: 'shutdown', reason: `node ${nodeName} drained` });
    }
  }
  return { nodeActions, taskActions };
}
