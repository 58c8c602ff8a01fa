// One `stackd` (manager and agent in one process, the single-node default) for a test file: its
// own SQLite store and node name, its log in a file (the tail is added to a failing test's
// error), the CLI pointed at its store, and the engine seen directly through dockerode, as a
// user would see it with `docker ps`.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import type { TaskRow } from '../../src/views/rows.js';
import { ensureClusterId } from '../../src/store/cluster-id.js';
import { openStore } from '../../src/store/open.js';
import { ROOT, run, tempDir, type CliResult } from './cli.js';

/**
 * Polls `check` until it neither throws nor returns `false`, and returns what it returned. The
 * timeout only bounds the wait; on timeout the last error (e.g. a failed `expect`) is thrown.
 */
export async function eventually<T>(check: () => Promise<T | false> | T | false, timeoutMs = 30_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let last: unknown;
    try {
      const value = await check();
      if (value !== false) return value;
      last = new Error('the check returned false');
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      if (last instanceof Error) last.message = `still failing after ${timeoutMs / 1000}s: ${last.message}`;
      throw last;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A TCP port nothing on this host listens on now (for published ports). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '0.0.0.0', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function listenable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The first of `count` consecutive ports nothing listens on now, below the kernel's ephemeral
 *  range (32768 up here): a block from freePort() can run into a port another test's outgoing
 *  connection holds by the time the last of them is bound (hack/cluster-up.sh binds 9). */
export async function freePortBlock(count: number): Promise<number> {
  for (let tries = 0; tries < 100; tries++) {
    const base = 20_000 + Math.floor(Math.random() * 1200) * 10;
    const free = await Promise.all(Array.from({ length: count }, (_, i) => listenable(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

/** `docker ARGS` (for what dockerode makes long-winded, like exec). */
export async function docker(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('docker', args, { timeout: 30_000 });
  return stdout;
}

/**
 * A test process that dies without cleaning up (a crashed jest worker) would leave stackd running,
 * recreating its containers for ever. This watchdog waits for EOF on a pipe only the test process
 * holds; then it stops stackd and removes its node's containers, networks and volumes.
 */
function watchdog(pid: number, nodeName: string): ChildProcess {
  const script = `trap '' INT TERM HUP; cat >/dev/null
kill -TERM "$1" 2>/dev/null && for i in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.2; done
kill -KILL "$1" 2>/dev/null
f="label=io.stackd.node=$2"
docker ps -aq --filter "$f" | xargs -r docker rm -f -v
docker network ls -q --filter "$f" | xargs -r docker network rm
docker volume ls -q --filter "$f" | xargs -r docker volume rm`;
  const dog = spawn('sh', ['-c', script, 'watchdog', String(pid), nodeName], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  dog.unref();
  (dog.stdin as unknown as { unref(): void }).unref(); // the pipe must not keep the test process alive
  return dog;
}

export class StackdProcess {
  readonly exited: Promise<void>;

  private constructor(
    readonly child: ChildProcess,
    readonly logFile: string,
    nodeName: string,
  ) {
    const dog = watchdog(child.pid!, nodeName);
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        dog.kill('SIGKILL');
        resolve();
      }),
    );
  }

  /** Spawns `stackd --store URL --node-name NAME [ARGS]` and waits for its log line `node NAME registered`. */
  static async start(storeUrl: string, nodeName: string, logFile: string, timeoutMs = 30_000, args: string[] = []): Promise<StackdProcess> {
    const from = (() => {
      try {
        return statSync(logFile).size;
      } catch {
        return 0;
      }
    })();
    const fd = openSync(logFile, 'a');
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'stackd.js'), '--store', storeUrl, '--node-name', nodeName, ...args], {
      cwd: ROOT,
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    const daemon = new StackdProcess(child, logFile, nodeName);
    const deadline = Date.now() + timeoutMs;
    while (!readFileSync(logFile, 'utf8').slice(from).includes(`node ${nodeName} registered`)) {
      const why = !daemon.alive ? `it exited (${child.exitCode ?? child.signalCode})` : Date.now() > deadline ? `not within ${timeoutMs / 1000}s` : undefined;
      if (why) {
        await daemon.kill();
        throw new Error(`stackd did not register node ${nodeName}: ${why}\n${daemon.logTail()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return daemon;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM and wait for the exit; a stackd still running after `timeoutMs` is killed and that is an error. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), timeoutMs)));
    const outcome = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (outcome === 'late') {
      await this.kill();
      throw new Error(`stackd did not exit within ${timeoutMs / 1000}s of SIGTERM (killed)`);
    }
  }

  async kill(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  logTail(lines = 60): string {
    let text = '';
    try {
      text = readFileSync(this.logFile, 'utf8');
    } catch {
      return `(no log at ${this.logFile})`;
    }
    return `--- ${this.logFile} (last ${lines} lines) ---\n${text.trimEnd().split('\n').slice(-lines).join('\n')}`;
  }
}

export type ContainerInfo = Dockerode.ContainerInfo;

/** A single-node stackd for one test file; construct at describe time, `start()` in beforeAll. */
export class SingleNode {
  readonly nodeName: string;
  readonly dir = tempDir('stackd-orch-');
  readonly storeUrl = `sqlite://${join(this.dir, 'state.db')}`;
  readonly docker = new Dockerode();
  stackd?: StackdProcess;
  private readonly stacks = new Set<string>();
  private args: string[] = [];

  constructor(readonly prefix: string) {
    this.nodeName = this.uniqueName(prefix);
  }

  /** A name no other run uses: prefix, this process, a random suffix. */
  uniqueName(prefix: string): string {
    return `${prefix}${process.pid.toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`;
  }

  /** `args`: more stackd flags (e.g. --webhook-listen), kept for restart(). */
  async start(args: string[] = this.args): Promise<void> {
    this.args = args;
    this.stackd = await StackdProcess.start(this.storeUrl, this.nodeName, join(this.dir, 'stackd.log'), 30_000, args);
  }

  /** Stops stackd with SIGTERM and starts it again on the same store. */
  async restart(): Promise<void> {
    await this.stackd?.stop();
    await this.start();
  }

  /** Wraps a test body so a failure carries the tail of stackd's log. */
  logged(body: () => Promise<void>): () => Promise<void> {
    return async () => {
      try {
        await body();
      } catch (err) {
        if (err instanceof Error && this.stackd) {
          err.message = `${err.message}\n\n${this.stackd.logTail()}`;
        }
        throw err;
      }
    };
  }

  stackctl(args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<CliResult> {
    return run('stackctl', ['--store', this.storeUrl, ...args], env, cwd);
  }

  /** A listing's `--format json`; throws with stderr when the command fails. */
  async json<T>(args: string[]): Promise<T> {
    const res = await this.stackctl([...args, '--format', 'json']);
    if (res.code !== 0) throw new Error(`stackctl ${args.join(' ')} exited ${res.code}: ${res.stderr.trim()}`);
    return JSON.parse(res.stdout) as T;
  }

  ps(stack: string): Promise<TaskRow[]> {
    return this.json<TaskRow[]>(['ps', stack]);
  }

  /** Writes the stack file and runs `stackctl deploy` (waits for convergence unless told otherwise). */
  deploy(stack: string, yaml: string, ...flags: string[]): Promise<CliResult> {
    const file = join(this.dir, `${stack}.yaml`);
    writeFileSync(file, yaml);
    return this.deployFile(stack, file, {}, ...flags);
  }

  deployFile(stack: string, file: string, env: Record<string, string> = {}, ...flags: string[]): Promise<CliResult> {
    this.stacks.add(stack);
    return this.stackctl(['deploy', '-c', file, ...flags, stack], env);
  }

  /** The engine's containers of a stack (all states unless `running`), by stackd's labels. */
  async containers(stack: string, opts: { service?: string; running?: boolean } = {}): Promise<ContainerInfo[]> {
    const label = [`io.stackd.stack=${stack}`, ...(opts.service ? [`io.stackd.service=${opts.service}`] : [])];
    const list = await this.docker.listContainers({ all: true, filters: { label } });
    return opts.running ? list.filter((c) => c.State === 'running') : list;
  }

  inspect(id: string): Promise<Dockerode.ContainerInspectInfo> {
    return this.docker.getContainer(id).inspect();
  }

  /** Everything stackd made on the engine for a stack: container ids, network and volume names. */
  async engineObjects(stack: string): Promise<{ containers: string[]; networks: string[]; volumes: string[] }> {
    const filters = { label: [`io.stackd.stack=${stack}`] };
    const [containers, networks, volumes] = await Promise.all([
      this.docker.listContainers({ all: true, filters }),
      this.docker.listNetworks({ filters }),
      this.docker.listVolumes({ filters }),
    ]);
    return { containers: containers.map((c) => c.Id), networks: networks.map((n) => n.Name), volumes: (volumes.Volumes ?? []).map((v) => v.Name) };
  }

  /** The cluster id of this stackd's store (on everything it makes on the engine). */
  async clusterId(): Promise<string> {
    const store = await openStore(this.storeUrl);
    try {
      return await ensureClusterId(store);
    } finally {
      await store.close();
    }
  }

  /** `stackctl rm` of every stack deployed here, stackd stopped, and whatever is left of this node
   *  on the engine removed by force. */
  async cleanup(): Promise<void> {
    if (this.stackd?.alive && this.stacks.size > 0) {
      await this.stackctl(['rm', ...this.stacks]);
      await eventually(
        async () => (await this.docker.listContainers({ all: true, filters: { label: [`io.stackd.node=${this.nodeName}`] } })).length === 0,
        20_000,
      ).catch(() => undefined);
    }
    await this.stackd?.stop().catch(() => this.stackd?.kill());
    const filters = { label: [`io.stackd.node=${this.nodeName}`] };
    for (const c of await this.docker.listContainers({ all: true, filters }))
      await this.docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => undefined);
    for (const n of await this.docker.listNetworks({ filters }))
      await this.docker
        .getNetwork(n.Id)
        .remove()
        .catch(() => undefined);
    for (const v of (await this.docker.listVolumes({ filters })).Volumes ?? [])
      await this.docker
        .getVolume(v.Name)
        .remove()
        .catch(() => undefined);
  }
}

/** The rows of one task slot in `ps --format json` (current task first, then its history). */
export function slotRows(rows: TaskRow[], stack: string, service: string, slot: number): TaskRow[] {
  const name = `${stack}_${service}.${slot}`;
  return rows.filter((r) => r.name === name || r.name === `\\_ ${name}`);
}

/** A busybox workload that prints `line` and then idles, exiting at once on SIGTERM; as JSON for a
 *  stack file (`$$` is compose's escape of `$`). */
export function idleCommand(line = 'started'): string {
  return JSON.stringify(['sh', '-c', `echo ${line}; trap 'exit 0' TERM; while true; do sleep 1 & wait $$!; done`]);
}
