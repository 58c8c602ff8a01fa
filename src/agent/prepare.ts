// Everything a task's container needs before it starts, gathered from the Store and made on the
// engine: its stack's networks and volumes, and the content of its configs and secrets.
import type { Config, Network, Secret, Stack, Task } from '../api/objects.js';
import { getObject } from '../client/objects.js';
import type { ContainerRuntime } from '../runtime/container-runtime.js';
import { containerCreateOptions, type ContainerContext } from '../runtime/docker-spec.js';
import { taskFiles, type FileContents } from '../runtime/files.js';
import { networkSettings, volumeSettings } from '../runtime/resource-spec.js';
import { LABEL, ownerOf } from '../runtime/labels.js';
import { DockerError } from '../runtime/docker-errors.js';
import type { Store } from '../store/store.js';
import type { FileRefSpec } from '../stackfile/types.js';
import { versionedName } from '../stacks/desired.js';
import { secretsRoot, writeTaskSecrets } from './secret-files.js';
import { allocatedNetwork, bridgeOf, clusterNetworkSettings, ingressRef, isClusterNetwork, NET_LABEL, needsIngress } from '../net/engine-network.js';
import { clusterNames } from '../net/host-names.js';
import { isIngress as isIngressNetwork } from '../net/plan-alloc.js';
import { nodeRange } from '../net/ipam.js';

// Images, networks and volumes this agent already ensured on an engine: a task's path to start
// skips those round trips, and concurrent ensures of one name share one call (the engine lets two
// concurrent creates make two networks of one name). Forgotten when the engine turns out to have
// lost one (a create that fails with 404; the garbage collector removing it).
const ensured = new Map<string, Promise<unknown>>();
function ensureOnce<T>(key: string, make: () => Promise<T>): Promise<T> {
  let p = ensured.get(key) as Promise<T> | undefined;
  if (!p) {
    p = make();
    ensured.set(key, p);
    p.catch(() => ensured.delete(key));
  }
  return p;
}

export function forgetEnsured(endpoint: string): void {
  for (const key of ensured.keys()) if (key.startsWith(`${endpoint} `)) ensured.delete(key);
}

/** Who made a container, network or volume: the node, and the cluster (store) it belongs to. */
export interface Maker {
  nodeName: string;
  clusterId: string;
}

/** Networks and volumes carry the node's and the cluster's labels too: an agent collects only its
 *  own (several agents, of one cluster or several, may share one engine). */
function owned<T extends { labels: Record<string, string> }>(settings: T, by: Maker): T {
  return { ...settings, labels: { ...settings.labels, [LABEL.node]: by.nodeName, [LABEL.cluster]: by.clusterId } };
}

async function fileContents(store: Store, task: Task): Promise<FileContents> {
  const t = task.spec.template;
  const read = async (kind: 'Config' | 'Secret', ref: FileRefSpec) => {
    const name = versionedName(ref.source, ref.version);
    const obj = await getObject<Config | Secret>(store, kind, task.spec.stack, name);
    if (!obj) throw new Error(`${kind.toLowerCase()} ${task.spec.stack}_${name} not found`);
    return [ref.source, Buffer.from(obj.spec.data, 'base64')] as const;
  };
  const [configs, secrets] = await Promise.all([Promise.all(t.configs.map((r) => read('Config', r))), Promise.all(t.secrets.map((r) => read('Secret', r)))]);
  return { configs: Object.fromEntries(configs), secrets: Object.fromEntries(secrets) };
}

/** Creates what the task needs and its container (configs inside, secrets bind-mounted from the
 *  agent's tmpfs: secret-files.ts); returns its id. */
export async function prepareContainer(store: Store, runtime: ContainerRuntime, task: Task, by: Maker, clusterNet = false): Promise<string> {
  try {
    return await prepareOnce(store, runtime, task, by, clusterNet);
  } catch (err) {
    // something remembered as ensured is gone from the engine: ensure everything anew, once
    if (!(err instanceof DockerError) || err.statusCode !== 404) throw err;
    forgetEnsured(runtime.endpoint);
    return prepareOnce(store, runtime, task, by, clusterNet);
  }
}

