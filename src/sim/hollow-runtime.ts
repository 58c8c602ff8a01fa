// SIMULATION: a container runtime that runs nothing. "Containers" live in memory; a start takes a
// configurable delay and then reports the container running (healthy after another delay when
// it has a healthcheck), with the same events a Docker Engine would send. It implements the agent's
// ContainerRuntime, so the real agent code (registration, heartbeat, assignment watch, task state
// machine, status batching) runs over it unchanged: a hollow node, as Kubernetes' kubemark and
// KWOK do. For scale benchmarks and tests only.
import { randomBytes } from 'node:crypto';
import { filter, Subject, type Observable } from 'rxjs';
import type { ContainerCreateOptions, ContainerRuntime } from '../runtime/container-runtime.js';
import type { EventsOptions } from '../runtime/docker-events.js';
import type { ManagedResource } from '../runtime/docker-resources.js';
import { LABEL, type TaskRef, taskRefFromLabels } from '../runtime/labels.js';
import type { NetworkSettings, VolumeSettings } from '../runtime/resource-spec.js';
import type { ContainerAction, ContainerEvent, EngineInfo, ManagedContainer, ObservedContainer } from '../runtime/types.js';

export interface HollowRuntimeOptions {
  /** how long a start takes before the container runs (default 0) */
  startDelayMs?: number;
  /** how long a container with a healthcheck stays `starting` once running (default 0) */
  healthyAfterMs?: number;
  /** what the Node reports (default 4 cpus, 8 GiB) */
  cpus?: number;
  memoryBytes?: number;
}

interface HollowContainer {
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  /** read from the labels once: the agent's resync lists every container every 10 s */
  task?: TaskRef;
  status: 'created' | 'running' | 'exited';
  healthcheck: boolean;
  health?: 'starting' | 'healthy';
  exitCode?: number;
  startedAt?: string;
  finishedAt?: string;
}

const sleep = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

export class HollowRuntime implements ContainerRuntime {
  readonly endpoint: string;
  private readonly byId = new Map<string, HollowContainer>();
  private readonly idByName = new Map<string, string>();
  private readonly networks = new Map<string, ManagedResource & { id: string }>();
  private readonly volumes = new Map<string, ManagedResource>();
  private readonly events = new Subject<ContainerEvent>();
  /** how many containers were started, ever (a benchmark's count of work done) */
  starts = 0;

  constructor(
    readonly nodeName: string,
    private readonly opts: HollowRuntimeOptions = {},
  ) {
    this.endpoint = `sim://${nodeName}`;
  }

  async engineInfo(): Promise<EngineInfo> {
    return {
      version: 'hollow',
      apiVersion: '1.41',
      hostname: this.nodeName,
      cpus: this.opts.cpus ?? 4,
      memoryBytes: this.opts.memoryBytes ?? 8 << 30,
      labels: {},
      os: 'linux',
      arch: 'amd64',
    };
  }

  async ensureImage(): Promise<void> {}

  async createContainer(opts: ContainerCreateOptions): Promise<string> {
    const name = opts.name ?? randomBytes(6).toString('hex');
    const existing = this.idByName.get(name);
    if (existing) {
      const c = this.byId.get(existing)!;
      if (c.labels[LABEL.task] === opts.Labels?.[LABEL.task]) return c.id;
      throw new Error(`create container ${name}: Conflict. The container name "/${name}" is already in use`);
    }
    const id = randomBytes(32).toString('hex');
    const test = opts.Healthcheck?.Test;
    const labels = opts.Labels ?? {};
    const task = taskRefFromLabels(labels);
    const c: HollowContainer = {
      id,
      name,
      image: opts.Image ?? '',
      labels,
      ...(task ? { task } : {}),
      status: 'created',
      healthcheck: !!test && test[0] !== 'NONE',
    };
    this.byId.set(id, c);
    this.idByName.set(name, id);
    this.emit(c, 'create');
    return id;
  }

  async putFiles(): Promise<void> {}

  async start(id: string): Promise<void> {
    const c = this.find(id, 'start');
    if (c.status === 'running') return;
    await sleep(this.opts.startDelayMs ?? 0);
    if (!this.byId.has(c.id)) throw new Error(`start ${id}: No such container: ${id}`);
    c.status = 'running';
    c.startedAt = new Date().toISOString();
    delete c.exitCode;
    this.starts++;
    this.emit(c, 'start');
    if (c.healthcheck) {
      c.health = 'starting';
      setTimeout(() => {
        if (c.status !== 'running') return;
        c.health = 'healthy';
        this.emit(c, 'health_status: healthy');
      }, this.opts.healthyAfterMs ?? 0);
    }
  }

