// Task → the engine's container create options. Pure: no I/O, table-tested. Every ServiceSpec
// field the engine can honour is mapped here; restarts are the agent's (RestartPolicy stays "no",
// as in Swarm), and build: is never done by the agent (the image must exist or be pullable).
import type Dockerode from 'dockerode';
import type { Task } from '../api/objects.js';
import type { HealthcheckSpec, MountSpec, PortSpec, ServiceSpec } from '../stackfile/types.js';
import { durationMs } from '../stackfile/units.js';
import { containerName, taskLabels } from './labels.js';

export interface ContainerContext {
  nodeName: string;
  /** the store's cluster id, stamped on the container (labels.ts) */
  clusterId: string;
  /** stack-level network key ("default") → the network's name on the engine ("accounts_default") */
  networkNames: Record<string, string>;
  /** stack-level volume key ("mysql") → the volume's name on the engine ("accounts_mysql") */
  volumeNames: Record<string, string>;
  /** cluster networking (src/net): the node's resolver addresses; names are then the cluster
   *  resolver's alone (no engine aliases, which would answer with this node's tasks only) */
  clusterDns?: string[];
  /** cluster networking: more engine networks to join, without aliases (the ingress network) */
  extraNetworks?: string[];
  /** the routing mesh carries the task's ingress ports (src/net/ingress-rules.ts): Docker publishes
   *  only its host ones */
  mesh?: boolean;
}

/** A task that cannot become a container (a reference the stack does not define). One line. */
export class ContainerSpecError extends Error {
  override name = 'ContainerSpecError';
}

/**
 * The create options for a task's container. All its networks are in EndpointsConfig, the first
 * also in HostConfig.NetworkMode; DockerRuntime.createContainer connects the others before start,
 * since engines before API 1.44 take one network at create.
 */
export function containerCreateOptions(task: Task, ctx: ContainerContext): Dockerode.ContainerCreateOptions {
  const s = task.spec.template;
  const fail = (what: string): never => {
    throw new ContainerSpecError(`task ${task.spec.stack}/${task.metadata.name} (service ${task.spec.service}): ${what}`);
  };
  if (!s.image) fail('no image (stackd does not build images: build it on the node or push it to a registry)');
  const limits = s.deploy.resources.limits;
  const reservations = s.deploy.resources.reservations;
  const { exposed, bindings } = portOptions(s.ports, s.expose ?? [], ctx.mesh === true);
  const hostConfig: Dockerode.HostConfig = {
    Binds: s.volumes.filter(createsHostPath).map(bindString),
    Mounts: s.volumes.filter((m) => !createsHostPath(m)).map((m) => mountOptions(m, ctx, fail)) as Dockerode.MountConfig,
    PortBindings: bindings,
    RestartPolicy: { Name: 'no' },
    Init: s.init,
    NanoCpus: limits.cpus !== undefined ? Math.round(limits.cpus * 1e9) : undefined,
    Memory: limits.memory,
    MemoryReservation: reservations.memory,
    PidsLimit: limits.pids,
    Privileged: s.privileged,
    CapAdd: s.cap_add,
    CapDrop: s.cap_drop,
    Devices: s.devices?.map(deviceOptions),
    ExtraHosts: s.extra_hosts?.map((h) => h.replace(/^([^:=]+)=/, '$1:')),
    Dns: ctx.clusterDns ?? s.dns,
    Sysctls: s.sysctls,
    Ulimits: s.ulimits && Object.entries(s.ulimits).map(([Name, l]) => ({ Name, Soft: l.soft, Hard: l.hard })),
    ShmSize: s.shm_size,
    Runtime: s.runtime,
    PidMode: s.pid,
    IpcMode: s.ipc,
    SecurityOpt: s.security_opt,
    ReadonlyRootfs: s.read_only,
    UsernsMode: s.userns_mode,
    CgroupParent: s.cgroup_parent,
    GroupAdd: s.group_add,
    Tmpfs: s.tmpfs && Object.fromEntries(s.tmpfs.map((t) => [t.split(':')[0], t.split(':').slice(1).join(':')])),
  };
  const networking = networkOptions(task, ctx, fail);
  hostConfig.NetworkMode = networking.mode;
  return dropUndefined({
    name: containerName(task, ctx.nodeName),
    Image: s.image,
    Cmd: s.command,
    Entrypoint: s.entrypoint,
    Env: Object.entries(s.environment)
      .filter((e): e is [string, string] => e[1] !== null) // null: unset where the stack was loaded
      .map(([k, v]) => `${k}=${v}`),
    Labels: { ...s.labels, ...taskLabels(task, ctx.nodeName, ctx.clusterId) },
    ExposedPorts: exposed,
    Healthcheck: s.healthcheck && healthOptions(s.healthcheck),
    User: s.user,
    WorkingDir: s.working_dir,
    Hostname: s.hostname,
    StopSignal: s.stop_signal,
    StopTimeout: Math.ceil(durationMs(s.stop_grace_period) / 1000),
    Tty: s.tty,
    OpenStdin: s.stdin_open,
    HostConfig: dropUndefined(hostConfig),
    NetworkingConfig: networking.endpoints && { EndpointsConfig: networking.endpoints },
  });
}

