// The node agent: registers its Node, heartbeats through a lease, and drives this engine's
// containers towards the tasks assigned to it. Docker or the Store unreachable: retry, report,
// never crash.
import { outageLog } from '../controller/outage-log.js';
import { hostname } from 'node:os';
import { map, share, Subject } from 'rxjs';
import { assignmentPrefix } from '../api/keys.js';
import type { Task } from '../api/objects.js';
import { Informer } from '../controller/informer.js';
import { untilAborted } from '../controller/abort.js';
import type { Logger } from '../log.js';
import type { DockerRuntime } from '../runtime/docker.js';
import { EngineProbe } from '../runtime/engine-info.js';
import { LABEL } from '../runtime/labels.js';
import type { EngineInfo } from '../runtime/types.js';
import type { ContainerRuntime } from '../runtime/container-runtime.js';
import type { Store } from '../store/store.js';
import { heartbeat, HeartbeatState } from './heartbeat.js';
import { ensureClusterId } from '../store/cluster-id.js';
import { registerNode } from './register.js';
import { retrying } from './retrying.js';

export interface AgentOptions {
  nodeName: string;
  dockerUrl?: string;
  role?: 'manager' | 'worker';
  labels?: Record<string, string>;
  /** a stopped agent's node is marked down after about this long */
  heartbeatTtlSeconds?: number;
  address?: string;
  /** the engine host's network namespace (a file such as /var/run/netns/NAME or /proc/1/ns/net):
   *  turns on cluster networking (src/net: overlays, service VIPs and DNS, routing mesh) */
  netns?: string;
  log: Logger;
  /** the node's container runtime (default: the Docker Engine at dockerUrl); src/sim passes a
   *  simulated one (hollow nodes) */
  runtime?: ContainerRuntime;
  /** tasks worked on at once (stackd --task-concurrency) */
  taskConcurrency?: number;
  /** with netns: a task leaving its service's endpoints is stopped this many ms after (stackd --endpoint-drain) */
  endpointDrain?: number;
}

/** What runs once the node is registered: loaded after registering (and while the assignments
 *  are listed), so that a restarted agent claims its node back well under a second after spawn. */
const afterRegistration = () =>
  Promise.all([import('./gc.js'), import('../controller/controller.js'), import('./task-controller.js'), import('./status-writer.js')]);

export async function runAgent(store: Store, opts: AgentOptions, signal: AbortSignal): Promise<void> {
  const { nodeName, log } = opts;
  const ttl = opts.heartbeatTtlSeconds ?? 5;
  if (opts.netns && opts.runtime) throw new Error('--netns needs a Docker Engine runtime');
  // the engine's identity over plain HTTP: dockerode loads after the node is registered
  const engine = opts.runtime ?? new EngineProbe(opts.dockerUrl);
  // the cluster's id labels everything this agent creates (and bounds what it collects)
  const [info, clusterId]: [EngineInfo | undefined, string | undefined] = await Promise.all([
    retrying(`docker ${engine.endpoint}`, () => engine.engineInfo(), signal, log),
    retrying(`store ${store.endpoint}`, () => ensureClusterId(store), signal, log),
  ]);
  if (!info || !clusterId) return;
  const host = opts.netns ? await import('../net/host.js') : undefined;
  const address = opts.address ?? (host && opts.netns ? await host.detectAddress(new host.HostNet(opts.netns)) : undefined);
  if (opts.netns && !address) throw new Error(`no address found in ${opts.netns}: pass --address`);

  // the heartbeat first: the node controller marks a registered node without one down
  let firstBeat!: () => void;
  const beating = new Promise<void>((r) => (firstBeat = r));
  const beat = new HeartbeatState();
  const heartbeats = heartbeat(store, engine, nodeName, ttl, signal, log, beat, () => firstBeat());
  await Promise.race([beating, heartbeats]);
  const node = await retrying(
    'register node',
    () =>
      registerNode(store, {
        name: nodeName,
        role: opts.role ?? 'worker',
        labels: opts.labels ?? {},
        hostname: info.hostname || hostname(),
        address,
        mesh: opts.netns !== undefined,
        engineVersion: info.version,
        engineLabels: info.labels,
        cpus: info.cpus,
        memoryBytes: info.memoryBytes,
        platform: { os: info.os, arch: info.arch },
        dockerEndpoint: engine.endpoint,
      }),
    signal,
    log,
  );
  if (!node) return heartbeats;
  log.info(`node ${nodeName} registered (docker ${info.version} at ${engine.endpoint}, ${info.cpus} cpus, cluster ${clusterId})`);

  const assignments = new Informer<Task>(
    store,
    assignmentPrefix(nodeName),
    outageLog('watch assignments', (m) => log.warn(m)),
  );
  assignments.start();
  const modules = Promise.all([
    afterRegistration(),
    opts.netns ? import('../net/agent-net.js') : undefined,
    opts.runtime ?? import('../runtime/docker.js').then(({ DockerRuntime }) => DockerRuntime.connect(opts.dockerUrl)),
  ]);
  await untilAborted(assignments.synced, signal);
  const startRevision = assignments.revision;
  const [[{ collectGarbage }, { Controller }, { AGENT_BACKOFF, taskController }, { StatusWriter }], clusterNet, runtime] = await modules;
  if (signal.aborted) {
    assignments.stop();
    return heartbeats;
  }

  const since = new Date(Date.now() - 1000);
  const events$ = runtime
    .events$({ labels: [`${LABEL.node}=${nodeName}`], since, onDisconnect: (err, _n, delay) => log.warn(`${err.message}; reconnecting in ${delay} ms`) })
    .pipe(share());
  const gcWanted = new Subject<void>();
  const gcContext = {
    store,
    runtime,
    nodeName,
    clusterId,
    cached: () => assignments.list(),
    heartbeatLease: () => beat.lease,
    legacy: { tasks: new Set<string>(), stacks: new Set<string>() },
    log,
  };
  const gc = new Controller({
    name: 'gc',
    keys$: gcWanted.pipe(map(() => 'gc')),
    allKeys: () => ['gc'],
    reconcile: () => collectGarbage(gcContext),
    resyncMs: 30_000,
    backoff: AGENT_BACKOFF,
    log: (m) => log.warn(m),
  });
  const tasks = taskController({
    store,
    runtime,
    nodeName,
    clusterId,
    assignments,
    events$,
    statuses: new StatusWriter(
      store,
      outageLog('task status', (m) => log.warn(m)),
    ),
    log,
    onTaskGone: () => gcWanted.next(),
    startRevision,
    clusterNet: opts.netns !== undefined,
    concurrency: opts.taskConcurrency,
    drainMs: opts.endpointDrain,
  });
  const net =
    clusterNet && opts.netns
      ? clusterNet.runClusterNet(
          { store, runtime: runtime as DockerRuntime, nodeName, clusterId, netns: opts.netns, address: address!, events$, log: log.child({ component: 'net' }) },
          signal,
        )
      : undefined;
  gc.queue.add('gc');
  try {
    await Promise.all([tasks.start(signal), gc.start(signal), heartbeats, net]);
  } finally {
    assignments.stop();
  }
}
