// The service controller: for each Service key, plan its tasks (orchestrator, restarts,
// dependencies, history) from the caches and apply the plan in batched transactions.
import { merge, map, mergeMap, type Observable } from 'rxjs';
import { kindPrefix, objectKey } from '../api/keys.js';
import type { Service, ServiceStatus } from '../api/objects.js';
import { Controller, type ReconcileResult } from '../controller/controller.js';
import { judgeService, readyCondition } from '../orchestrator/convergence.js';
import { servicesReading } from '../orchestrator/dependencies.js';
import { planService } from '../orchestrator/plan-service.js';
import type { Store } from '../store/store.js';
import { deleteTaskOps } from '../tasks/writes.js';
import type { ManagerCaches } from './caches.js';
import { newTaskId } from './ids.js';
import { withTransitionTimes, writeObject, writeStatus } from './status.js';
import { planGap } from './plan-gap.js';
import { placeCreations } from './placement.js';
import { actionOps, applyInBatches } from './task-ops.js';

/** A service is planned at most this often while its tasks keep changing: at 5,000 tasks a plan is
 *  tens of ms, and placement and rollouts change a task thousands of times a second. */
const SERVICE_MIN_GAP_MS = 200;

const serviceKey = (namespace: string, name: string) => objectKey('Service', namespace, name);

function parseServiceKey(key: string): { namespace: string; name: string } {
  const [namespace, name] = key.slice(kindPrefix('Service').length).split('/');
  return { namespace, name };
}

/** Keys to look at: a service that changed; the services whose plan reads a task that changed
 *  (its own, and its dependents and dependencies: servicesReading), every service when a node
 *  changed (global services, constraints). */
function serviceKeys$(caches: ManagerCaches): Observable<string> {
  return merge(
    caches.services.changes$.pipe(map((c) => c.key)),
    caches.tasks.changes$.pipe(
      mergeMap((c) => {
        const task = (c.object ?? c.old)!;
        const ns = task.metadata.namespace;
        return servicesReading(task.spec.service, caches.services.listIn(ns)).map((name) => serviceKey(ns, name));
      }),
    ),
    caches.nodes.changes$.pipe(mergeMap(() => caches.services.list().map((s) => serviceKey(s.metadata.namespace, s.metadata.name)))),
  );
}

export function serviceController(store: Store, caches: ManagerCaches, log: (msg: string) => void): Controller {
  async function reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = parseServiceKey(key);
    const stackTasks = caches.tasks.listIn(namespace);
    const service = caches.services.get(key);
    if (!service) {
      // the service was removed (deploy --prune, rm): its tasks go, and agents remove the containers
      const orphans = stackTasks.filter((t) => t.spec.service === name);
      if (orphans.length === 0) return;
      const out = await applyInBatches(store, orphans.map(deleteTaskOps), caches.tasks);
      if (out.conflicts) throw new Error(`tasks of removed service ${namespace}_${name} changed while deleting`);
      return;
    }
    const now = new Date();
    const planStart = performance.now();
    const plan = planService({
      service,
      services: caches.services.listIn(namespace),
      tasks: stackTasks,
      nodes: caches.nodes.list(),
      now,
      ids: newTaskId,
      revisionHistoryLimit: service.spec.template['x-stackd']?.revision_history_limit,
    });
    let applyMs = 0;
    if (plan.actions.length > 0) {
      // new tasks are written with their node (placement.ts): counted as placed until the cache has them
      const placed = placeCreations(plan.actions, caches.nodes.list(), caches.usage, now);
      // the cache is still the snapshot planned from (nothing awaited since): no map of the stack's tasks
      const ops = actionOps(placed.actions, (taskName) => caches.tasks.get(objectKey('Task', namespace, taskName)), now);
      const applyStart = performance.now();
      try {
        const out = await applyInBatches(store, ops, caches.tasks);
        if (out.conflicts) throw new Error(`${out.conflicts} task write(s) of ${namespace}_${name} lost a compare-and-swap`);
      } finally {
        for (const taskName of placed.assumed) caches.usage.unassume(taskName);
      }
      applyMs = performance.now() - applyStart;
    }
    const judged: ServiceStatus = {
      ...service.status,
      observedGeneration: service.metadata.generation,
      replicas: plan.status.replicas,
      message: plan.status.message,
      revisions: plan.rollout.revisions,
      ...(plan.rollout.update ? { update: plan.rollout.update } : {}),
    };
    // Ready: the judge every client reads too, on the status being written
    const ready = readyCondition(judgeService({ ...service, status: judged }, stackTasks, { now }), service.metadata.generation);
    const planned = [...plan.status.conditions, ...plan.rollout.conditions, ready];
    const status: ServiceStatus = { ...judged, conditions: withTransitionTimes(planned, service.status?.conditions, now) };
    const minGapMs = planGap(performance.now() - planStart - applyMs, plan.actions.length > 0);
    const rollback = plan.rollout.rollbackSpec;
    if (rollback) log(`service ${namespace}_${name}: rolling back to ${rollback.revision}: ${rollback.reason}`);
    // a rollback's spec and the status that explains it are one compare-and-swap write
    const next: Service = rollback
      ? {
          ...service,
          metadata: { ...service.metadata, generation: service.metadata.generation + 1 },
          spec: { ...service.spec, template: rollback.template },
          status,
        }
      : { ...service, status };
    const written = rollback ? await writeObject(store, service, next) : await writeStatus<Service>(store, service, status);
    if (written) await caches.services.waitFor(written);
    return { minGapMs, ...(plan.requeueAfterMs !== undefined ? { requeueAfterMs: plan.requeueAfterMs } : {}) };
  }

  return new Controller({
    name: 'service',
    keys$: serviceKeys$(caches),
    allKeys: () => caches.services.list().map((s) => serviceKey(s.metadata.namespace, s.metadata.name)),
    reconcile,
    concurrency: 4,
    minGapMs: SERVICE_MIN_GAP_MS,
    log,
  });
}
