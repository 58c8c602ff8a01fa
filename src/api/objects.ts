// The kinds stackd keeps in the Store, each a Resource<Kind, Spec, Status>.
import type { BaseStatus, Resource } from './meta.js';
import type { FileObjectSpec, NetworkSpec, ServiceSpec, StackSpec, VolumeSpec } from '../stackfile/types.js';

/** A deployed stack: the normalized stack file (configs/secrets by reference, content in Config/Secret). */
export type Stack = Resource<'Stack', StackSpec, StackStatus>;
export interface StackStatus extends BaseStatus {
  services?: number;
  /** what each deploy or rollback left the services at, newest first (the last 10) */
  revisions?: StackRevision[];
}

export interface StackRevision {
  revision: number;
  createdAt: string;
  /** "deploy", "rollback to 2" */
  cause: string;
  /** service name → spec hash of its template */
  services: Record<string, string>;
}

/** One service of a stack. metadata.namespace = stack, metadata.name = service key ("web"). */
export type Service = Resource<'Service', ServiceObjectSpec, ServiceStatus>;
export interface ServiceObjectSpec {
  stack: string;
  /** the normalized service as written in the stack file */
  template: ServiceSpec;
  /** Compose `stop`: keep the service's containers, stopped (not part of the template: toggling it
   *  makes no revision and no rollout); cleared by `start` */
  stopped?: boolean;
  /** `stop -t N`: the grace period for that stop (absent: the template's stop_grace_period) */
  stopTimeoutSeconds?: number;
}
export interface ServiceStatus extends BaseStatus {
  replicas?: { desired: number; running: number; failed: number };
  /** why the service is not converged yet ('' when nothing is in the way) */
  message?: string;
  /** the rollout of the current revision (see src/orchestrator/README.md, "The update supervisor") */
  update?: ServiceUpdateStatus;
  /** the task template's revisions, newest first (the first is the current one); the last 10 */
  revisions?: ServiceRevision[];
}

export type UpdateState = 'updating' | 'paused' | 'completed' | 'rollback_started' | 'rollback_paused' | 'rollback_completed';

/** Why an update paused or rolled back. */
export interface UpdateCause {
  reason: 'TaskFailed' | 'ProgressDeadlineExceeded' | 'PausedByUser' | 'NoPreviousRevision';
  message: string;
}

/** One rollout, kept in the Store so that a new leader carries on where the old one stopped. */
export interface ServiceUpdateStatus {
  state: UpdateState;
  message: string;
  startedAt: string;
  completedAt?: string;
  /** spec hash the rollout replaces (an update's rollback returns to it) */
  fromRevision: string;
  /** spec hash being rolled out (during a rollback: the revision rolled back to) */
  toRevision: string;
  /** wanted slots whose current task runs toRevision and is running, out of `total` wanted slots */
  updated: number;
  total: number;
  /** toRevision's tasks that failed during this rollout, each counted once (reset on resume) */
  failures: number;
  /** the latest of those failures */
  lastFailure?: UpdateCause;
  /** paused states: why, and since when (annotation stackd.io/resume set to pausedAt resumes a pause by failure) */
  pauseCause?: UpdateCause;
  pausedAt?: string;
  /** rollback states: why the update was rolled back */
  rollbackCause?: UpdateCause;
  /** toRevision's tasks judged so far (only tasks that still exist): passed monitor, or failed */
  verdicts: Record<string, 'passed' | 'failed'>;
}

/** A revision of a service's task template, content-hashed (see src/orchestrator/revisions.ts). */
export interface ServiceRevision {
  /** 1, 2, 3, ...: a new number for each rollout, as `rollout history` and `undo --to-revision` show */
  revision: number;
  /** specHash of the template */
  hash: string;
  template: ServiceSpec;
  /** when this revision (number) was made */
  createdAt: string;
  /** what changed from the revision before it ("image: app:1 → app:2") */
  change: string;
}

export type TaskState =
  | 'new'
  | 'pending'
  | 'assigned'
  | 'accepted'
  | 'preparing'
  | 'ready'
  | 'starting'
  | 'running'
  /** the container exists and was stopped on purpose (Compose `stop`); not terminal */
  | 'stopped'
  | 'complete'
  | 'shutdown'
  | 'failed'
  | 'rejected'
  | 'orphaned';

/** The order task states move through; a state never moves backwards, with one exception: a
 *  stopped task wanted running again starts over (see canAdvance in src/orchestrator/task-state.ts). */
export const TASK_STATE_ORDER: readonly TaskState[] = [
  'new',
  'pending',
  'assigned',
  'accepted',
  'preparing',
  'ready',
  'starting',
  'running',
  'stopped',
  'complete',
  'shutdown',
  'failed',
  'rejected',
  'orphaned',
];

/** One container's worth of work: metadata.namespace = stack, metadata.name = task id. */
export type Task = Resource<'Task', TaskSpec, TaskStatus>;
export interface TaskSpec {
  stack: string;
  service: string;
  /** replicated services: 1..N; global services: absent (one per node) */
  slot?: number;
  /** set by the scheduler (global: by the orchestrator) */
  nodeName?: string;
  /** the manager's wish; the agent drives the container towards it ('stopped': keep it, stopped) */
  desiredState: 'running' | 'stopped' | 'shutdown';
  /** desiredState stopped: the stop's grace period, copied from the service (absent: stop_grace_period) */
  stopTimeoutSeconds?: number;
  /** content hash of the template: which revision of the service this task runs */
  specHash: string;
  template: ServiceSpec;
  /** restart bookkeeping of the slot (global: of the node), carried from task to task so that a
   *  new leader recomputes the same restart decisions from the Store alone (Swarm keeps it in memory) */
  restart?: TaskRestartRecord;
  /** why the manager set desiredState to shutdown (scale down, restarted, node drained, ...) */
  shutdownReason?: string;
}
export interface TaskRestartRecord {
  /** restarts of this slot under this specHash that led up to this task (0: the slot's first task) */
  attempt: number;
  /** when those restarts happened (RFC 3339), oldest first; only the ones restart_policy.window can still count */
  history: string[];
}
export interface TaskStatus extends BaseStatus {
  state: TaskState;
  /** when `state` was entered (RFC 3339) */
  timestamp: string;
  message: string;
  error?: string;
  exitCode?: number;
  containerId?: string;
  health?: 'starting' | 'healthy' | 'unhealthy';
  /** the container's IPv4 address on each of its networks (engine network name → address) */
  addresses?: Record<string, string>;
}

