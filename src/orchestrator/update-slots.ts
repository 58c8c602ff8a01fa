// Where each wanted slot (global: node) stands in a rollout to the `target` revision.
import type { Task } from '../api/objects.js';
import type { SlotGroup } from './slots.js';
import { isTerminal, stateOf } from './task-state.js';

export type SlotPhase =
  /** its current task runs another revision (ended or not): to be replaced */
  | 'old'
  /** its current task runs the target revision and is running (healthy): done (a start-first
   *  pair's old task is retired in the same round) */
  | 'updated'
  /** between two tasks: empty, its old task stopping (stop-first), or a new task not running yet */
  | 'busy'
  /** its current task, of the target revision, ended: the restart supervisor's */
  | 'ended';

export interface SlotView {
  key: string;
  phase: SlotPhase;
  current?: Task;
  /** stop-first in progress: no current task, and a task of another revision still stopping */
  stopping: boolean;
  /** start-first in progress: `current` is the target revision's task, these others still run beside it */
  oldBeside: Task[];
}

const live = (t: Task) => !isTerminal(stateOf(t));

export function viewSlot(key: string, group: SlotGroup | undefined, target: string): SlotView {
  const current = group?.current;
  if (!current) {
    const stopping = (group?.tasks ?? []).some((t) => live(t) && t.spec.specHash !== target);
    return { key, phase: 'busy', stopping, oldBeside: [] };
  }
  const others = group!.extra.filter((t) => live(t) && t.spec.specHash !== target);
  if (current.spec.specHash === target) return pair(key, current, others);
  // a rollback of a start-first update: the target's task still runs beside the newer one
  const targetBeside = group!.extra.find((t) => live(t) && t.spec.specHash === target);
  if (targetBeside) return pair(key, targetBeside, [current, ...others]);
  return { key, current, phase: 'old', stopping: false, oldBeside: [] };
}

function pair(key: string, current: Task, oldBeside: Task[]): SlotView {
  // a start-first pair whose new task runs counts as updated: the old one goes in this same round
  const phase = stateOf(current) === 'running' ? 'updated' : live(current) || oldBeside.length > 0 ? 'busy' : 'ended';
  return { key, current, phase, stopping: false, oldBeside };
}

/** Slot keys in order: numerically for replicated services, by name for global ones. */
export function bySlotKey(a: string, b: string): number {
  const [x, y] = [Number(a), Number(b)];
  return Number.isInteger(x) && Number.isInteger(y) ? x - y : a < b ? -1 : a > b ? 1 : 0;
}
