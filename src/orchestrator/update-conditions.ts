// Kubernetes-style conditions for a Service's rollout, from status.update and the replica counts.
//   Available    True when every desired replica runs (AllReplicasRunning / ReplicasUnavailable).
//   Progressing  True while updating or rolling back (Updating, RollingBack) and once completed
//                (UpdateCompleted); False when paused (PausedByUser, ProgressDeadlineExceeded,
//                UpdateFailed, RollbackFailed) or rolled back (RolledBack).
//   Paused       True in the paused states, with the same reasons.
//   RolledBack   True once an update failed and was rolled back (its cause as the reason).
// Progressing, Paused and RolledBack appear once the service has had a rollout.
import type { ServiceUpdateStatus, UpdateCause } from '../api/objects.js';
import type { PlannedCondition } from './service-status.js';
import { isPaused, isRollback } from './update-state.js';

function pauseReason(update: ServiceUpdateStatus, cause: UpdateCause | undefined): string {
  if (!cause || cause.reason === 'PausedByUser' || cause.reason === 'ProgressDeadlineExceeded') return cause?.reason ?? 'Paused';
  return isRollback(update.state) ? 'RollbackFailed' : 'UpdateFailed';
}

export function rolloutConditions(update: ServiceUpdateStatus | undefined, replicas: { desired: number; running: number }, generation: number): PlannedCondition[] {
  const condition = (type: string, status: boolean, reason: string, message: string): PlannedCondition => ({
    type,
    status: status ? 'True' : 'False',
    reason,
    message,
    observedGeneration: generation,
  });
  const available = replicas.running >= replicas.desired;
  const out = [condition('Available', available, available ? 'AllReplicasRunning' : 'ReplicasUnavailable', `${replicas.running}/${replicas.desired} tasks running`)];
  if (!update) return out;
  const paused = isPaused(update.state);
  const reason = paused ? pauseReason(update, update.pauseCause) : '';
  const progressing: Record<ServiceUpdateStatus['state'], [boolean, string]> = {
    updating: [true, 'Updating'],
    rollback_started: [true, 'RollingBack'],
    completed: [true, 'UpdateCompleted'],
    paused: [false, reason],
    rollback_paused: [false, reason],
    rollback_completed: [false, 'RolledBack'],
  };
  const [isProgressing, progressReason] = progressing[update.state];
  const rolledBack = isRollback(update.state);
  out.push(
    condition('Progressing', isProgressing, progressReason, update.message),
    condition('Paused', paused, paused ? reason : 'NotPaused', paused ? (update.pauseCause?.message ?? '') : ''),
    condition(
      'RolledBack',
      rolledBack,
      rolledBack ? (update.rollbackCause?.reason ?? 'UpdateFailed') : 'NotRolledBack',
      rolledBack ? (update.rollbackCause?.message ?? '') : '',
    ),
  );
  return out;
}
