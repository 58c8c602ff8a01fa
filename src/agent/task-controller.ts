// The agent's task controller: for each task assigned to this node, one step at a time towards the
// manager's wish (plan-step.ts), triggered by assignment changes and the engine's events.
import { DEFAULT_DRAIN_MS, DEFAULT_TASK_CONCURRENCY } from './task-concurrency.js';
import { filter, map, merge, tap, type Observable } from 'rxjs';
import { assignmentKey, objectKey } from '../api/keys.js';
import type { Task, TaskState, TaskStatus } from '../api/objects.js';
import { exponentialBackoff } from '../controller/backoff.js';
import { Controller } from '../controller/controller.js';
import type { Informer } from '../controller/informer.js';
import { decodeObject } from '../client/codec.js';
import type { ContainerRuntime } from '../runtime/container-runtime.js';
import { DockerError } from '../runtime/docker-errors.js';
import { containerName } from '../runtime/labels.js';
import type { ContainerEvent, ObservedContainer } from '../runtime/types.js';
import { durationMs } from '../stackfile/units.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../log.js';
import { type Drain, planStep, type Step } from './plan-step.js';
import { prepareContainer } from './prepare.js';
import { unsettled } from './resync.js';
import type { StatusWriter } from './status-writer.js';

export interface TaskControllerDeps {
  store: Store;
  runtime: ContainerRuntime;
  nodeName: string;
  /** the store's cluster id: stamped on what the agent creates */
  clusterId: string;
  assignments: Informer<Task>;
  events$: Observable<ContainerEvent>;
  statuses: StatusWriter;
  log: Logger;
  /** containers of tasks that are no longer assigned are removed by the garbage collector */
  onTaskGone: (taskName: string) => void;
  /** cluster networking is on (src/net): stack networks are the cluster's overlays */
  clusterNet?: boolean;
  /** the store's revision when this agent's assignments were first listed: an assignment written
   *  later is the manager's since this agent started (see reportedState) */
  startRevision?: number;
  /** tasks worked on at once (stackd --task-concurrency; default DEFAULT_TASK_CONCURRENCY) */
  concurrency?: number;
  /** with clusterNet: how long a task that leaves its service's endpoints keeps running before its
   *  stop signal, for every node to stop sending it connections (stackd --endpoint-drain) */
  drainMs?: number;
}

/** An engine that went away is retried within half a minute, not controller-runtime's 1000 s. */
export const AGENT_BACKOFF = exponentialBackoff(50, 30_000);

