// GitOps events, read off a GitSource's status (src/gitops/sync.ts writes it). Pure.
// - SyncApplied: a new commit was applied (lastAppliedRevision moved); a resync of the same
//   commit records nothing, so a sync every minute is no event every minute.
// - SyncHeldBack: a commit, or some of its stacks, was not applied: an invalid commit (only
//   lastAttemptedRevision moved; the why is the Ready condition's message), or stacks of an
//   applied commit left alone (another owner's stack, a failed apply, or a stack held at the
//   content it was rolled back from, plan.ts).
// - SyncFailed: the repository could not be fetched (Ready turned False with a fetch failure's
//   reason, git-auth.ts; a rollout's failure is the service's own event).
import type { GitSource, GitSourceStatus, GitStackResult } from '../api/objects.js';
import type { FetchFailure } from '../gitops/git-auth.js';
import type { InvolvedObject } from './event.js';
import type { EventNote } from './transitions.js';

const FETCH_FAILURES: ReadonlySet<string> = new Set<FetchFailure>(['AuthenticationFailed', 'FetchFailed']);
const ready = (s: GitSourceStatus) => s.conditions?.find((c) => c.type === 'Ready');
const oneLine = (text: string) => text.split('\n').filter(Boolean).join('; ');

/** Stacks of a sync left alone: a conflict or a failed apply, or one still 'rolled back' as the
 *  last sync left it (held: not deployed again until git changes). */
function heldBack(s: GitSourceStatus, was: GitSourceStatus): GitStackResult[] {
  return (s.stacks ?? []).filter((r) => {
    if (r.result === 'conflict' || r.result === 'failed') return true;
    const before = was.stacks?.find((p) => p.stack === r.stack);
    return r.result === 'rolled back' && before?.result === 'rolled back' && before.deployedAt === r.deployedAt;
  });
}

export function gitSourceTransition(old: GitSource | undefined, next: GitSource): EventNote[] {
  if (!old) return [];
  const object: InvolvedObject = { kind: 'GitSource', stack: '', name: next.metadata.name };
  const s = next.status ?? {};
  const was = old.status ?? {};
  const notes: EventNote[] = [];
  const applied = s.lastAppliedRevision;
  if (applied && applied !== was.lastAppliedRevision) {
    const stacks = (s.stacks ?? []).filter((r) => r.result !== 'pruned' && r.result !== 'orphaned');
    notes.push({ object, type: 'Normal', reason: 'SyncApplied', message: `applied ${applied} (${stacks.length} stack(s))` });
    const held = heldBack(s, was);
    if (held.length > 0) {
      const why = held.map((r) => `${r.stack}: ${r.result}${r.message ? ` (${oneLine(r.message)})` : ''}`).join('; ');
      notes.push({ object, type: 'Warning', reason: 'SyncHeldBack', message: `${applied}: held back ${why}` });
    }
  }
  const attempted = s.lastAttemptedRevision;
  if (attempted && attempted !== was.lastAttemptedRevision && attempted !== applied) {
    notes.push({ object, type: 'Warning', reason: 'SyncHeldBack', message: `${attempted} not applied: ${oneLine(ready(s)?.message ?? 'invalid')}` });
  }
  const r = ready(s);
  if (r?.status === 'False' && FETCH_FAILURES.has(r.reason) && (r.reason !== ready(was)?.reason || r.message !== ready(was)?.message)) {
    notes.push({ object, type: 'Warning', reason: 'SyncFailed', message: `${r.reason}: ${oneLine(r.message)}` });
  }
  return notes;
}
