// A service's tasks grouped the way the orchestrators think: by slot (replicated) or by node
// (global). Each group has at most one *current* task: the newest one the manager still wants
// running. Older ones, and ones the manager shut down, are history.
import type { Task } from '../api/objects.js';

export interface SlotGroup {
  /** "1", "2", ... for replicated services; the node name for global ones */
  key: string;
  /** every task of the slot, newest first */
  tasks: Task[];
  /** the newest task the manager still wants (desiredState running, or stopped: a Compose `stop`
   *  keeps the slot); it may have finished: see restart.ts */
  current?: Task;
  /** other such tasks: duplicates to shut down */
  extra: Task[];
}

/** Newest first: creation time, then restart attempt, then name (for a stable order). */
export function newestFirst(a: Task, b: Task): number {
  // RFC 3339 UTC timestamps of one format order as plain strings; localeCompare (ICU) made this
  // sort most of the manager's CPU time at 10,000 tasks a service
  const ta = a.metadata.creationTimestamp;
  const tb = b.metadata.creationTimestamp;
  if (ta !== tb) return tb < ta ? -1 : 1;
  const byAttempt = (b.spec.restart?.attempt ?? 0) - (a.spec.restart?.attempt ?? 0);
  if (byAttempt !== 0) return byAttempt;
  return a.metadata.name < b.metadata.name ? 1 : a.metadata.name > b.metadata.name ? -1 : 0;
}

/** "1", "2", ...: one string per slot number for the process's life, so the maps keyed by slot
 *  hash each key once (a 5,000-task service's plan made and hashed 15,000 fresh ones) */
const slotKeys: string[] = [];

/** A replicated slot's key. */
export function slotKey(slot: number): string {
  if (!Number.isSafeInteger(slot) || slot < 0 || slot > 1_000_000) return String(slot);
  return (slotKeys[slot] ??= String(slot));
}

export function slotKeyOf(task: Task, mode: 'replicated' | 'global'): string | undefined {
  if (mode === 'global') return task.spec.nodeName;
  return task.spec.slot !== undefined ? slotKey(task.spec.slot) : undefined;
}

export interface GroupedSlots {
  slots: Map<string, SlotGroup>;
  strays: Task[];
}

/** Groupings of one planning pass, by input array and mode (see withSlotMemo). */
let memo: WeakMap<Task[], Partial<Record<'replicated' | 'global', GroupedSlots>>> | undefined;

/**
 * Run `plan` (synchronous) with groupSlots remembering its answers by input array: one service's
 * plan groups the same tasks four or five times (orchestrator, update, restarts, status), and at
 * 10,000 tasks a service each grouping's sort cost milliseconds per reconcile. Only inside one
 * pass, where nobody changes an input array; callers must not change the groups they get.
 */
export function withSlotMemo<T>(plan: () => T): T {
  const outer = memo;
  memo = new WeakMap();
  try {
    return plan();
  } finally {
    memo = outer;
  }
}

/** Group tasks by slot (or node); tasks without one (malformed) come back as `strays`. */
export function groupSlots(tasks: Task[], mode: 'replicated' | 'global'): GroupedSlots {
  if (!memo) return group(tasks, mode);
  let byMode = memo.get(tasks);
  if (!byMode) memo.set(tasks, (byMode = {}));
  return (byMode[mode] ??= group(tasks, mode));
}

function group(tasks: Task[], mode: 'replicated' | 'global'): GroupedSlots {
  // bucket first, then order each slot's few tasks: one sort of every task was most of a 5,000-task
  // service's plan (the manager's profile during a rolling update of 100,000 tasks)
  const slots = new Map<string, SlotGroup>();
  const strays: Task[] = [];
  for (const task of tasks) {
    const key = slotKeyOf(task, mode);
    if (key === undefined) {
      strays.push(task);
      continue;
    }
    const group = slots.get(key);
    if (group) group.tasks.push(task);
    else slots.set(key, { key, tasks: [task], extra: [] });
  }
  for (const group of slots.values()) {
    if (group.tasks.length > 1) group.tasks.sort(newestFirst);
    for (const task of group.tasks) {
      if (task.spec.desiredState === 'shutdown') continue;
      if (group.current) group.extra.push(task);
      else group.current = task;
    }
  }
  return { slots, strays: strays.sort(newestFirst) };
}