/** A cluster network on this engine (created with this node's share of its subnet); its id, this
 *  node's gateway on it, and its bridge. */
export async function ensureClusterNetwork(
  store: Store,
  runtime: ContainerRuntime,
  namespace: string,
  key: string,
  by: Maker,
): Promise<{ id: string; gateway: string; bridge: string }> {
  const net = await allocatedNetwork(store, namespace, key, by.nodeName);
  const settings = clusterNetworkSettings(net, by.nodeName, clusterNames(by.clusterId));
  const made = await ensureOnce(`${runtime.endpoint} network ${net.spec.name}`, async () => {
    const kept = await keptNetwork(runtime, net.spec.name, settings.labels[NET_LABEL.ipRange], by.clusterId);
    const id = await runtime.ensureNetwork(net.spec.name, owned(settings, by)).catch((err: Error) => {
      throw /Pool overlaps|overlapping IPv4/.test(err.message) ? overlapsOnEngine(net, runtime.endpoint) : err;
    });
    return { id, bridge: kept ? bridgeOf(kept.labels) : settings.labels[NET_LABEL.bridge] };
  });
  return { ...made, gateway: nodeRange(net.status!.subnet!, net.status!.nodes![by.nodeName], net.status!.chunkPrefix).gateway };
}

/** The engine refused the subnet: a network on it (another stackd cluster's, sharing the engine,
 *  or the engine's own) has an overlapping one. The manager cannot see those: say what to do. */
function overlapsOnEngine(net: Network, endpoint: string): Error {
  const fix = isIngressNetwork(net)
    ? "the ingress network's subnet cannot be chosen: run this cluster's agents on other engines"
    : `give network ${net.spec.name} an ipam.config subnet that is free on every node's engine`;
  return new Error(
    `network ${net.spec.name}: subnet ${net.status?.subnet} overlaps a network already on ${endpoint} (another stackd cluster's sharing this engine, or the engine's own): ${fix}`,
  );
}

/** The engine network of that name, if it is kept as it is. One this cluster made for another slot
 *  of this node (given back to the pool while the stack was gone from here, then another taken) is
 *  removed to be made anew: its addresses may be another node's now. One without the label (made
 *  before it) is kept; another cluster's is never touched (ensureNetwork refuses it). */
async function keptNetwork(
  runtime: ContainerRuntime,
  name: string,
  ipRange: string | undefined,
  clusterId: string,
): Promise<{ labels: Record<string, string> } | undefined> {
  const found = (await runtime.listManagedResources()).networks.find((n) => n.name === name);
  const had = found?.labels[NET_LABEL.ipRange];
  if (!found || ownerOf(found.labels, clusterId) !== 'mine' || !had || had === ipRange) return found;
  await runtime.removeNetwork(name);
  return undefined;
}

// A stack read for a task serves the node's other tasks of that stack for a second: a deploy
// starts many at once, and one read each was most of an agent's Store traffic. A cached stack that
// lacks a network or volume the task names is read again (it may predate the stack's update).
const STACK_READ_TTL_MS = 1000;
const stackReads = new WeakMap<Store, Map<string, { at: number; stack: Promise<Stack | undefined> }>>();

async function readStack(store: Store, task: Task): Promise<Stack | undefined> {
  let reads = stackReads.get(store);
  if (!reads) stackReads.set(store, (reads = new Map()));
  const name = task.spec.stack;
  const fresh = () => {
    const read = { at: Date.now(), stack: getObject<Stack>(store, 'Stack', '', name) };
    read.stack.catch(() => reads!.delete(name));
    reads!.set(name, read);
    return read.stack;
  };
  const cached = reads.get(name);
  if (!cached || Date.now() - cached.at > STACK_READ_TTL_MS) return fresh();
  const stack = await cached.stack;
  const t = task.spec.template;
  const complete =
    stack &&
    (t.network_mode || Object.keys(t.networks).every((k) => k in stack.spec.networks)) &&
    t.volumes.every((m) => m.type !== 'volume' || !m.source || m.source in stack.spec.volumes);
  return complete ? stack : fresh();
}

