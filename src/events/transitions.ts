// What an operator wants to hear about, read off the state transitions the manager's caches
// already see (old object → new object). Pure: the event watcher (manager/event-watcher.ts)
// records the result. Messages carry no counters or times, so that a repeat of the same thing
// (a crash loop) has the same message and counts on one event (correlate.ts) instead of adding one.
// Task events are recorded on the task's Service, named by slot ("web.1"), so a crash loop (a new
// task per restart) counts on one event rather than adding one per task.
import type { Node, Service, Task } from '../api/objects.js';
import type { EventType, InvolvedObject } from './event.js';

export { gitSourceTransition } from './gitops-transitions.js';

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

/** "failed: exit code 3: boom", "rejected: no such image" */
function ending(t: Task): string {
  const state = t.status?.state ?? 'ended';
  const exit = t.status?.exitCode === undefined ? '' : `exit code ${t.status.exitCode}`;
  const why = t.status?.error || (exit ? '' : t.status?.message) || '';
  const details = [exit, why].filter(Boolean).join(': ');
  return details ? `${state}: ${details}` : state;
}

/**
 * @param ended for a task created by a restart (spec.restart.attempt > 0): the slot's task that
 *              ended before it (the watcher looks it up), for the exit code and reason
 */
export function taskTransition(old: Task | undefined, next: Task, ended?: Task): EventNote[] {
  const object: InvolvedObject = { kind: 'Service', stack: next.spec.stack, name: next.spec.service };
  const state = next.status?.state;
  const notes: EventNote[] = [];
  if (!old && (next.spec.restart?.attempt ?? 0) > 0) {
    const after = ended ? ` after ${ending(ended)}` : '';
    notes.push({ object, type: 'Normal', reason: 'TaskRestarted', message: `${slotName(next)} restarted${after}` });
  }
  if (old && state !== old.status?.state && (state === 'failed' || state === 'rejected')) {
    notes.push({ object, type: 'Warning', reason: state === 'failed' ? 'TaskFailed' : 'TaskRejected', message: `${slotName(next)} ${ending(next)}` });
  }
  // also a task created pending with the reason (the manager places new tasks as it creates them)
  const msg = next.status?.message ?? '';
  if (state === 'pending' && msg.startsWith('no suitable node') && msg !== old?.status?.message) {
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
  const sameRecord = u.startedAt === was?.startedAt;
  const started: EventNote = { object, type: 'Normal', reason: 'RolloutStarted', message: `rollout ${to} started (${u.total} tasks)` };
  // a rollout whose start this watcher never saw in its own write (started and finished between
  // two status writes): say it started too, so every rollout has its start
  if (!sameRecord && !isRollbackState(u.state) && u.state !== 'updating') {
    return [started, ...serviceTransition({ ...old, status: { ...old.status, update: { ...u, state: 'updating' } } }, next)];
  }
  switch (u.state) {
    case 'updating':
      return sameRecord ? [{ object, type: 'Normal', reason: 'RolloutResumed', message: `rollout ${to} resumed` }] : [started];
    case 'paused':
      return [{ object, type: 'Warning', reason: 'RolloutPaused', message: `rollout ${to} paused: ${u.pauseCause?.message ?? u.message}` }];
    case 'completed':
      return [{ object, type: 'Normal', reason: 'RolloutCompleted', message: `rollout ${to} completed (${u.updated}/${u.total} updated)` }];
    case 'rollback_started':
      return sameRecord
        ? [{ object, type: 'Normal', reason: 'RollbackResumed', message: `rollback to ${u.toRevision.slice(0, 8)} resumed` }]
        : [
            {
              object,
              type: 'Warning',
              reason: 'RolloutRolledBack',
              message: `rolling back to ${u.toRevision.slice(0, 8)}: ${u.rollbackCause?.message ?? u.message}`,
            },
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
