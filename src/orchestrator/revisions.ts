// The revision history of a service's task template, kept in the Service's own status
// (status.revisions, newest first). Why there and not in objects of their own (Kubernetes'
// ControllerRevisions): the template, its history and the rollout state then live in one object,
// so a new leader reads one key, and a rollback (spec.template back to the previous revision, and
// status.update to rollback_started) is one compare-and-swap write of one key. Tasks carry their
// own copy of the template, so a revision owns nothing else; `rm` takes the history with the
// service. Ten templates of a few KB each stay far below the Store's value limit.
//  - A template whose specHash is not the newest revision's makes a revision; scaling and update
//    tuning do not change the hash (see spec-hash.ts), and an identical deploy changes nothing.
//  - Going back to a hash already in the history (undo, rollback) moves that revision to the top
//    with a new number, as `kubectl rollout undo` does: numbers only grow.
import type { ServiceRevision, Task } from '../api/objects.js';
import type { ServiceSpec } from '../stackfile/types.js';
import { specHash, taskShape } from './spec-hash.js';

export const REVISION_HISTORY_LIMIT = 10;

export interface RevisionPlan {
  /** the history to store, newest first; the same array when nothing changed */
  revisions: ServiceRevision[];
  /** the template's revision (revisions[0]) */
  current: ServiceRevision;
  changed: boolean;
}

/** @param history status.revisions as stored (newest first); @param limit revisions kept, the current one included */
export function planRevisions(history: ServiceRevision[], template: ServiceSpec, now: Date, limit = REVISION_HISTORY_LIMIT): RevisionPlan {
  const hash = specHash(template);
  if (history[0]?.hash === hash) return { revisions: history, current: history[0], changed: false };
  const number = Math.max(0, ...history.map((r) => r.revision)) + 1;
  const current: ServiceRevision = {
    revision: number,
    hash,
    template,
    createdAt: now.toISOString(),
    change: history[0] ? describeChange(history[0].template, template) : 'created',
  };
  const rest = history.filter((r) => r.hash !== hash);
  return { revisions: [current, ...rest].slice(0, Math.max(1, limit)), current, changed: true };
}

const scalar = (v: unknown) => v === undefined || v === null || typeof v !== 'object';
const show = (v: unknown) => (v === undefined ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v));
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** One line on what differs in the task shape: "image: app:1 → app:2; environment (DEBUG, LOG)". */
export function describeChange(from: ServiceSpec, to: ServiceSpec): string {
  const a = taskShape(from) as Record<string, unknown>;
  const b = taskShape(to) as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const [x, y] = [a[key], b[key]];
    if (same(x, y)) continue;
    if (scalar(x) && scalar(y)) parts.push(`${key}: ${show(x)} → ${show(y)}`);
    else if (x && y && !Array.isArray(x) && !Array.isArray(y)) {
      const [ox, oy] = [x as Record<string, unknown>, y as Record<string, unknown>];
      const inner = [...new Set([...Object.keys(ox), ...Object.keys(oy)])].filter((k) => !same(ox[k], oy[k])).sort();
      parts.push(`${key} (${inner.join(', ')})`);
    } else parts.push(key);
  }
  return parts.join('; ') || 'no change in the task template';
}

/** The template of revision `hash`: from the history, else from a task that ran it (tasks carry theirs). */
export function templateOf(hash: string, revisions: ServiceRevision[], tasks: Task[]): ServiceSpec | undefined {
  return revisions.find((r) => r.hash === hash)?.template ?? tasks.find((t) => t.spec.specHash === hash)?.spec.template;
}

/** `revision`'s template with the current number of replicas: going back does not undo a scale. */
export function rollbackTemplate(revision: ServiceSpec, current: ServiceSpec): ServiceSpec {
  return { ...revision, deploy: { ...revision.deploy, replicas: current.deploy.replicas } };
}

export type UndoTarget = { ok: true; revision: ServiceRevision; template: ServiceSpec } | { ok: false; error: string };

/**
 * For `rollout undo SVC [--to-revision N]`: the template to write to the Service's spec (the
 * previous revision by default). The controller then rolls it out as any update.
 */
export function undoTarget(name: string, revisions: ServiceRevision[], current: ServiceSpec, toRevision?: number): UndoTarget {
  const hash = specHash(current);
  const target = toRevision === undefined ? revisions.find((r) => r.hash !== hash) : revisions.find((r) => r.revision === toRevision);
  if (!target) {
    const kept = revisions.map((r) => r.revision).join(', ') || 'none';
    return {
      ok: false,
      error: toRevision === undefined ? `service ${name} has no previous revision` : `service ${name} has no revision ${toRevision} (kept: ${kept})`,
    };
  }
  if (target.hash === hash) return { ok: false, error: `service ${name} already runs revision ${target.revision}` };
  return { ok: true, revision: target, template: rollbackTemplate(target.template, current) };
}