async function prepareOnce(store: Store, runtime: ContainerRuntime, task: Task, by: Maker, clusterNet: boolean): Promise<string> {
  const { nodeName, clusterId } = by;
  const stack = await readStack(store, task);
  if (!stack) throw new Error(`stack ${task.spec.stack} not found`);
  const t = task.spec.template;
  const ctx: ContainerContext = { nodeName, clusterId, networkNames: {}, volumeNames: {} };

  const networkKeys = t.network_mode ? [] : Object.keys(t.networks);
  const gateways: Record<string, string> = {};
  const ingress = clusterNet && needsIngress(task) ? ensureClusterNetwork(store, runtime, ingressRef.namespace, ingressRef.key, by) : undefined;
  // awaited below, after the rest: a failure before then must not be an unhandled rejection (the
  // agent would exit), and one after the rest failed has nothing left to report to
  ingress?.catch(() => undefined);
  const volumeKeys = t.volumes.filter((m) => m.type === 'volume' && m.source).map((m) => m.source!);
  // independent engine round trips, made together: they sit on the path of every task's start
  const [, contents] = await Promise.all([
    ensureOnce(`${runtime.endpoint} image ${t.image}`, () => runtime.ensureImage(t.image ?? '')),
    fileContents(store, task),
    ...networkKeys.map(async (key) => {
      const net = stack.spec.networks[key];
      if (!net) throw new Error(`network ${key} is not defined in stack ${task.spec.stack}`);
      // external: a cluster network made with `stackctl network create` (else the engine's own)
      const shared = net.external ? await getObject<Network>(store, 'Network', '', net.name) : undefined;
      if (clusterNet && (isClusterNetwork(net) || shared)) {
        const { id, gateway } = await ensureClusterNetwork(store, runtime, shared ? '' : task.spec.stack, shared ? net.name : key, by);
        ctx.networkNames[key] = id;
        gateways[key] = gateway;
        return;
      }
      // by id: should the engine hold two networks of one name, the name alone is ambiguous
      // without --netns a cluster network is a bridge on each node, as a stack's own networks are
      ctx.networkNames[key] =
        net.external && !shared
          ? net.name
          : await ensureOnce(`${runtime.endpoint} network ${net.name}`, () =>
              runtime.ensureNetwork(net.name, owned(networkSettings(shared ? '' : task.spec.stack, shared?.spec ?? net), by)),
            );
    }),
    ...volumeKeys.map(async (key) => {
      const vol = stack.spec.volumes[key];
      if (!vol) throw new Error(`volume ${key} is not defined in stack ${task.spec.stack}`);
      ctx.volumeNames[key] = vol.name;
      if (!vol.external)
        await ensureOnce(`${runtime.endpoint} volume ${vol.name}`, () => runtime.ensureVolume(vol.name, owned(volumeSettings(task.spec.stack, vol), by)));
    }),
  ]);
  if (ingress) {
    ctx.extraNetworks = [(await ingress).id];
    ctx.mesh = true;
  }
  // the node's resolver answers on its gateway of each network (src/net/resolver.ts)
  if (clusterNet && Object.keys(gateways).length) ctx.clusterDns = networkKeys.filter((k) => gateways[k]).map((k) => gateways[k]);
  const files = taskFiles(task, contents);
  const options = containerCreateOptions(task, ctx);
  // a secret goes on the agent's tmpfs, bind-mounted read-only; that needs the engine on this
  // host (unix socket); a remote engine gets it copied in, as configs are
  const local = runtime.endpoint.startsWith('unix://');
  const secretPaths = new Set(t.secrets.map((r) => (r.target.startsWith('/') ? r.target : `/run/secrets/${r.target}`)));
  const secrets = local ? files.filter((f) => secretPaths.has(f.path)) : [];
  const mounts = await writeTaskSecrets(secretsRoot(nodeName, clusterId), task.metadata.name, secrets);
  if (mounts.length) options.HostConfig = { ...options.HostConfig, Mounts: [...(options.HostConfig?.Mounts ?? []), ...mounts] };
  const id = await runtime.createContainer(options);
  await runtime.putFiles(
    id,
    files.filter((f) => !secrets.includes(f)),
  );
  return id;
}
