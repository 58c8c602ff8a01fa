// The node agent: registers its Node, heartbeats through a lease, and drives this engine's
// containers towards the tasks assigned to it. Docker or the Store unreachable: retry, report,
// never crash.
import { hostname } from 'node:os';
import { firstValueFrom, map, share, Subject, timer } from 'rxjs';
import { assignmentPrefix } from '../api/keys.js';
import type { Task } from '../api/objects.js';
import { reconnectBackoff } from '../controller/backoff.js';
import { Controller } from '../controller/controller.js';
import { Informer } from '../controller/informer.js';
import type { Logger } from '../log.js';
import { DockerRuntime } from '../runtime/docker.js';
import { LABEL } from '../runtime/labels.js';
import type { EngineInfo } from '../runtime/types.js';
import type { Store } from '../store/store.js';
import { collectGarbage } from './gc.js';
import { registerNode, startHeartbeat } from './register.js';
import { StatusWriter } from './status-writer.js';
import { AGENT_BACKOFF, taskController } from './task-controller.js';

export interface AgentOptions {
  nodeName: string;
  dockerUrl?: string;
  role?: 'manager' | 'worker';
  labels?: Record<string, string>;
  /** a stopped agent's node is marked down after about this long */
  heartbeatTtlSeconds?: number;
  address?: string;
  log: Logger;
}

/** Call `fn` until it succeeds, backing off 1 s .. 30 s; undefined if `signal` aborts first. */
async function retrying<T>(what: string, fn: () => Promise<T>, signal: AbortSignal, log: Logger): Promise<T | undefined> {
  for (let n = 1; !signal.aborted; n++) {
    try {
      return await fn();
    } catch (err) {
      const delay = reconnectBackoff.delayMs(n);
      log.warn(`${what}: ${(err as Error).message}; retrying in ${delay / 1000}s`);
      await Promise.race([firstValueFrom(timer(delay)), new Promise((r) => signal.addEventListener('abort', r, { once: true }))]);
    }
  }
  return undefined;
}

/** Keep the heartbeat key alive for the agent's life: a lost lease (Store outage) is granted anew. */
async function heartbeat(store: Store, nodeName: string, ttl: number, signal: AbortSignal, log: Logger): Promise<void> {
  while (!signal.aborted) {
    const lease = await retrying('heartbeat', () => startHeartbeat(store, nodeName, ttl), signal, log);
    if (!lease) return;
    const reason = await Promise.race([
      firstValueFrom(lease.lost$),
      new Promise<string>((r) => signal.addEventListener('abort', () => r(''), { once: true })),
    ]);
    if (reason) log.warn(`heartbeat lease lost (${reason}); renewing`);
  }
}

export async function runAgent(store: Store, opts: AgentOptions, signal: AbortSignal): Promise<void> {
  const { nodeName, log } = opts;
  const ttl = opts.heartbeatTtlSeconds ?? 5;
  const runtime = DockerRuntime.connect(opts.dockerUrl);
  const info: EngineInfo | undefined = await retrying(`docker ${runtime.endpoint}`, () => runtime.engineInfo(), signal, log);
  if (!info) return;

  // the heartbeat first: the node controller marks a registered node without one down
  const heartbeats = heartbeat(store, nodeName, ttl, signal, log);
  const node = await retrying(
    'register node',
    () =>
      registerNode(store, {
        name: nodeName,
        role: opts.role ?? 'worker',
        labels: opts.labels ?? {},
        hostname: info.hostname || hostname(),
        address: opts.address,
        engineVersion: info.version,
        engineLabels: info.labels,
        cpus: info.cpus,
        memoryBytes: info.memoryBytes,
        platform: { os: info.os, arch: info.arch },
        dockerEndpoint: runtime.endpoint,
      }),
    signal,
    log,
  );
  if (!node) return heartbeats;
  log.info(`node ${nodeName} registered (docker ${info.version} at ${runtime.endpoint}, ${info.cpus} cpus)`);

  const assignments = new Informer<Task>(store, assignmentPrefix(nodeName), (err) => log.warn(`watch assignments: ${(err as Error).message}`));
  assignments.start();
  await assignments.synced;

  const since = new Date(Date.now() - 1000);
  const events$ = runtime
    .events$({ labels: [`${LABEL.node}=${nodeName}`], since, onDisconnect: (err, _n, delay) => log.warn(`${err.message}; reconnecting in ${delay} ms`) })
    .pipe(share());
  const gcWanted = new Subject<void>();
  const gc = new Controller({
    name: 'gc',
    keys$: gcWanted.pipe(map(() => 'gc')),
    allKeys: () => ['gc'],
    reconcile: () => collectGarbage(store, runtime, nodeName, assignments, log),
    resyncMs: 30_000,
    backoff: AGENT_BACKOFF,
    log: (m) => log.warn(m),
  });
  const tasks = taskController({ store, runtime, nodeName, assignments, events$, statuses: new StatusWriter(store), log, onTaskGone: () => gcWanted.next() });
  gc.queue.add('gc');
  try {
    await Promise.all([tasks.start(signal), gc.start(signal), heartbeats]);
  } finally {
    assignments.stop();
  }
}
