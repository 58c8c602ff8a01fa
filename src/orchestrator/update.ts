// The update supervisor: replaces the live tasks of older revisions with tasks of the service's
// template, in batches, watches the new ones, and pauses or rolls back on failure. Everything it
// knows is in the Store (status.update, status.revisions, the tasks), so any leader, at any time,
// plans the same next step, and a slot whose current task runs the target revision is never
// replaced again. See README.md, "The update supervisor".
import type { Node, Service, ServiceRevision, ServiceUpdateStatus, Task } from '../api/objects.js';
import { DEFAULT_PROGRESS_DEADLINE } from '../stackfile/defaults.js';
import type { ServiceSpec } from '../stackfile/types.js';
import { durationMs } from '../stackfile/units.js';
import type { OrchestratorAction } from './actions.js';
import { eligibleNodes } from './global.js';
import { newTask } from './new-task.js';
import { rollbackTemplate, templateOf } from './revisions.js';
import { fillSlot, retire } from './slot-actions.js';
import { groupSlots, slotKey } from './slots.js';
import { specHash } from './spec-hash.js';
import { isTerminal, stateOf } from './task-state.js';
import { bySlotKey, viewSlot, type SlotView } from './update-slots.js';
import { applyUserIntent, complete, describeUpdate, isActive, isFinished, isRollback, pause, startRollback, startUpdate } from './update-state.js';
import { judgeTasks } from './update-verdicts.js';

/** Write spec.template = template, in the same compare-and-swap write of the Service as status.update. */
export interface RollbackSpecAction {
  type: 'rollbackSpec';
  template: ServiceSpec;
  /** the spec hash rolled back to */
  revision: string;
  reason: string;
}

export interface UpdatePlan {
  /** task actions: retire old tasks (stop-first), create new ones (start-first), finish start-first pairs */
  actions: OrchestratorAction[];
  /** slots ("1", "2", ...; global: node names) the other orchestrators must leave alone this round */
  held: string[];
  /** status.update to store; undefined when the service has never had a rollout */
  status?: ServiceUpdateStatus;
  rollbackSpec?: RollbackSpecAction;
  requeueAfterMs?: number;
}

function wantedSlots(service: Service, nodes: Node[]): string[] {
  const deploy = service.spec.template.deploy;
  if (deploy.mode === 'global')
    return eligibleNodes(service, nodes)
      .map((n) => n.metadata.name)
      .sort(bySlotKey);
  return Array.from({ length: deploy.replicas }, (_, i) => slotKey(i + 1));
}

