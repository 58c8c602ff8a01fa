// A stack's revisions: which revision (spec hash) of each service a deploy or rollback made, so a
// whole stack can go back together (`stackctl rollback STACK`). Pure.
import type { StackRevision } from '../api/objects.js';

export const STACK_REVISION_LIMIT = 10;

/** The revisions after a write that leaves the services at `services` (name → spec hash);
 *  undefined when that is what the newest revision says already. Newest first. */
export function nextStackRevisions(
  revisions: StackRevision[] = [],
  services: Record<string, string>,
  now: Date,
  cause: string,
  limit = STACK_REVISION_LIMIT,
): StackRevision[] | undefined {
  const newest = revisions[0];
  if (newest && sameServices(newest.services, services)) return undefined;
  const revision = (newest?.revision ?? 0) + 1;
  return [{ revision, createdAt: now.toISOString(), cause, services }, ...revisions].slice(0, limit);
}

function sameServices(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/** The revision to go back to: --to-revision N, else the one before the newest. */
export function stackRollbackTarget(stack: string, revisions: StackRevision[] = [], toRevision?: number): StackRevision | string {
  const target = toRevision === undefined ? revisions[1] : revisions.find((r) => r.revision === toRevision);
  if (target) return target;
  const kept = revisions.map((r) => r.revision).join(', ') || 'none';
  return toRevision === undefined ? `stack ${stack} has no previous revision` : `stack ${stack} has no revision ${toRevision} (kept: ${kept})`;
}
