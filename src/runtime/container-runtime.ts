// What the node agent needs of a container runtime (SwarmKit's executor, reduced to the calls the
// agent makes): DockerRuntime implements it on a real engine, src/sim's HollowRuntime in memory
// for scale simulations. The create options keep the Docker Engine API's shape (a type only:
// nothing here loads dockerode).
import type { ContainerCreateOptions } from 'dockerode';
import type { Observable } from 'rxjs';
import type { EventsOptions } from './docker-events.js';
import type { NetworkSettings, VolumeSettings } from './resource-spec.js';
import type { ManagedResource } from './docker-resources.js';
import type { ContainerEvent, ContainerFile, EngineInfo, ManagedContainer, ObservedContainer } from './types.js';

export type { ContainerCreateOptions };

export interface ContainerRuntime {
  /** how errors and the Node name the engine: unix:///run/x.sock, tcp://h:2375, sim://node */
  readonly endpoint: string;
  engineInfo(): Promise<EngineInfo>;
  ensureImage(ref: string): Promise<void>;
  /** idempotent per name: the same task's container of that name is returned as is */
  createContainer(opts: ContainerCreateOptions): Promise<string>;
  putFiles(id: string, files: ContainerFile[]): Promise<void>;
  /** already running is fine */
  start(id: string): Promise<void>;
  /** stopped or gone is fine */
  stop(id: string, graceSeconds?: number): Promise<void>;
  /** gone is fine */
  remove(id: string): Promise<void>;
  /** undefined when there is no such container */
  inspect(idOrName: string): Promise<ObservedContainer | undefined>;
  listManaged(filter?: { stack?: string; service?: string; node?: string }): Promise<ManagedContainer[]>;
  /** managed containers' events, endless */
  events$(opts?: EventsOptions): Observable<ContainerEvent>;
  ensureNetwork(name: string, settings: NetworkSettings): Promise<string>;
  removeNetwork(name: string): Promise<boolean>;
  ensureVolume(name: string, settings: VolumeSettings): Promise<void>;
  listManagedResources(stack?: string): Promise<{ networks: ManagedResource[]; volumes: ManagedResource[] }>;
}
