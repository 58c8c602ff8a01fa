// Removing the stacks a source applied (gitops rm --prune, and pruning stacks gone from git).
import type { GitSource } from '../api/objects.js';
import { getObject } from '../client/objects.js';
import { removeStack } from '../stacks/apply.js';
import type { Store } from '../store/store.js';
import { ownership } from './ownership.js';

/** Remove each stack of the source's inventory that it still owns; returns the names removed. */
export async function removeOwnedStacks(store: Store, src: GitSource): Promise<string[]> {
  const inventory = src.status?.inventory ?? [];
  const removed: string[] = [];
  for (const name of inventory) {
    const stack = await getObject(store, 'Stack', '', name);
    if (ownership(src.metadata.name, inventory, stack) !== 'ours') continue;
    if (await removeStack(store, name)) removed.push(name);
  }
  return removed;
}
