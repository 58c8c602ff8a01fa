// The normalized stack: what `stackctl config` prints and what the Store keeps as a Stack's spec.
// Every default Swarm's engine applies is explicit here; every short form is in its long form.
// Durations are canonical strings ("10s", "1m30s", "500ms": see units.ts), byte sizes are numbers.

export interface StackSpec {
  name: string;
  services: Record<string, ServiceSpec>;
  networks: Record<string, NetworkSpec>;
  volumes: Record<string, VolumeSpec>;
  configs: Record<string, FileObjectSpec>;
  secrets: Record<string, FileObjectSpec>;
  /** top-level x-* keys, kept as written */
  extensions?: Record<string, unknown>;
}

export type DependsCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface ServiceSpec {
  image?: string;
  build?: BuildSpec;
  command?: string[];
  entrypoint?: string[];
  /** env_file entries merged under `environment` (environment wins); null = pass through unset */
  environment: Record<string, string | null>;
  ports: PortSpec[];
  volumes: MountSpec[];
  /** network name (stack-level key) → attachment; a service with none joins `default` */
  networks: Record<string, { aliases: string[] }>;
  labels: Record<string, string>;
  healthcheck?: HealthcheckSpec;
  stop_grace_period: string;
  stop_signal?: string;
  init?: boolean;
  user?: string;
  working_dir?: string;
  hostname?: string;
  depends_on: Record<string, { condition: DependsCondition; required: boolean }>;
  configs: FileRefSpec[];
  secrets: FileRefSpec[];
  deploy: DeploySpec;
  /** Compose's `restart:` as written ("no", "always", "on-failure[:N]", "unless-stopped");
   *  already folded into deploy.restart_policy when deploy.restart_policy was not given */
  restart?: string;
  profiles?: string[];
  // Compose-only keys that Swarm cannot honour; stackd's agent passes them to Docker.
  container_name?: string;
  network_mode?: string;
  privileged?: boolean;
  cap_add?: string[];
  cap_drop?: string[];
  devices?: string[];
  extra_hosts?: string[];
  dns?: string[];
  sysctls?: Record<string, string>;
  ulimits?: Record<string, { soft: number; hard: number }>;
  shm_size?: number;
  tty?: boolean;
  stdin_open?: boolean;
  /** container ports reachable by other containers without publishing ("3000", "8000-8010/udp") */
  expose?: string[];
  /** the engine's OCI runtime for the containers (HostConfig.Runtime), e.g. "runc" */
  runtime?: string;
  pid?: string;
  ipc?: string;
  security_opt?: string[];
  read_only?: boolean;
  userns_mode?: string;
  cgroup_parent?: string;
  group_add?: string[];
  /** tmpfs mounts as written: "/run" or "/tmp:size=64m" */
  tmpfs?: string[];
  /** service-level x-* keys; `x-stackd` is stackd's own (see StackdExtension) */
  extensions?: Record<string, unknown>;
  'x-stackd'?: StackdExtension;
}

/** stackd's per-service settings, written as `x-stackd:` under a service. */
export interface StackdExtension {
  /** a new task not running (and healthy) within this is a failed update; default 10m */
  progress_deadline?: string;
  /** revisions of the task template kept for rollback and `rollout history` (default 10) */
  revision_history_limit?: number;
}

export interface BuildSpec {
  context: string;
  dockerfile?: string;
  args?: Record<string, string>;
  target?: string;
  labels?: Record<string, string>;
}

export interface PortSpec {
  target: number;
  /** absent: Docker picks a port */
  published?: number;
  protocol: 'tcp' | 'udp';
  mode: 'ingress' | 'host';
  host_ip?: string;
}

export interface MountSpec {
  type: 'bind' | 'volume' | 'tmpfs';
  /** bind: absolute host path; volume: stack-level volume key (absent = anonymous) */
  source?: string;
  target: string;
  read_only: boolean;
  bind?: { create_host_path?: boolean; propagation?: string };
  volume?: { nocopy?: boolean };
  tmpfs?: { size?: number; mode?: number };
}

export interface HealthcheckSpec {
  /** ["NONE"] | ["CMD", ...args] | ["CMD-SHELL", "script"] */
  test: string[];
  interval: string;
  timeout: string;
  retries: number;
  start_period: string;
  disable?: boolean;
}

export interface FileRefSpec {
  source: string;
  target: string;
  uid: string;
  gid: string;
  mode: number;
  /** set by deploy: the content version (sha256 prefix) the service uses, so a content change is a
   *  new revision that rolls out; the Config/Secret object is named `<source>-<version>` */
  version?: string;
}

export interface UpdateConfigSpec {
  parallelism: number;
  delay: string;
  failure_action: 'pause' | 'continue' | 'rollback';
  monitor: string;
  max_failure_ratio: number;
  order: 'stop-first' | 'start-first';
}

export interface RestartPolicySpec {
  condition: 'none' | 'on-failure' | 'any';
  delay: string;
  /** 0 = unlimited */
  max_attempts: number;
  /** 0s = no window */
  window: string;
}

export interface ResourcesSpec {
  cpus?: number;
  /** bytes */
  memory?: number;
  pids?: number;
}

export interface DeploySpec {
  mode: 'replicated' | 'global';
  /** replicated only; 1 by default */
  replicas: number;
  endpoint_mode: 'vip' | 'dnsrr';
  labels: Record<string, string>;
  placement: {
    constraints: string[];
    preferences: { spread: string }[];
    max_replicas_per_node?: number;
  };
  resources: { limits: ResourcesSpec; reservations: ResourcesSpec };
  restart_policy: RestartPolicySpec;
  update_config: UpdateConfigSpec;
  rollback_config: UpdateConfigSpec;
}

export interface NetworkSpec {
  /** the name on the engine: "<stack>_<key>" unless `name:` or external */
  name: string;
  driver?: string;
  driver_opts: Record<string, string>;
  external: boolean;
  internal?: boolean;
  attachable?: boolean;
  /** ipam.config's subnet (IPv4 CIDR); absent: allocated from the cluster's default pool */
  subnet?: string;
  labels: Record<string, string>;
}

export interface VolumeSpec {
  name: string;
  driver?: string;
  driver_opts: Record<string, string>;
  external: boolean;
  labels: Record<string, string>;
}

export interface FileObjectSpec {
  /** the name on the cluster: "<stack>_<key>" unless `name:` or external */
  name: string;
  /** absolute path of the file read at load time (absent when external) */
  file?: string;
  external: boolean;
  labels: Record<string, string>;
}
