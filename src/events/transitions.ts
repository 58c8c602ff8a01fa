// What an operator wants to hear about, read off the state transitions the manager's caches
// already see (old object → new object). Pure: the event watcher (watcher.ts) records the result.
// Task events are recorded on the task's Service, named by slot ("web.1"), so a crash loop (a new
// task per restart) counts on one event rather than adding one per task.
import type { GitSource, Node, Service, Task } from '../api/objects.js';
import type { EventType, InvolvedObject } from './event.js';

export interface EventNote {
  object: InvolvedObject;
  type: EventType;
  reason: string;
  message: string;
}

const isRollbackState = (s: string) => s.startsWith('rollback_');

function slotName(t: Task): string {
  return t.spec.slot === undefined ? `${t.spec.service}@${t.spec.nodeName ?? '?'}` : `${t.spec.service}.${t.spec.slot}`;
}

export function taskTransition(old: Task | undefined, next: Task): EventNote[] {
  const object: InvolvedObject = { kind: 'Service', stack: next.spec.stack, name: next.spec.service };
  const state = next.status?.state;
  if (!old) {
    const attempt = next.spec.restart?.attempt ?? 0;
    return attempt > 0 ? [{ object, type: 'Normal', reason: 'TaskRestarted', message: `${slotName(next)} restarted (attempt ${attempt})` }] : [];
  }
  const notes: EventNote[] = [];
  if (state !== old.status?.state && (state === 'failed' || state === 'rejected')) {
    const exit = next.status?.exitCode === undefined ? '' : `exit code ${next.status.exitCode}: `;
    const why = next.status?.error || next.status?.message || state;
    notes.push({ object, type: 'Warning', reason: state === 'failed' ? 'TaskFailed' : 'TaskRejected', message: `${slotName(next)} ${state}: ${exit}${why}` });
  }
  const msg = next.status?.message ?? '';
  if (state === 'pending' && msg.startsWith('no suitable node') && msg !== old.status?.message) {
    notes.push({ object, type: 'Warning', reason: 'FailedScheduling', message: `${slotName(next)}: ${msg}` });
  }
  return notes;
}

export function serviceTransition(old: Service | undefined, next: Service): EventNote[] {
  const u = next.status?.update;
  const was = old?.status?.update;
  if (!old || !u || (u.state === was?.state && u.startedAt === was?.startedAt)) return [];
  const object: InvolvedObject = { kind: 'Service', stack: next.metadata.namespace, name: next.metadata.name };
  const to = `${u.fromRevision.slice(0, 8)} → ${u.toRevision.slice(0, 8)}`;
  const started: EventNote = { object, type: 'Normal', reason: 'RolloutStarted', message: `rollout ${to} started (${u.total} tasks)` };
  // a rollout whose start this watcher never saw in its own write (started and finished between
  // two status writes): say it started too, so every rollout has its start
  if (u.startedAt !== was?.startedAt && u.state !== 'updating' && u.state !== 'rollback_started' && !isRollbackState(u.state)) {
    return [started, ...serviceTransition({ ...old, status: { ...old.status, update: { ...u, state: 'updating' } } }, next)];
  }
  switch (u.state) {
    case 'updating':
      return [started];
    case 'paused':
      return [{ object, type: 'Warning', reason: 'RolloutPaused', message: `rollout ${to} paused: ${u.pauseCause?.message ?? u.message}` }];
    case 'completed':
      return [{ object, type: 'Normal', reason: 'RolloutCompleted', message: `rollout ${to} completed (${u.updated}/${u.total} updated)` }];
    case 'rollback_started':
      return [
        { object, type: 'Warning', reason: 'RolloutRolledBack', message: `rolling back to ${u.toRevision.slice(0, 8)}: ${u.rollbackCause?.message ?? u.message}` },
      ];
    case 'rollback_paused':
      return [
        { object, type: 'Warning', reason: 'RollbackPaused', message: `rollback to ${u.toRevision.slice(0, 8)} paused: ${u.pauseCause?.message ?? u.message}` },
      ];
    case 'rollback_completed':
      return [{ object, type: 'Normal', reason: 'RollbackCompleted', message: `rolled back to ${u.toRevision.slice(0, 8)}` }];
  }
}

export function nodeTransition(old: Node | undefined, next: Node): EventNote[] {
  if (!old) return [];
  const object: InvolvedObject = { kind: 'Node', stack: '', name: next.metadata.name };
  const notes: EventNote[] = [];
  const state = next.status?.state;
  if (state !== old.status?.state && state === 'down')
    notes.push({ object, type: 'Warning', reason: 'NodeDown', message: `node ${next.metadata.name} down: ${next.status?.message || 'heartbeat lost'}` });
  if (state !== old.status?.state && state === 'ready') notes.push({ object, type: 'Normal', reason: 'NodeReady', message: `node ${next.metadata.name} ready` });
  const a = next.spec.availability;
  if (a !== old.spec.availability) {
    const reason = a === 'drain' ? 'NodeDrained' : a === 'pause' ? 'NodePaused' : 'NodeActivated';
    notes.push({ object, type: 'Normal', reason, message: `node ${next.metadata.name} availability ${old.spec.availability} → ${a}` });
  }
  return notes;
}

export function gitSourceTransition(old: GitSource | undefined, next: GitSource): EventNote[] {
  if (!old) return [];
  const object: InvolvedObject = { kind: 'GitSource', stack: '', name: next.metadata.name };
  const s = next.status;
  const notes: EventNote[] = [];
  if (s?.lastAppliedRevision && s.lastAppliedRevision !== old.status?.lastAppliedRevision) {
    notes.push({ object, type: 'Normal', reason: 'SyncApplied', message: `applied ${s.lastAppliedRevision}` });
  }
  if (s?.lastAttemptedRevision && s.lastAttemptedRevision !== old.status?.lastAttemptedRevision && s.lastAttemptedRevision !== s.lastAppliedRevision) {
    const held = (s.stacks ?? []).filter((r) => r.result === 'failed' || r.result === 'conflict');
    const why = held.map((r) => `${r.stack}: ${r.result}${r.message ? ` (${r.message})` : ''}`).join('; ');
    notes.push({ object, type: 'Warning', reason: 'SyncHeldBack', message: `${s.lastAttemptedRevision} not applied${why ? `: ${why}` : ''}` });
  }
  return notes;
}
