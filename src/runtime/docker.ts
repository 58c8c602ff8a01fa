// The node agent's container runtime: one Docker Engine, through dockerode. Small methods, each
// one engine call or a few; every failure is a one-line DockerError (`unreachable` when no engine
// answered, naming the socket). The API version is never pinned: requests go to unversioned paths,
// which the engine serves at its own (newest) version.
import http from 'node:http';
import { inspect } from 'node:util';
import Dockerode from 'dockerode';
import type { Observable } from 'rxjs';
import { dockerError, statusOf } from './docker-errors.js';
import { containerEvents$, type EventsOptions } from './docker-events.js';
import * as images from './docker-images.js';
import { containerLogs, type LogsOptions } from './docker-logs.js';
import * as resources from './docker-resources.js';
import { type EngineAddress, defaultDockerUrl, dockerOptions, endpointOf, engineInfoOf } from './engine-info.js';
import { filesTar } from './files.js';
import { LABEL, taskRefFromLabels } from './labels.js';
import type { NetworkSettings, VolumeSettings } from './resource-spec.js';
import type { ContainerEvent, ContainerFile, EngineInfo, LogChunk, ManagedContainer, ObservedContainer } from './types.js';

export { dockerOptions };

/** The engine at `url` (see dockerOptions); default DOCKER_HOST, else unix:///var/run/docker.sock. */
export function connectDocker(url?: string): Dockerode {
  const opts = dockerOptions(defaultDockerUrl(url));
  // No pooled sockets: after a dockerd restart a kept-alive socket fails the next call with EPIPE.
  // (docker-modem passes `agent` to http.request; connecting to a local socket costs little.)
  return new Dockerode({ ...opts, agent: new EngineAgent({ keepAlive: false }) } as Dockerode.DockerOptions);
}

/** docker-modem formats every request's options with util.inspect(showHidden, depth: null), even
 *  with its debug log off; a plain Agent's sockets and requests made that ~10 ms of CPU per call. */
class EngineAgent extends http.Agent {
  [inspect.custom](): string {
    return 'EngineAgent';
  }
}

/** How errors name the engine: unix:///run/x.sock or tcp://host:port. */
export function dockerEndpoint(docker: Dockerode): string {
  return endpointOf(docker.modem as EngineAddress);
}

export class DockerRuntime {
  readonly endpoint: string;

  constructor(readonly docker: Dockerode) {
    this.endpoint = dockerEndpoint(docker);
  }

  static connect(url?: string): DockerRuntime {
    return new DockerRuntime(connectDocker(url));
  }

  async engineInfo(): Promise<EngineInfo> {
    return engineInfoOf(await this.call('engine info', () => Promise.all([this.docker.info(), this.docker.version()])));
  }

  /** The local image, else a pull; ImageUnavailableError("No such image: ref (pull failed: ...)"). */
  ensureImage(ref: string): Promise<void> {
    return images.ensureImage(this.docker, this.endpoint, ref);
  }

  /** Pulls even when the image is local (`stackctl pull`); the registry's errors as DockerError. */
  pullImage(ref: string, onProgress?: (p: images.PullProgress) => void): Promise<void> {
    return images.pullImage(this.docker, this.endpoint, ref, onProgress);
  }

  imageExists(ref: string): Promise<boolean> {
    return images.imageExists(this.docker, this.endpoint, ref);
  }

  /** false when there was no such image; without force, an image a container uses is refused. */
  removeImage(ref: string, opts: { force?: boolean } = {}): Promise<boolean> {
    return images.removeImage(this.docker, this.endpoint, ref, opts);
  }

  /**
   * Creates the container (see containerCreateOptions) and connects it to its other networks, so it
   * is ready to start. Idempotent per name: when a container of that name already carries the same
   * task label (a create whose answer was lost), that container's id is returned.
   */
  async createContainer(opts: Dockerode.ContainerCreateOptions): Promise<string> {
    const endpoints = opts.NetworkingConfig?.EndpointsConfig ?? {};
    const first = opts.HostConfig?.NetworkMode;
    const later = Object.entries(endpoints).filter(([name]) => name !== first);
    const createOpts = later.length ? { ...opts, NetworkingConfig: { EndpointsConfig: first && endpoints[first] ? { [first]: endpoints[first] } : {} } } : opts;
    let id: string;
    try {
      id = (await this.docker.createContainer(createOpts)).id;
    } catch (err) {
      const same = statusOf(err) === 409 && opts.name ? await this.inspect(opts.name) : undefined;
      if (same && same.labels[LABEL.task] === opts.Labels?.[LABEL.task]) return same.id;
      throw dockerError(err, this.endpoint, `create container ${opts.name ?? ''}`.trim());
    }
    for (const [network, endpoint] of later) {
      await this.call(`connect ${opts.name ?? id} to ${network}`, () => this.docker.getNetwork(network).connect({ Container: id, EndpointConfig: endpoint }));
    }
    return id;
  }

