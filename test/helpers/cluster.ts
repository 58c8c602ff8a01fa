// A whole stackd cluster on this machine for one test file: a dedicated etcd, Docker hosts from
// hack/lib/nodes.sh (a network namespace and a dockerd each), one agent per node and a manager,
// all real processes running the built daemon (dist/), their logs in files under `logDir`.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Task } from '../../src/api/objects.js';
import { listObjects } from '../../src/client/objects.js';
import { CLUSTER_ID_KEY } from '../../src/api/keys.js';
import { clusterNames, type ClusterNames } from '../../src/net/host-names.js';
import { DockerRuntime } from '../../src/runtime/docker.js';
import { ensureClusterId } from '../../src/store/cluster-id.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { EtcdProcess } from '../integration/store/etcd-process.js';
import { ROOT, run, type CliResult } from './cli.js';

export interface NodeDef {
  name: string;
  /** hack/lib/nodes.sh index (1-244): unique per test file, since jest runs files in parallel */
  index: number;
  labels: Record<string, string>;
}

/** Runs `script` in bash with hack/lib/nodes.sh sourced (async: the event loop stays free). */
export async function nodesSh(script: string): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', ['-c', `set -e; source hack/lib/nodes.sh; ${script}`], { cwd: ROOT });
  return stdout;
}

