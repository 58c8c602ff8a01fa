// Which stacks a GitSource owns. A stack is the source's when it carries the source's label, or
// when the source's inventory lists it and no other source's label is on it (a hand `stackctl
// deploy` over an owned stack drops the label; the inventory still says whose it is). Pure.
import type { Resource } from '../api/meta.js';
import { GITSOURCE_LABEL } from './request.js';

export type Ownership = 'absent' | 'ours' | 'foreign';

export function ownership(source: string, inventory: readonly string[], stack: Resource | undefined): Ownership {
  if (!stack) return 'absent';
  const owner = stack.metadata.labels[GITSOURCE_LABEL];
  if (owner === source) return 'ours';
  if (owner === undefined && inventory.includes(stack.metadata.name)) return 'ours';
  return 'foreign';
}

/** Who owns it, for a conflict message. */
export function ownerOf(stack: Resource): string {
  const owner = stack.metadata.labels[GITSOURCE_LABEL];
  return owner ? `gitsource ${owner}` : 'stackctl deploy (no gitsource)';
}