export function taskController(deps: TaskControllerDeps): Controller {
  const { store, runtime, nodeName, assignments, statuses, log } = deps;
  const drainMs = deps.drainMs ?? DEFAULT_DRAIN_MS;
  /** what this agent last reported per task key; read from the Store the first time */
  const reported = new Map<string, TaskStatus>();
  /** tasks whose last report was not written: read from the Store next time, never the copy */
  const unwritten = new Set<string>();
  /** containers this agent is starting: their `start` event is its own echo (the step that
   *  started one goes on to inspect it), not news that needs another reconcile */
  const ownStarts = new Set<string>();
  /** tasks whose container this agent is stopping */
  const stopping = new Set<string>();

  async function reportedState(key: string, task: Task): Promise<TaskState> {
    if (!reported.has(key)) {
      // assigned since this agent started: the manager wrote the task and its assignment copy in one
      // transaction, and only this agent writes the task without the copy, so the task is the copy
      // (one read per task less; a write that proves otherwise loses its compare-and-swap and reads)
      const mustRead = unwritten.delete(key);
      const stored = !mustRead && assignedSinceStart(task) ? task : await readTask(task);
      if (stored) statuses.seen(stored, Number(stored.metadata.resourceVersion)); // the status writer's first compare-and-swap needs no read of its own
      reported.set(key, stored?.status ?? task.status ?? { state: 'assigned', timestamp: '', message: '' });
    }
    return reported.get(key)!.state;
  }

  function assignedSinceStart(task: Task): boolean {
    return deps.startRevision !== undefined && Number(task.metadata.resourceVersion) > deps.startRevision;
  }

  /** A task no agent has worked on (assigned since this agent started, which has not reported on
   *  it): it has no container to look for. Should one exist after all (made by an agent that died
   *  before its first report was written), creating it finds it: the runtimes return a container of
   *  the same task, and starting a running one is fine. One engine round trip less per new task. */
  function untouched(key: string, task: Task): boolean {
    return !reported.has(key) && !unwritten.has(key) && task.status?.state === 'assigned' && assignedSinceStart(task);
  }

  async function readTask(task: Task): Promise<Task | undefined> {
    const kv = await store.get(objectKey('Task', task.metadata.namespace, task.metadata.name));
    return kv && decodeObject<Task>(kv);
  }

  /** Resolves once written (or given up: the task is gone, or lost every compare-and-swap). */
  function report(key: string, task: Task, status: Partial<TaskStatus> & { state: TaskState }): Promise<void> {
    const prev = reported.get(key);
    const next: TaskStatus = {
      ...(prev ?? {}),
      ...status,
      timestamp: prev?.state === status.state && prev.timestamp ? prev.timestamp : new Date().toISOString(),
    } as TaskStatus;
    if (status.state === 'running' || status.state === 'starting') {
      delete next.error;
      if (status.exitCode === undefined) delete next.exitCode; // a stopped task started again
    }
    reported.set(key, next);
    // not written (the task is gone, or lost every compare-and-swap): read the Store again next time
    return statuses.report(task.metadata.namespace, task.metadata.name, next).then((ok) => {
      if (!ok && reported.get(key) === next) {
        reported.delete(key);
        unwritten.add(key);
      }
    });
  }

  /** Out of the endpoints before the stop signal: the report that takes it out is written first,
   *  then every node's agent has `drainMs` to rewrite its rules and DNS without it. */
  async function drain(key: string, task: Task, d: Drain): Promise<void> {
    if (d.report) await report(key, task, d.report);
    if (deps.clusterNet && drainMs > 0) await new Promise((r) => setTimeout(r, drainMs));
  }

  async function execute(key: string, task: Task, step: Step): Promise<boolean> {
    switch (step.type) {
      case 'none':
        return false;
      case 'report':
        void report(key, task, step.status);
        return false;
      case 'start':
        ownStarts.add(step.containerId);
        try {
          await runtime.start(step.containerId);
        } catch (err) {
          ownStarts.delete(step.containerId);
          if (err instanceof DockerError && err.unreachable) throw err; // not the task's fault: retry
          // e.g. a published port already taken: the task failed, the manager replaces it
          void report(key, task, { state: 'failed', message: 'starting', error: (err as Error).message, containerId: step.containerId });
          return false;
        }
        void report(key, task, { state: 'starting', message: 'starting', containerId: step.containerId });
        return true;
      case 'stop': {
        if (step.drain) await drain(key, task, step.drain);
        const grace = step.timeoutSeconds ?? Math.ceil(durationMs(task.spec.template.stop_grace_period) / 1000);
        stopping.add(key);
        try {
          await runtime.stop(step.containerId, grace);
        } finally {
          stopping.delete(key);
        }
        void report(key, task, step.then);
        return true;
      }
      case 'prepare': {
        void report(key, task, { state: 'preparing', message: 'preparing' });
        let id: string;
        try {
          id = await prepareContainer(store, runtime, task, { nodeName, clusterId: deps.clusterId }, deps.clusterNet);
        } catch (err) {
          if (err instanceof DockerError && err.unreachable) throw err; // not the task's fault: retry
          void report(key, task, { state: 'rejected', message: 'preparing', error: (err as Error).message });
          return false;
        }
        void report(key, task, { state: 'ready', message: 'created', containerId: id });
        // a container just created is `created`: start it without inspecting it again (planStep's
        // next step), one engine round trip less on every task's path to running
        return execute(key, task, { type: 'start', containerId: id });
      }
    }
  }

  async function reconcile(key: string): Promise<void> {
    const task = assignments.get(key);
    if (!task) {
      reported.delete(key);
      unwritten.delete(key);
      const [namespace, name] = key.split('/').slice(-2);
      statuses.forget(namespace, name);
      deps.onTaskGone(key.slice(key.lastIndexOf('/') + 1));
      return;
    }
    // one step at a time; loop while a step changed the container (create → start → running)
    let container: ObservedContainer | undefined;
    for (let i = 0; i < 6; i++) {
      container = i === 0 && untouched(key, task) ? undefined : await runtime.inspect(containerName(task, nodeName));
      const step = planStep(task, container, await reportedState(key, task));
      if (step.type !== 'none' && step.type !== 'report') log.info(`task ${task.spec.stack}_${task.spec.service}.${task.spec.slot ?? nodeName}: ${step.type}`);
      if (!(await execute(key, task, step))) break;
    }
    // let go by the manager while this node was away: once stopped, its container goes (gc.ts)
    if (task.status?.state === 'orphaned' && container) deps.onTaskGone(task.metadata.name);
  }

  /** A task's container died: report it from the event at once. An inspect now waits for the
   *  engine to release the container (network teardown, ~0.7 s under load), and every node's
   *  endpoints wait for this report; the reconcile that follows refines it (same state). */
  function reportDeath(key: string, ev: ContainerEvent): void {
    const task = assignments.get(key);
    const prev = reported.get(key);
    // a death this agent caused is reported by the stop step (an unhealthy task exiting 0 failed)
    if (!task || !prev || ev.exitCode === undefined || stopping.has(key)) return;
    const died: ObservedContainer = { id: ev.id, name: '', image: '', labels: ev.labels, status: 'exited', running: false, exitCode: ev.exitCode, oomKilled: false };
    const step = planStep(task, died, prev.state);
    if (step.type === 'report') void report(key, task, step.status);
  }

  /** An event this agent's own step caused and then looks at itself: a `create` (prepare goes on
   *  to start the container) or the `start` of a container it is starting. Each used to cost a
   *  reconcile and an engine inspect per task. Others (die, destroy, health, a start by anyone
   *  else) are reconciled. */
  const isOwnEcho = (ev: ContainerEvent) => ev.action === 'create' || (ev.action === 'start' && ownStarts.delete(ev.id));
  const toKey = (ev: ContainerEvent) => assignmentKey(nodeName, ev.task!.stack, ev.task!.taskId);
  return new Controller({
    name: 'tasks',
    keys$: merge(
      assignments.changes$.pipe(map((c) => c.key)),
      deps.events$.pipe(
        // not another cluster's container under the same node name (a shared engine)
        filter((ev) => ev.task !== undefined && ev.task.node === nodeName && (ev.task.cluster === deps.clusterId || ev.task.cluster === '')),
        tap((ev) => {
          if (ev.action !== 'die') return;
          ownStarts.delete(ev.id); // its start event was missed: none is awaited any more
          reportDeath(toKey(ev), ev);
        }),
        filter((ev) => !isOwnEcho(ev)),
        map(toKey),
      ),
    ),
    allKeys: async () => {
      const assigned = new Map(assignments.list().map((t) => [assignmentKey(nodeName, t.metadata.namespace, t.metadata.name), t]));
      // the engine unreachable: every task, whose reconciles retry with backoff as they always did
      const listed = await runtime.listManaged({ node: nodeName }).catch(() => undefined);
      if (!listed) return [...assigned.keys()];
      const ours = listed.filter((c) => c.task.cluster === deps.clusterId || c.task.cluster === '');
      return unsettled(assigned, ours, (key) => reported.get(key)?.state);
    },
    reconcile,
    concurrency: deps.concurrency ?? DEFAULT_TASK_CONCURRENCY,
    resyncMs: 10_000,
    backoff: AGENT_BACKOFF,
    log: (m) => log.warn(m),
  });
}
