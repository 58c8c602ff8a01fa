// A GitSource's conditions in Flux's manner (Ready, Reconciling, Stalled), from what a sync found. Pure.
import type { GitStackResult } from '../api/objects.js';
import type { PlannedCondition } from '../orchestrator/service-status.js';

export type SyncOutcome =
  | { kind: 'fetch-failed'; reason: 'FetchFailed' | 'AuthenticationFailed'; message: string }
  | { kind: 'invalid'; revision: string; problems: string[] }
  | { kind: 'applied'; revision: string; stacks: GitStackResult[] };

const cond = (type: string, status: PlannedCondition['status'], reason: string, message: string): PlannedCondition => ({ type, status, reason, message });

const LISTED = 5;

/** The first few stacks with their messages (a condition stays readable with 100 stacks). */
function listed(stacks: GitStackResult[]): string {
  const shown = stacks
    .slice(0, LISTED)
    .map((s) => (s.message ? `${s.stack}: ${s.message}` : s.stack))
    .join('; ');
  return stacks.length > LISTED ? `${shown}; and ${stacks.length - LISTED} more (stackctl gitops status)` : shown;
}

/** Ready always; Reconciling and Stalled only while they hold. */
export function sourceConditions(outcome: SyncOutcome): PlannedCondition[] {
  if (outcome.kind === 'fetch-failed') return [cond('Ready', 'False', outcome.reason, outcome.message)];
  if (outcome.kind === 'invalid') {
    const message = `revision ${outcome.revision} is not valid, nothing applied:\n${outcome.problems.join('\n')}`;
    return [cond('Ready', 'False', 'ValidationFailed', message), cond('Stalled', 'True', 'ValidationFailed', message)];
  }
  const by = (r: GitStackResult['result']) => outcome.stacks.filter((s) => s.result === r);
  const rolling = by('rolling out');
  const reconciling = rolling.length ? [cond('Reconciling', 'True', 'Progressing', `rolling out: ${listed(rolling)}`)] : [];
  const bad: [string, GitStackResult[]][] = [
    ['RolloutRolledBack', by('rolled back')],
    ['RolloutFailed', by('failed')],
    ['StackConflict', by('conflict')],
  ];
  for (const [reason, stacks] of bad) {
    if (stacks.length) return [cond('Ready', 'False', reason, `${outcome.revision}: ${listed(stacks)}`), ...reconciling];
  }
  if (rolling.length) return [cond('Ready', 'Unknown', 'Progressing', `applying ${outcome.revision}`), ...reconciling];
  const applied = outcome.stacks.filter((s) => s.result !== 'pruned' && s.result !== 'orphaned').length;
  return [cond('Ready', 'True', 'Succeeded', `applied revision ${outcome.revision} (${applied} stack(s))`)];
}