  /** Writes files (configs, secrets) into a created container, before it starts. */
  async putFiles(id: string, files: ContainerFile[]): Promise<void> {
    if (files.length === 0) return;
    const tar = await filesTar(files);
    await this.call(`copy files into ${id}`, () => this.docker.getContainer(id).putArchive(tar, { path: '/' }));
  }

  /** Already running is fine. */
  async start(id: string): Promise<void> {
    await this.call(`start ${id}`, () => this.docker.getContainer(id).start(), [304]);
  }

  /** The stop signal, then SIGKILL after graceSeconds (default: the container's StopTimeout).
   *  Already stopped, or gone, is fine. */
  async stop(id: string, graceSeconds?: number): Promise<void> {
    await this.call(`stop ${id}`, () => this.docker.getContainer(id).stop(graceSeconds === undefined ? {} : { t: graceSeconds }), [304, 404]);
  }

  /** Force-removes the container and its anonymous volumes. Gone already is fine. */
  async remove(id: string): Promise<void> {
    await this.call(`remove ${id}`, () => this.docker.getContainer(id).remove({ force: true, v: true }), [404, 409]);
  }

  /** undefined when there is no such container. */
  async inspect(idOrName: string): Promise<ObservedContainer | undefined> {
    let info: Dockerode.ContainerInspectInfo;
    try {
      info = await this.docker.getContainer(idOrName).inspect();
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw dockerError(err, this.endpoint, `inspect ${idOrName}`);
    }
    const st = info.State;
    const time = (t: string | undefined) => (t && !t.startsWith('0001-') ? t : undefined);
    const exited = st.Status === 'exited' || st.Status === 'dead';
    return {
      id: info.Id,
      name: info.Name.replace(/^\//, ''),
      image: info.Config.Image,
      labels: info.Config.Labels ?? {},
      status: st.Status,
      running: st.Running,
      ...(exited ? { exitCode: st.ExitCode } : {}),
      ...(st.Health?.Status && st.Health.Status !== 'none' ? { health: st.Health.Status as ObservedContainer['health'] } : {}),
      startedAt: time(st.StartedAt),
      finishedAt: time(st.FinishedAt),
      ...(st.Error ? { error: st.Error } : {}),
      oomKilled: st.OOMKilled,
      ...(st.Running && st.Pid ? { pid: st.Pid } : {}),
      ...addressesOf(info),
    };
  }

  /** Containers stackd created (running or not), narrowed by stackd's labels, e.g. { node: 'n1' }. */
  async listManaged(filter: { stack?: string; service?: string; node?: string } = {}): Promise<ManagedContainer[]> {
    const label = [
      LABEL.task,
      ...Object.entries(filter)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${LABEL[k as keyof typeof filter]}=${v}`),
    ];
    const list = await this.call('list containers', () => this.docker.listContainers({ all: true, filters: { label } }));
    return list.flatMap((c) => {
      const task = taskRefFromLabels(c.Labels);
      return task ? [{ id: c.Id, name: (c.Names[0] ?? '').replace(/^\//, ''), labels: c.Labels, task, state: c.State, status: c.Status }] : [];
    });
  }

  logs(id: string, opts: LogsOptions = {}): AsyncGenerator<LogChunk> {
    return containerLogs(this.docker, this.endpoint, id, opts);
  }

  /** Managed containers' events (create, start, die, health_status: ..., destroy, ...), endless:
   *  reconnects with backoff and resumes where it stopped. */
  events$(opts: EventsOptions = {}): Observable<ContainerEvent> {
    return containerEvents$(this.docker, this.endpoint, opts);
  }

  ensureNetwork(name: string, settings: NetworkSettings): Promise<string> {
    return resources.ensureNetwork(this.docker, this.endpoint, name, settings);
  }

  removeNetwork(name: string): Promise<boolean> {
    return resources.removeNetwork(this.docker, this.endpoint, name);
  }

  ensureVolume(name: string, settings: VolumeSettings): Promise<void> {
    return resources.ensureVolume(this.docker, this.endpoint, name, settings);
  }

  removeVolume(name: string): Promise<boolean> {
    return resources.removeVolume(this.docker, this.endpoint, name);
  }

  /** Networks and volumes stackd created (of one stack, or all). */
  listManagedResources(stack?: string): Promise<{ networks: resources.ManagedResource[]; volumes: resources.ManagedResource[] }> {
    return resources.listManagedResources(this.docker, this.endpoint, stack);
  }

  /** Runs one engine call; `ok` lists HTTP statuses that mean "already so" (304, 404, ...). */
  private async call<T>(what: string, fn: () => Promise<T>, ok: number[] = []): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const status = statusOf(err);
      if (status !== undefined && ok.includes(status)) return undefined as T;
      throw dockerError(err, this.endpoint, what);
    }
  }
}

/** The container's IPv4 address on each network it has one on (none: no addresses key). */
function addressesOf(info: Dockerode.ContainerInspectInfo): { addresses?: Record<string, string> } {
  const nets = Object.entries(info.NetworkSettings?.Networks ?? {}).filter(([, n]) => n.IPAddress);
  return nets.length ? { addresses: Object.fromEntries(nets.map(([name, n]) => [name, n.IPAddress])) } : {};
}