/** The revision live tasks ran before: the previous one in the history, else the most common among old tasks. */
function previousRevision(target: string, revisions: ServiceRevision[], views: SlotView[]): string {
  const previous = revisions.find((r) => r.hash !== target)?.hash;
  if (previous) return previous;
  const counts = new Map<string, number>();
  for (const v of views) if (v.phase === 'old') counts.set(v.current!.spec.specHash, (counts.get(v.current!.spec.specHash) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? '';
}

/** The record to work with: the stored one if it is about `target`, else a new one when there is an update to make. */
function openRecord(prev: ServiceUpdateStatus | undefined, target: string, views: SlotView[], revisions: ServiceRevision[], now: Date) {
  const outdated = views.some((v) => v.phase === 'old' || v.oldBeside.length > 0);
  if (prev && prev.toRevision === target && !(isFinished(prev.state) && outdated)) return prev;
  if (!prev && !outdated && revisions.length < 2) return undefined; // a new service: nothing to update
  return startUpdate(previousRevision(target, revisions, views), target, views.length, now);
}

const since = (task: Task) => Date.parse(task.status!.timestamp);

/**
 * @param tasks     every task of this service
 * @param revisions the history after planRevisions (newest first; [0] is the template's)
 */
export function planUpdate(
  service: Service,
  tasks: Task[],
  nodes: Node[],
  now: Date,
  ids: () => string,
  revisions: ServiceRevision[] = service.status?.revisions ?? [],
): UpdatePlan {
  const template = service.spec.template;
  const target = specHash(template);
  const { slots: groups } = groupSlots(tasks, template.deploy.mode);
  const views = wantedSlots(service, nodes).map((key) => viewSlot(key, groups.get(key), target));
  let rec = openRecord(service.status?.update, target, views, revisions, now);
  if (!rec || isFinished(rec.state)) return { actions: [], held: [], ...(rec ? { status: rec } : {}) };

  const cfg = isRollback(rec.state) ? template.deploy.rollback_config : template.deploy.update_config;
  const deadlineMs = durationMs(template['x-stackd']?.progress_deadline ?? DEFAULT_PROGRESS_DEADLINE);
  const judged = judgeTasks(tasks, target, rec.startedAt, rec.verdicts, durationMs(cfg.monitor), deadlineMs, now);
  const lastFailure = judged.failures.at(-1) ?? rec.lastFailure;
  rec = { ...rec, total: views.length, verdicts: judged.verdicts, failures: rec.failures + judged.failures.length, ...(lastFailure ? { lastFailure } : {}) };
  rec = applyUserIntent(rec, service.metadata.annotations, now);
  const wakes: number[] = judged.wakeAt !== undefined ? [judged.wakeAt] : [];
  const finish = (plan: Omit<UpdatePlan, 'status' | 'requeueAfterMs'>, r: ServiceUpdateStatus, extraWakes: number[] = []): UpdatePlan => {
    const due = Math.min(...wakes, ...extraWakes);
    const status = { ...r, updated: r.toRevision === target ? views.filter((v) => v.phase === 'updated').length : 0 };
    return { ...plan, status: { ...status, message: describeUpdate(status) }, ...(due !== Infinity ? { requeueAfterMs: Math.max(0, due - now.getTime()) } : {}) };
  };

  // failure_action, once failures exceed max_failure_ratio of the wanted slots (SwarmKit's rule)
  if (isActive(rec.state) && rec.failures > 0 && rec.failures / Math.max(1, views.length) > cfg.max_failure_ratio && cfg.failure_action !== 'continue') {
    const cause = rec.lastFailure!;
    if (cfg.failure_action === 'pause' || isRollback(rec.state)) rec = pause(rec, cause, now);
    else {
      const previous = templateOf(rec.fromRevision, revisions, tasks);
      if (!previous) {
        rec = pause(
          rec,
          { reason: 'NoPreviousRevision', message: `${cause.message}; cannot roll back: revision ${rec.fromRevision || '(unknown)'} is not kept` },
          now,
        );
      } else {
        // this round only turns the spec back; the next one, on the previous template, rolls it out
        const rollbackSpec: RollbackSpecAction = {
          type: 'rollbackSpec',
          template: rollbackTemplate(previous, template),
          revision: rec.fromRevision,
          reason: cause.message,
        };
        return finish({ actions: [], held: views.map((v) => v.key), rollbackSpec }, startRollback(rec, cause, now), [now.getTime()]);
      }
    }
  }

  const actions: OrchestratorAction[] = [];
  const held: string[] = [];
  const active = isActive(rec.state);
  // start-first pairs: the old task goes once the new one runs; a new one that ended is restarted (old keeps serving)
  for (const v of views.filter((x) => x.oldBeside.length > 0)) {
    held.push(v.key);
    const current = v.current!;
    if (stateOf(current) === 'running') actions.push(...v.oldBeside.map((t) => retire(t, `replaced by task ${current.metadata.name} (revision ${target})`)));
    else if (active && isTerminal(stateOf(current))) {
      const group = { ...groups.get(v.key)!, current, extra: [] };
      const fill = fillSlot(service, v.key, group, now, (restart) => makeTask(service, v.key, ids(), now, restart));
      actions.push(...fill.actions);
      if (fill.wakeAt) wakes.push(fill.wakeAt.getTime());
    }
  }
  // stop-first: a slot whose old task is still stopping gets its new task only once it has stopped
  if (cfg.order === 'stop-first') held.push(...views.filter((v) => v.stopping).map((v) => v.key));

  if (active) {
    const delayMs = durationMs(cfg.delay);
    const cooling = views.filter(
      (v) => delayMs > 0 && v.phase === 'updated' && v.current!.metadata.creationTimestamp >= rec!.startedAt && since(v.current!) + delayMs > now.getTime(),
    );
    const busy = views.filter((v) => v.phase === 'busy').length;
    const capacity = cfg.parallelism === 0 ? Infinity : cfg.parallelism - busy - cooling.length;
    const old = views.filter((v) => v.phase === 'old');
    for (const v of old.slice(0, Math.max(0, capacity))) {
      if (isTerminal(stateOf(v.current!))) {
        // it ended already (a restart may be due): replace it now, in place of the restart supervisor
        actions.push(retire(v.current!, `replaced by revision ${target}`), { type: 'create', task: makeTask(service, v.key, ids(), now) });
        held.push(v.key);
      } else if (cfg.order === 'start-first') {
        actions.push({ type: 'create', task: makeTask(service, v.key, ids(), now) });
        held.push(v.key);
      } else actions.push(retire(v.current!, `updating to revision ${target}`));
    }
    if (old.length > capacity && cooling.length > 0) wakes.push(Math.min(...cooling.map((v) => since(v.current!) + delayMs)));
    const settled = (v: SlotView) =>
      v.phase === 'ended' ||
      (v.phase === 'updated' && (judged.verdicts[v.current!.metadata.name] === 'passed' || v.current!.metadata.creationTimestamp < rec!.startedAt));
    if (actions.length === 0 && views.every(settled)) rec = complete(rec, now);
  }
  return finish({ actions, held }, rec);
}

function makeTask(service: Service, key: string, id: string, now: Date, restart?: Task['spec']['restart']): Task {
  const where = service.spec.template.deploy.mode === 'global' ? { nodeName: key } : { slot: Number(key) };
  return newTask(service, id, now, { ...where, ...(restart ? { restart } : {}) });
}
