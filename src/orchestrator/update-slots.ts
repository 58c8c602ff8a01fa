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
  /** start-first in progress: the current task is the new one, these old ones still run beside it */
  oldBeside: Task[];
}

const live = (t: Task) => !isTerminal(stateOf(t));

export function viewSlot(key: string, group: SlotGroup | undefined, target: string): SlotView {
  const current = group?.current;
  if (!current) {
    const stopping = (group?.tasks ?? []).some((t) => live(t) && t.spec.specHash !== target);
    return { key, phase: 'busy', stopping, oldBeside: [] };
  }
  const base = { key, current, stopping: false };
  if (current.spec.specHash !== target) return { ...base, phase: 'old', oldBeside: [] };
  const oldBeside = group!.extra.filter((t) => live(t) && t.spec.specHash !== target);
  // a start-first pair whose new task runs counts as updated: the old one goes in this same round
  if (stateOf(current) === 'running') return { ...base, phase: 'updated', oldBeside };
  return { ...base, phase: live(current) || oldBeside.length > 0 ? 'busy' : 'ended', oldBeside };
}

/** Slot keys in order: numerically for replicated services, by name for global ones. */
export function bySlotKey(a: string, b: string): number {
  const [x, y] = [Number(a), Number(b)];
  return Number.isInteger(x) && Number.isInteger(y) ? x - y : a < b ? -1 : a > b ? 1 : 0;
}
