// One sync's plan: which stacks of the commit to deploy, which to leave alone, which to prune. Pure.
import type { Resource } from '../api/meta.js';
import type { GitStackResult } from '../api/objects.js';
import { ownerOf, ownership } from './ownership.js';
import { GITSOURCE_LABEL } from './request.js';

export interface WantedStack {
  name: string;
  file: string;
  digest: string;
}

export interface SyncPlanInput {
  source: string;
  prune: boolean;
  /** status.inventory: the stacks the source applied before */
  inventory: readonly string[];
  /** the stacks in the commit */
  wanted: WantedStack[];
  /** every Stack in the Store, by name */
  existing: ReadonlyMap<string, Resource>;
  /** status.stacks of the last sync */
  previous: readonly GitStackResult[];
}

export interface SyncPlan {
  /** deploy these (absent, or ours) */
  apply: WantedStack[];
  /** ours, but rolled back at this very content: not deployed again until git changes */
  held: GitStackResult[];
  /** in git, but another owner's stack: never touched */
  conflicts: GitStackResult[];
  /** gone from git, ours: remove (prune on) */
  prune: string[];
  /** gone from git, ours: kept (prune off) */
  orphaned: string[];
}

export function planSync(input: SyncPlanInput): SyncPlan {
  const plan: SyncPlan = { apply: [], held: [], conflicts: [], prune: [], orphaned: [] };
  for (const w of input.wanted) {
    const stack = input.existing.get(w.name);
    const owner = ownership(input.source, input.inventory, stack);
    if (owner === 'foreign') {
      plan.conflicts.push({ stack: w.name, file: w.file, result: 'conflict', message: `stack ${w.name} exists and belongs to ${ownerOf(stack!)}; not touched` });
      continue;
    }
    const before = input.previous.find((p) => p.stack === w.name);
    if (owner === 'ours' && before?.result === 'rolled back' && before.digest === w.digest) plan.held.push(before);
    else plan.apply.push(w);
  }
  const inGit = new Set(input.wanted.map((w) => w.name));
  // the inventory, and stacks labelled as ours (a source removed and added again has no inventory)
  const labelled = [...input.existing.values()].filter((s) => s.metadata.labels[GITSOURCE_LABEL] === input.source).map((s) => s.metadata.name);
  for (const name of [...new Set([...input.inventory, ...labelled])].sort()) {
    if (inGit.has(name)) continue;
    if (ownership(input.source, input.inventory, input.existing.get(name)) !== 'ours') continue;
    (input.prune ? plan.prune : plan.orphaned).push(name);
  }
  return plan;
}

/** The inventory after the sync: what was applied or held, and what was kept though gone from git. */
export function nextInventory(plan: SyncPlan, failedCreates: ReadonlySet<string> = new Set()): string[] {
  const names = [...plan.apply.map((a) => a.name).filter((n) => !failedCreates.has(n)), ...plan.held.map((h) => h.stack), ...plan.orphaned];
  return [...new Set(names)].sort();
}
