// What the runtime reports about the engine: small shapes the agent works with, free of dockerode.
import type { TaskRef } from './labels.js';

/** A container as observed (from inspect). Times are RFC 3339; absent when the engine has none. */
export interface ObservedContainer {
  id: string;
  /** without the leading slash */
  name: string;
  image: string;
  labels: Record<string, string>;
  /** the engine's word: created | running | paused | restarting | removing | exited | dead */
  status: string;
  running: boolean;
  /** set once the container has exited */
  exitCode?: number;
  /** only for containers with a healthcheck */
  health?: 'starting' | 'healthy' | 'unhealthy';
  startedAt?: string;
  finishedAt?: string;
  /** the engine's error, e.g. a start that failed ("exec: \"nope\": executable file not found") */
  error?: string;
  oomKilled: boolean;
  /** the main process while it runs (its network namespace is /proc/PID/ns/net) */
  pid?: number;
  /** engine network name → the container's IPv4 address on it */
  addresses?: Record<string, string>;
}

/** A container stackd created, as listed (cheap: no inspect per container). */
export interface ManagedContainer {
  id: string;
  name: string;
  labels: Record<string, string>;
  task: TaskRef;
  /** created | running | paused | restarting | removing | exited | dead */
  state: string;
  /** the engine's human summary, e.g. "Up 3 seconds (healthy)", "Exited (0) 2 seconds ago" */
  status: string;
}

export type ContainerAction =
  | 'create'
  | 'start'
  | 'die'
  | 'stop'
  | 'kill'
  | 'oom'
  | 'destroy'
  | 'health_status: healthy'
  | 'health_status: unhealthy'
  | 'health_status: starting'
  | (string & {});

/** One event of a managed container from the engine's event stream. */
export interface ContainerEvent {
  id: string;
  action: ContainerAction;
  /** die only */
  exitCode?: number;
  /** the container's labels (and stackd's among them) */
  labels: Record<string, string>;
  task?: TaskRef;
  /** the engine's clock, nanoseconds since the epoch, as a string (exact; used to resume) */
  timeNano: string;
}

/** The engine's facts, for the agent's Node object. */
export interface EngineInfo {
  version: string;
  apiVersion: string;
  hostname: string;
  cpus: number;
  memoryBytes: number;
  /** the engine's labels (dockerd --label k=v) */
  labels: Record<string, string>;
  os: string;
  arch: string;
}

/** A config or secret as a file in a container, written before it starts. */
export interface ContainerFile {
  /** absolute path in the container */
  path: string;
  content: Buffer;
  uid: number;
  gid: number;
  /** permission bits, e.g. 0o440 */
  mode: number;
}

/** A piece of a container's output. */
export interface LogChunk {
  stream: 'stdout' | 'stderr';
  data: Buffer;
}