/** Without the mesh both modes publish on the node's own engine, so an `ingress` port answers
 *  only on the nodes that run a task of the service (as `host` mode does in Swarm). */
function portOptions(ports: PortSpec[], expose: string[], mesh: boolean) {
  const exposed: Record<string, Record<string, never>> = {};
  for (const e of expose) {
    const [range, protocol = 'tcp'] = e.split('/');
    const [lo, hi = lo] = range.split('-').map(Number);
    for (let p = lo; p <= hi; p++) exposed[`${p}/${protocol}`] = {};
  }
  const bindings: Record<string, { HostIp?: string; HostPort: string }[]> = {};
  for (const p of ports) {
    const key = `${p.target}/${p.protocol}`;
    exposed[key] = {};
    if (mesh && p.mode === 'ingress' && p.published !== undefined) continue;
    const binding = { HostPort: p.published !== undefined ? String(p.published) : '', ...(p.host_ip ? { HostIp: p.host_ip } : {}) };
    (bindings[key] ??= []).push(binding);
  }
  return { exposed, bindings };
}

/** Binds (the -v form) create a missing host path, as Compose's short syntax does; Mounts do not. */
function createsHostPath(m: MountSpec): boolean {
  return m.type === 'bind' && m.bind?.create_host_path !== false;
}

function bindString(m: MountSpec): string {
  const opts = [m.read_only ? 'ro' : 'rw', ...(m.bind?.propagation ? [m.bind.propagation] : [])];
  return `${m.source}:${m.target}:${opts.join(',')}`;
}

function mountOptions(m: MountSpec, ctx: ContainerContext, fail: (what: string) => never) {
  const common = { Target: m.target, ReadOnly: m.read_only };
  switch (m.type) {
    case 'bind':
      return { ...common, Type: 'bind', Source: m.source, ...(m.bind?.propagation ? { BindOptions: { Propagation: m.bind.propagation } } : {}) };
    case 'tmpfs':
      return { ...common, Type: 'tmpfs', TmpfsOptions: dropUndefined({ SizeBytes: m.tmpfs?.size, Mode: m.tmpfs?.mode }) };
    case 'volume': {
      // no source: an anonymous volume, removed with the container
      const source = m.source === undefined ? '' : (ctx.volumeNames[m.source] ?? fail(`volume "${m.source}" is not a volume of the stack`));
      return { ...common, Type: 'volume', Source: source, ...(m.volume?.nocopy ? { VolumeOptions: { NoCopy: true } } : {}) };
    }
  }
}

/** Docker wants nanoseconds; 0 leaves the engine's default. */
function healthOptions(h: HealthcheckSpec): Dockerode.HealthConfig {
  if (h.disable || h.test[0] === 'NONE') return { Test: ['NONE'] };
  const ns = (d: string) => durationMs(d) * 1_000_000;
  return { Test: h.test, Interval: ns(h.interval), Timeout: ns(h.timeout), Retries: h.retries, StartPeriod: ns(h.start_period) };
}

/** "/dev/sda:/dev/xvda:rwm" (container path and permissions optional), as `docker run --device`. */
function deviceOptions(device: string) {
  const [host, container, perms] = device.split(':');
  return { PathOnHost: host, PathInContainer: container || host, CgroupPermissions: perms || 'rwm' };
}

type Endpoints = Record<string, { Aliases: string[] }>;

/** network_mode wins (host, none, container:ID); otherwise the service's networks, each with the
 *  service's name as an alias so tasks of one stack reach each other by name on a node. */
function networkOptions(task: Task, ctx: ContainerContext, fail: (what: string) => never): { mode?: string; endpoints?: Endpoints } {
  const s: ServiceSpec = task.spec.template;
  if (s.network_mode) {
    if (s.network_mode.startsWith('service:')) fail(`network_mode "${s.network_mode}" is not supported (use container:NAME)`);
    return { mode: s.network_mode };
  }
  const attachments = Object.keys(s.networks).length > 0 ? s.networks : { default: { aliases: [] } };
  const endpoints: Endpoints = {};
  for (const [key, { aliases }] of Object.entries(attachments)) {
    const name = ctx.networkNames[key] ?? fail(`network "${key}" is not a network of the stack`);
    endpoints[name] = { Aliases: ctx.clusterDns ? [] : [...new Set([task.spec.service, `${task.spec.stack}_${task.spec.service}`, ...aliases])] };
  }
  for (const name of ctx.extraNetworks ?? []) endpoints[name] = { Aliases: [] };
  return { mode: Object.keys(endpoints)[0], endpoints };
}

/** The engine treats a JSON null differently from an absent key in places: send only what is set. */
function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
