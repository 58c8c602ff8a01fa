// Networks and volumes on a node's engine, by name: created when a task first needs them, removed
// when none does. Labelled with the stack so an agent can find its own after a restart.
import type Dockerode from 'dockerode';
import { dockerError, statusOf } from './docker-errors.js';
import { LABEL } from './labels.js';
import type { NetworkSettings, VolumeSettings } from './resource-spec.js';

export interface ManagedResource {
  name: string;
  labels: Record<string, string>;
}

/** The network's id; an existing network of that name is used as it is, unless another stackd
 *  cluster made it (two clusters sharing an engine never share a network: refused). */
export async function ensureNetwork(docker: Dockerode, endpoint: string, name: string, settings: NetworkSettings): Promise<string> {
  const existing = await networkId(docker, endpoint, name);
  if (existing) {
    const theirs = existing.labels[LABEL.cluster];
    const mine = settings.labels[LABEL.cluster];
    if (theirs && mine && theirs !== mine) throw anotherCluster('network', name, endpoint, theirs);
    return existing.id;
  }
  try {
    const net = await docker.createNetwork({
      Name: name,
      Driver: settings.driver,
      Labels: settings.labels,
      Options: settings.options,
      Internal: settings.internal,
      Attachable: settings.attachable,
      CheckDuplicate: true,
      ...(settings.ipam
        ? { IPAM: { Driver: 'default', Config: [{ Subnet: settings.ipam.subnet, IPRange: settings.ipam.ipRange, Gateway: settings.ipam.gateway }] } }
        : {}),
    });
    return net.id;
  } catch (err) {
    // created meanwhile by someone else (another task's preparation): use theirs
    const raced = statusOf(err) === 409 ? await networkId(docker, endpoint, name) : undefined;
    if (raced) return raced.id;
    throw dockerError(err, endpoint, `create network ${name}`);
  }
}

async function networkId(docker: Dockerode, endpoint: string, name: string): Promise<{ id: string; labels: Record<string, string> } | undefined> {
  try {
    const info = await docker.getNetwork(name).inspect();
    return { id: info.Id as string, labels: (info.Labels ?? {}) as Record<string, string> };
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    // two agents raced and the engine made two networks of one name: settle on the oldest
    if (/ambiguous/.test(String((err as Error).message ?? err))) return oldestNetworkNamed(docker, endpoint, name);
    throw dockerError(err, endpoint, `inspect network ${name}`);
  }
}

async function oldestNetworkNamed(docker: Dockerode, endpoint: string, name: string): Promise<{ id: string; labels: Record<string, string> } | undefined> {
  try {
    const same = (await docker.listNetworks({ filters: { name: [name] } })).filter((n) => n.Name === name);
    same.sort((a, b) => String(a.Created).localeCompare(String(b.Created)));
    return same[0] && { id: same[0].Id, labels: same[0].Labels ?? {} };
  } catch (err) {
    throw dockerError(err, endpoint, `list networks named ${name}`);
  }
}

/** false when there was no such network; throws while containers still use it. */
export async function removeNetwork(docker: Dockerode, endpoint: string, name: string): Promise<boolean> {
  try {
    await docker.getNetwork(name).remove();
    return true;
  } catch (err) {
    if (statusOf(err) === 404) return false;
    throw dockerError(err, endpoint, `remove network ${name}`);
  }
}

/** Two clusters sharing an engine never share a network or a volume (one's data is not the other's). */
function anotherCluster(kind: 'network' | 'volume', name: string, endpoint: string, theirs: string): Error {
  return new Error(
    `${kind} ${name} on ${endpoint} belongs to another stackd cluster (${LABEL.cluster}=${theirs}): clusters sharing an engine need different stack, network and volume names (rename the stack, or run it on other nodes)`,
  );
}

/** An existing volume of that name is used as it is, unless another stackd cluster made it. */
export async function ensureVolume(docker: Dockerode, endpoint: string, name: string, settings: VolumeSettings): Promise<void> {
  const mine = settings.labels[LABEL.cluster];
  const existing = mine ? await volumeLabels(docker, endpoint, name) : undefined;
  const theirs = existing?.[LABEL.cluster];
  if (theirs && theirs !== mine) throw anotherCluster('volume', name, endpoint, theirs);
  if (existing) return;
  try {
    // the engine answers an existing volume of the same name and driver with that volume
    await docker.createVolume({ Name: name, Driver: settings.driver, DriverOpts: settings.options, Labels: settings.labels });
  } catch (err) {
    throw dockerError(err, endpoint, `create volume ${name}`);
  }
}

async function volumeLabels(docker: Dockerode, endpoint: string, name: string): Promise<Record<string, string> | undefined> {
  try {
    return ((await docker.getVolume(name).inspect()).Labels ?? {}) as Record<string, string>;
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw dockerError(err, endpoint, `inspect volume ${name}`);
  }
}

/** false when there was no such volume; throws while a container still uses it. */
export async function removeVolume(docker: Dockerode, endpoint: string, name: string): Promise<boolean> {
  try {
    await docker.getVolume(name).remove();
    return true;
  } catch (err) {
    if (statusOf(err) === 404) return false;
    throw dockerError(err, endpoint, `remove volume ${name}`);
  }
}

/** Networks and volumes stackd created, optionally of one stack. */
export async function listManagedResources(
  docker: Dockerode,
  endpoint: string,
  stack?: string,
): Promise<{ networks: ManagedResource[]; volumes: ManagedResource[] }> {
  const filters = { label: [stack ? `${LABEL.stack}=${stack}` : LABEL.stack] };
  try {
    const [networks, volumes] = await Promise.all([docker.listNetworks({ filters }), docker.listVolumes({ filters })]);
    return {
      networks: networks.map((n) => ({ name: n.Name, labels: n.Labels ?? {} })),
      volumes: (volumes.Volumes ?? []).map((v) => ({ name: v.Name, labels: v.Labels ?? {} })),
    };
  } catch (err) {
    throw dockerError(err, endpoint, 'list networks and volumes');
  }
}