/** Polls `check` until it returns something other than undefined/false; the error names `what`
 *  and the last thing `check` threw, so a timeout says what was seen. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 30_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? `: ${last}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export class Daemon {
  readonly exited: Promise<void>;
  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    if (!this.alive) return;
    this.child.kill(signal);
    const grace = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(grace);
  }

  log(): string {
    return readFileSync(this.logFile, 'utf8');
  }
}

export class Cluster {
  readonly logDir = mkdtempSync(join(tmpdir(), 'stackd-cluster-'));
  readonly agents = new Map<string, Daemon>();
  readonly managers: Daemon[] = [];
  private spawned = 0;

  private constructor(
    readonly etcd: EtcdProcess,
    readonly store: Store,
    readonly nodes: NodeDef[],
    /** agents run with --netns: cluster networking (overlays, VIPs, DNS, routing mesh) */
    readonly clusterNet = false,
    /** more flags for every agent (e.g. --endpoint-drain 3s) */
    readonly agentArgs: string[] = [],
    /** the nodes are another cluster's too: neither wiped at start nor at stop */
    readonly sharedNodes = false,
  ) {}

  get storeUrl(): string {
    return `etcd://${this.etcd.endpoint}`;
  }

  /** etcd, then every node's engine (fresh: wiped first), then one agent per node and a manager. */
  /** `managerArgs`: flags for the first manager (e.g. --node-grace 30); `clusterNet`: agents with --netns;
   *  `clusterId`: the store's id, written before any daemon starts (else each store makes a random one);
   *  `sharedNodes`: the nodes run already (another Cluster's): they are used as they are, and left */
  static async start(
    nodes: NodeDef[],
    managerArgs: string[] = [],
    opts: { clusterNet?: boolean; agents?: boolean; agentArgs?: string[]; clusterId?: string; sharedNodes?: boolean } = {},
  ): Promise<Cluster> {
    const etcd = await EtcdProcess.start();
    const cluster = new Cluster(etcd, await openStore(`etcd://${etcd.endpoint}`), nodes, opts.clusterNet, opts.agentArgs, opts.sharedNodes);
    try {
      if (opts.clusterId) await cluster.store.txn([{ op: 'create', key: CLUSTER_ID_KEY, value: opts.clusterId }]);
      if (!opts.sharedNodes) for (const n of nodes) await nodesSh(`wipe_node ${n.name}; start_node ${n.name} ${n.index} >/dev/null`);
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    if (opts.agents !== false) for (const n of nodes) cluster.startAgent(n.name);
    cluster.startManager(managerArgs);
    return cluster;
  }

  node(name: string): NodeDef {
    const def = this.nodes.find((n) => n.name === name);
    if (!def) throw new Error(`no node ${name} in this cluster`);
    return def;
  }

  /** The node's address (hack/lib/nodes.sh: 10.250.0.(10+index)). */
  address(node: string): string {
    return `10.250.0.${10 + this.node(node).index}`;
  }

  /** What this cluster's agents name on a host: chains, devices, the ingress network (host-names.ts). */
  async hostNames(): Promise<ClusterNames> {
    return clusterNames(await ensureClusterId(this.store));
  }

  runtime(node: string): DockerRuntime {
    return DockerRuntime.connect(`unix:///run/stackd-${this.node(node).name}.sock`);
  }

  startAgent(node: string): Daemon {
    const def = this.node(node);
    const labels = Object.entries(def.labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
    const args = [
      'agent',
      '--store',
      this.storeUrl,
      '--node-name',
      def.name,
      '--docker',
      `unix:///run/stackd-${def.name}.sock`,
      ...this.netFlags(def),
      ...labels,
      ...this.agentArgs,
    ];
    const agent = this.spawnDaemon(`agent-${def.name}`, args);
    this.agents.set(def.name, agent);
    return agent;
  }

  /** --netns and --address when the cluster runs cluster networking */
  private netFlags(def: NodeDef): string[] {
    return this.clusterNet ? ['--netns', `/var/run/netns/${def.name}`, '--address', this.address(def.name)] : [];
  }

  /** An agent through the API (`--server`), run inside the node's network namespace: the node's
   *  own view of the network, where the host's loopback (and the etcd on it) does not exist. */
  startApiAgent(node: string, server: string, tokenFile: string, caFile: string): Daemon {
    const def = this.node(node);
    const args = [
      'agent',
      '--server',
      server,
      '--token-file',
      tokenFile,
      '--ca-file',
      caFile,
      '--node-name',
      def.name,
      '--docker',
      `unix:///run/stackd-${def.name}.sock`,
      ...this.netFlags(def),
    ];
    const agent = this.spawnDaemon(`api-agent-${def.name}`, args, ['nsenter', `--net=/var/run/netns/${def.name}`]);
    this.agents.set(def.name, agent);
    return agent;
  }

  /** `args`: more manager flags (e.g. --node-grace 1) */
  startManager(args: string[] = []): Daemon {
    const manager = this.spawnDaemon(`manager-${this.managers.length + 1}`, ['manager', '--store', this.storeUrl, ...args]);
    this.managers.push(manager);
    return manager;
  }

  /** The manager started last. */
  get manager(): Daemon {
    return this.managers[this.managers.length - 1];
  }

  /** `wrapper`: a command that runs the daemon (e.g. nsenter --net=...) */
  private spawnDaemon(name: string, args: string[], wrapper: string[] = []): Daemon {
    const logFile = join(this.logDir, `${String(++this.spawned).padStart(2, '0')}-${name}.log`);
    const fd = openSync(logFile, 'a');
    const [cmd, ...pre] = [...wrapper, process.execPath];
    const child = spawn(cmd, [...pre, join(ROOT, 'bin', 'stackd.js'), ...args], { cwd: ROOT, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    return new Daemon(name, child, logFile);
  }

  stackctl(args: string[]): Promise<CliResult> {
    return run('stackctl', ['--store', this.storeUrl, ...args]);
  }

  /** A listing's --format json output; throws (with stderr) when the command fails. */
  /** Waits until `stackctl node ls` lists `count` nodes, every one Ready. */
  async nodesReady(count: number): Promise<void> {
    await eventually(
      async () => {
        const nodes = await this.stackctlJson<{ status: string }[]>(['node', 'ls']);
        return nodes.length === count && nodes.every((n) => n.status === 'Ready');
      },
      'every node Ready',
      60_000,
      500,
    );
  }

  async stackctlJson<T>(args: string[]): Promise<T> {
    const res = await this.stackctl([...args, '--format', 'json']);
    if (res.code !== 0) throw new Error(`stackctl ${args.join(' ')} exited ${res.code}: ${res.stderr.trim()}`);
    return JSON.parse(res.stdout) as T;
  }

  /** Writes the stack file and deploys it; throws with the CLI's output unless it exits 0. */
  async deploy(stack: string, yaml: string, ...flags: string[]): Promise<CliResult> {
    const file = join(this.logDir, `${stack}.yaml`);
    writeFileSync(file, yaml);
    const res = await this.stackctl(['deploy', '-c', file, ...flags, stack]);
    if (res.code !== 0) throw new Error(`deploy ${stack} exited ${res.code}: ${res.stderr.trim()} ${res.stdout.trim()}`);
    return res;
  }

  async tasks(stack: string): Promise<Task[]> {
    return (await listObjects<Task>(this.store, 'Task', stack)).items;
  }

  /** Tasks the manager wants running and the agent reports running. */
  async runningTasks(stack: string, service?: string): Promise<Task[]> {
    return (await this.tasks(stack)).filter(
      (t) => (service === undefined || t.spec.service === service) && t.spec.desiredState === 'running' && t.status?.state === 'running',
    );
  }

  /** Running containers of the stack on the node's own engine: what really runs there. */
  async containersOn(node: string, stack: string): Promise<number> {
    return (await this.runtime(node).listManaged({ stack })).filter((c) => c.state === 'running').length;
  }

  /** Running containers of the stack per node, e.g. { n1: 2, n2: 0, n3: 1 }. */
  async containersPerNode(stack: string): Promise<Record<string, number>> {
    const counts = await Promise.all(this.nodes.map(async (n) => [n.name, await this.containersOn(n.name, stack)] as const));
    return Object.fromEntries(counts);
  }

  /** Stops every daemon (SIGTERM), etcd, and wipes the nodes. Safe to call after a failed start. */
  async stop(): Promise<void> {
    await Promise.all([...this.agents.values(), ...this.managers].map((d) => d.kill('SIGTERM')));
    await this.store.close().catch(() => undefined);
    await this.etcd.stop();
    if (this.sharedNodes) return;
    for (const n of this.nodes) await nodesSh(`wipe_node ${n.name}`).catch(() => undefined);
  }
}