export type Node = Resource<'Node', NodeSpec, NodeStatus>;
export interface NodeSpec {
  role: 'manager' | 'worker';
  availability: 'active' | 'pause' | 'drain';
  labels: Record<string, string>;
}
export interface NodeStatus extends BaseStatus {
  state: 'ready' | 'down' | 'unknown';
  message?: string;
  hostname: string;
  address?: string;
  /** the agent runs cluster networking (--netns): the routing mesh answers ingress ports here */
  mesh?: boolean;
  engineVersion?: string;
  engineLabels: Record<string, string>;
  cpus: number;
  memoryBytes: number;
  lastHeartbeat?: string;
  /** the engine's address as the agent reaches it (unix:///..., tcp://...), for `service logs` */
  dockerEndpoint?: string;
  /** the engine's OSType and Architecture, for `node.platform.os|arch` constraints */
  platform?: { os: string; arch: string };
}

/** A config or a secret's content: metadata.namespace = stack, metadata.name = the key in the stack file. */
export type Config = Resource<'Config', FileObjectData>;
export type Secret = Resource<'Secret', FileObjectData>;
export interface FileObjectData {
  stack: string;
  /** the name on the cluster ("accounts_plain_config") */
  name: string;
  /** base64 of the content */
  data: string;
  /** sha256 of the content, hex */
  sha256: string;
  labels: Record<string, string>;
}
export type FileObjectDefinition = FileObjectSpec;

/** A stack's network (metadata.name = its key in the stack file), or the cluster's ingress network
 *  (namespace '', name 'ingress'). Its status is the manager's allocation (src/net/ipam.ts). */
export type Network = Resource<'Network', NetworkObjectSpec, NetworkStatus>;
export type NetworkObjectSpec = NetworkSpec & { stack: string };
export interface NetworkStatus extends BaseStatus {
  /** IPv4 CIDR: ipam.config's, or allocated from the default pool without overlap */
  subnet?: string;
  /** the VXLAN network identifier */
  vni?: number;
  /** the size of a node's share, as a prefix length (src/net/ipam.ts; absent: 32 chunks) */
  chunkPrefix?: number;
  /** node name → its slot (1..slotCount): the share of the subnet that node's engine hands out */
  nodes?: Record<string, number>;
  /** service name → its virtual IP on this network (endpoint_mode vip) */
  vips?: Record<string, string>;
  /** why the network could not be allocated (a subnet overlapping another network's), or why a
   *  node got no slot (the subnet is full) */
  message?: string;
}
export type Volume = Resource<'Volume', VolumeSpec & { stack: string }>;

/** A git repository whose stacks the GitOps controller keeps deployed (cluster-scoped; see src/gitops). */
export type GitSource = Resource<'GitSource', GitSourceSpec, GitSourceStatus>;
export interface GitSourceSpec {
  /** clone URL: https://, http://, ssh://, git@host:path or file:// (never with a password in it) */
  repo: string;
  branch: string;
  /** folder inside the repository holding the stacks ('.' = the root) */
  path: string;
  /** how often to poll ("1m", "30s") */
  interval: string;
  /** remove stacks that this source applied and that are gone from git */
  prune: boolean;
  /** stop polling (a requested sync is still not run while suspended) */
  suspend: boolean;
  /** GitOpsSecret with the fetch credentials (username+password, or identity+known_hosts) */
  secretRef?: string;
  /** GitOpsSecret whose `token` signs or authenticates webhook calls */
  webhookSecretRef?: string;
}

/** What one sync did to one stack of the source. */
export type GitStackResultState = 'rolled out' | 'rolling out' | 'rolled back' | 'failed' | 'unchanged' | 'conflict' | 'pruned' | 'orphaned';
export interface GitStackResult {
  stack: string;
  /** the stack file, relative to the repository root */
  file: string;
  result: GitStackResultState;
  message?: string;
  /** sha256 of what the source last applied for the stack (drift = a write although this is unchanged) */
  digest?: string;
  /** when the source last wrote the stack (a rollout started then is judged) */
  deployedAt?: string;
}

export interface GitSourceStatus extends BaseStatus {
  /** branch@sha of the last commit applied in full */
  lastAppliedRevision?: string;
  /** branch@sha of the last commit a sync tried */
  lastAttemptedRevision?: string;
  /** the stackd.io/requestedAt annotation value that the last finished sync handled */
  lastHandledRequestedAt?: string;
  /** the stacks this source applied (and so owns); prune removes those gone from git */
  inventory?: string[];
  /** per-stack results of the last sync */
  stacks?: GitStackResult[];
  /** stacks whose stored state differed from git (changed by hand) and were put back by the last sync */
  driftCorrected?: string[];
}

/** Credentials for a GitSource, keys as in Flux: username+password (HTTPS), identity+known_hosts (SSH),
 *  token (webhook). Cluster-scoped; values base64. */
export type GitOpsSecret = Resource<'GitOpsSecret', GitOpsSecretSpec>;
export interface GitOpsSecretSpec {
  data: Record<string, string>;
}