  async stop(id: string): Promise<void> {
    const c = this.byId.get(id) ?? this.byId.get(this.idByName.get(id) ?? '');
    if (c?.status !== 'running') return;
    c.status = 'exited';
    c.exitCode = 143; // as a process ended by the stop signal
    c.finishedAt = new Date().toISOString();
    delete c.health;
    this.emit(c, 'die', 143);
  }

  async remove(id: string): Promise<void> {
    const c = this.byId.get(id) ?? this.byId.get(this.idByName.get(id) ?? '');
    if (!c) return;
    if (c.status === 'running') await this.stop(c.id);
    this.byId.delete(c.id);
    this.idByName.delete(c.name);
    this.emit(c, 'destroy');
  }

  async inspect(idOrName: string): Promise<ObservedContainer | undefined> {
    const c = this.byId.get(idOrName) ?? this.byId.get(this.idByName.get(idOrName) ?? '');
    if (!c) return undefined;
    return {
      id: c.id,
      name: c.name,
      image: c.image,
      labels: c.labels,
      status: c.status,
      running: c.status === 'running',
      ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
      ...(c.health ? { health: c.health } : {}),
      startedAt: c.startedAt,
      finishedAt: c.finishedAt,
      oomKilled: false,
    };
  }

  async listManaged(f: { stack?: string; service?: string; node?: string } = {}): Promise<ManagedContainer[]> {
    const wanted = Object.entries(f).filter(([, v]) => v !== undefined) as [keyof typeof f, string][];
    return [...this.byId.values()].flatMap((c) => {
      const task = c.task;
      if (!task || wanted.some(([k, v]) => c.labels[LABEL[k]] !== v)) return [];
      // Docker's summary: the resync reads the health from it
      const health = c.health === undefined ? '' : ` (${c.health === 'starting' ? 'health: starting' : c.health})`;
      const status = c.status === 'running' ? `Up${health}` : c.status === 'exited' ? `Exited (${c.exitCode})` : 'Created';
      return [{ id: c.id, name: c.name, labels: c.labels, task, state: c.status, status }];
    });
  }

  events$(opts: EventsOptions = {}): Observable<ContainerEvent> {
    const wanted = (opts.labels ?? []).map((l) => l.split('='));
    return this.events.pipe(filter((ev) => wanted.every(([k, v]) => (v === undefined ? k in ev.labels : ev.labels[k] === v))));
  }

  async ensureNetwork(name: string, settings: NetworkSettings): Promise<string> {
    let net = this.networks.get(name);
    if (!net) this.networks.set(name, (net = { id: randomBytes(32).toString('hex'), name, labels: settings.labels ?? {} }));
    return net.id;
  }

  async removeNetwork(name: string): Promise<boolean> {
    return this.networks.delete(name);
  }

  async ensureVolume(name: string, settings: VolumeSettings): Promise<void> {
    if (!this.volumes.has(name)) this.volumes.set(name, { name, labels: settings.labels ?? {} });
  }

  async listManagedResources(stack?: string): Promise<{ networks: ManagedResource[]; volumes: ManagedResource[] }> {
    const of = (r: ManagedResource) => LABEL.stack in r.labels && (stack === undefined || r.labels[LABEL.stack] === stack);
    return { networks: [...this.networks.values()].filter(of).map(({ name, labels }) => ({ name, labels })), volumes: [...this.volumes.values()].filter(of) };
  }

  /** containers in each state, for benchmarks and tests */
  counts(): { created: number; running: number; exited: number } {
    const out = { created: 0, running: 0, exited: 0 };
    for (const c of this.byId.values()) out[c.status]++;
    return out;
  }

  private find(id: string, what: string): HollowContainer {
    const c = this.byId.get(id) ?? this.byId.get(this.idByName.get(id) ?? '');
    if (!c) throw new Error(`${what} ${id}: No such container: ${id}`);
    return c;
  }

  private emit(c: HollowContainer, action: ContainerAction, exitCode?: number): void {
    const task = c.task;
    if (!task) return;
    const timeNano = `${BigInt(Date.now()) * 1_000_000n}`;
    this.events.next({ id: c.id, action, labels: c.labels, task, timeNano, ...(exitCode !== undefined ? { exitCode } : {}) });
  }
}
