// The rollout state machine (status.update), as pure transitions on the stored record.
//
//   (new revision, old tasks) ─→ updating ──(all slots updated and monitored)──→ completed
//        updating ⇄ paused               (failure with failure_action pause / the user)
//        updating ──→ rollback_started ──(all slots back)──→ rollback_completed
//        rollback_started ⇄ rollback_paused  (a rollback failure: never a rollback of a rollback)
//
// A newer revision starts a new record whatever the state. The user pauses with the annotation
// stackd.io/paused=true (and resumes by removing it); a pause by failure resumes when annotation
// stackd.io/resume equals the record's pausedAt (written by `rollout resume`), which makes the
// resume apply to that pause only and leaves clocks out of it.
import type { ServiceUpdateStatus, UpdateCause, UpdateState } from '../api/objects.js';

export const PAUSED_ANNOTATION = 'stackd.io/paused';
export const RESUME_ANNOTATION = 'stackd.io/resume';

export const isRollback = (s: UpdateState) => s.startsWith('rollback_');
export const isActive = (s: UpdateState) => s === 'updating' || s === 'rollback_started';
export const isPaused = (s: UpdateState) => s === 'paused' || s === 'rollback_paused';
export const isFinished = (s: UpdateState) => s === 'completed' || s === 'rollback_completed';

export function startUpdate(from: string, to: string, total: number, now: Date): ServiceUpdateStatus {
  return { state: 'updating', message: '', startedAt: now.toISOString(), fromRevision: from, toRevision: to, updated: 0, total, failures: 0, verdicts: {} };
}

export function pause(rec: ServiceUpdateStatus, cause: UpdateCause, now: Date): ServiceUpdateStatus {
  return { ...rec, state: isRollback(rec.state) ? 'rollback_paused' : 'paused', pauseCause: cause, pausedAt: now.toISOString() };
}

/** Back to work. After a pause by failure the count starts afresh, as a new update does in Swarm. */
export function resume(rec: ServiceUpdateStatus): ServiceUpdateStatus {
  const { pausedAt: _p, pauseCause, ...rest } = rec;
  const byUser = pauseCause?.reason === 'PausedByUser';
  return { ...rest, state: isRollback(rec.state) ? 'rollback_started' : 'updating', failures: byUser ? rec.failures : 0 };
}

/** The update failed: roll back to fromRevision, counting afresh, under rollback_config. */
export function startRollback(rec: ServiceUpdateStatus, cause: UpdateCause, now: Date): ServiceUpdateStatus {
  return {
    state: 'rollback_started',
    message: '',
    startedAt: now.toISOString(),
    fromRevision: rec.toRevision,
    toRevision: rec.fromRevision,
    updated: 0,
    total: rec.total,
    failures: 0,
    rollbackCause: cause,
    verdicts: {},
  };
}

export function complete(rec: ServiceUpdateStatus, now: Date): ServiceUpdateStatus {
  return { ...rec, state: rec.state === 'rollback_started' ? 'rollback_completed' : 'completed', completedAt: now.toISOString(), verdicts: {} };
}

/** Apply the user's wishes (annotations) to the record. */
export function applyUserIntent(rec: ServiceUpdateStatus, annotations: Record<string, string>, now: Date): ServiceUpdateStatus {
  const wantsPause = annotations[PAUSED_ANNOTATION] === 'true';
  let out = rec;
  if (isPaused(out.state)) {
    const byUser = out.pauseCause?.reason === 'PausedByUser';
    if (byUser ? !wantsPause : annotations[RESUME_ANNOTATION] === out.pausedAt) out = resume(out);
  }
  if (isActive(out.state) && wantsPause) out = pause(out, { reason: 'PausedByUser', message: `paused by the user (annotation ${PAUSED_ANNOTATION})` }, now);
  return out;
}

/** The record's one-line message, from its fields. */
export function describeUpdate(rec: ServiceUpdateStatus): string {
  const failed = rec.failures > 0 ? `, ${rec.failures} failed` : '';
  const progress = `${rec.updated}/${rec.total} tasks`;
  const failedUpdate = `the update to ${rec.fromRevision} failed (${rec.rollbackCause?.message ?? 'unknown cause'})`;
  switch (rec.state) {
    case 'updating':
      return `updating to ${rec.toRevision}: ${progress} updated${failed}`;
    case 'paused':
      return `update to ${rec.toRevision} paused: ${rec.pauseCause?.message ?? ''} (${progress} updated${failed})`;
    case 'completed':
      return `update to ${rec.toRevision} completed${failed}`;
    case 'rollback_started':
      return `rolling back to ${rec.toRevision}: ${failedUpdate}; ${progress} rolled back${failed}`;
    case 'rollback_paused':
      return `rollback to ${rec.toRevision} paused: ${rec.pauseCause?.message ?? ''} (${progress} rolled back${failed})`;
    case 'rollback_completed':
      return `rolled back to ${rec.toRevision}: ${failedUpdate}`;
  }
}
