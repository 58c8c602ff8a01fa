// Writes of one object other than a Stack: spec updates and merge patches (Service, Node,
// GitSource), the status subresource (the controllers' and agents' half), and services' scale.
// Every write is a compare-and-swap on the revision read: a stale resourceVersion is a 409.
import type { Resource } from '../api/meta.js';
import type { Node, NodeSpec, Service, Task } from '../api/objects.js';
import { objectKey } from '../api/keys.js';
import { canonicalJson, encodeObject } from '../client/codec.js';
import { getObject } from '../client/objects.js';
import { systemClock } from '../client/clock.js';
import { materialize } from '../client/materialize.js';
import { updateTaskStatusOp } from '../tasks/writes.js';
import type { Store, TxnOp } from '../store/store.js';
import { ApiError } from './http.js';
import { mergePatch } from './merge-patch.js';
import type { ApiResource } from './resources.js';

/** Kinds whose spec a client may change in place (the others are written by deploy or controllers). */
const SPEC_WRITABLE = new Set(['Service', 'Node', 'GitSource']);

export interface Target {
  resource: ApiResource;
  namespace: string;
  name: string;
}

const conflict = (t: Target) =>
  new ApiError(
    'Conflict',
    `Operation cannot be fulfilled on ${t.resource.plural}.stackd.io "${t.name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name: t.name, kind: t.resource.plural },
  );

export async function current(store: Store, t: Target): Promise<Resource> {
  const obj = await getObject(store, t.resource.kind, t.namespace, t.name);
  if (!obj) throw new ApiError('NotFound', `${t.resource.plural}.stackd.io "${t.name}" not found`, { name: t.name, kind: t.resource.plural });
  return obj;
}

/** The object after a PUT (the body) or a PATCH (merge patch on the current object). */
export function proposed(prev: Resource, body: unknown, verb: 'update' | 'patch'): Resource {
  const next = (verb === 'patch' ? mergePatch(prev, body) : body) as Resource;
  if (!next || typeof next !== 'object' || !next.metadata) throw new ApiError('BadRequest', 'the body must be an object with metadata');
  const rv = next.metadata.resourceVersion;
  if (verb === 'update' && rv && rv !== prev.metadata.resourceVersion) throw new ApiError('Conflict', 'stale resourceVersion');
  return next;
}

async function commit(store: Store, t: Target, prev: Resource, value: Resource, op?: TxnOp): Promise<Resource> {
  const res = await store.txn([
    op ?? { op: 'update', key: objectKey(t.resource.kind, t.namespace, t.name), value: encodeObject(value), revision: Number(prev.metadata.resourceVersion) },
  ]);
  if (!res.succeeded) throw conflict(t);
  return { ...value, metadata: { ...value.metadata, resourceVersion: String(res.revision) } };
}

function guardStale(t: Target, fn: () => Resource): Resource {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ApiError && err.message === 'stale resourceVersion') throw conflict(t);
    throw err;
  }
}

/** PUT/PATCH of the object itself: spec, labels and annotations; status and identity stay. */
export async function writeSpec(store: Store, t: Target, body: unknown, verb: 'update' | 'patch'): Promise<Resource> {
  if (!SPEC_WRITABLE.has(t.resource.kind))
    throw new ApiError('MethodNotAllowed', `${t.resource.plural} are written by deploy and the controllers; change the stack (or the status subresource) instead`);
  const prev = await current(store, t);
  const next = guardStale(t, () => proposed(prev, body, verb));
  const specChanged = canonicalJson(prev.spec) !== canonicalJson(next.spec);
  const value: Resource = {
    ...prev,
    metadata: {
      ...prev.metadata,
      labels: next.metadata.labels ?? {},
      annotations: next.metadata.annotations ?? {},
      generation: prev.metadata.generation + (specChanged ? 1 : 0),
    },
    spec: next.spec,
  };
  return commit(store, t, prev, value);
}

/** PUT/PATCH of /status: only status changes (the server owns status: controllers and agents write it). */
export async function writeStatus(store: Store, t: Target, body: unknown, verb: 'update' | 'patch', check: (prev: Resource) => Promise<void>): Promise<Resource> {
  const prev = await current(store, t);
  await check(prev);
  const next = guardStale(t, () => proposed(prev, body, verb));
  const value: Resource = { ...prev, status: next.status };
  return commit(store, t, prev, value, t.resource.kind === 'Task' ? updateTaskStatusOp({ ...(value as Task), metadata: prev.metadata }) : undefined);
}

export function scaleOf(svc: Service) {
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: svc.metadata.name,
      namespace: svc.metadata.namespace,
      uid: svc.metadata.uid,
      resourceVersion: svc.metadata.resourceVersion,
      creationTimestamp: svc.metadata.creationTimestamp,
    },
    spec: { replicas: svc.spec.template.deploy.replicas },
    status: { replicas: svc.status?.replicas?.running ?? 0, selector: `io.stackd.stack=${svc.metadata.namespace}` },
  };
}

/** PUT/PATCH of services/NAME/scale: the replicas of a replicated service. */
export async function writeScale(store: Store, t: Target, body: unknown, verb: 'update' | 'patch'): Promise<ReturnType<typeof scaleOf>> {
  const prev = (await current(store, t)) as Service;
  const scale = (verb === 'patch' ? mergePatch(scaleOf(prev), body) : body) as ReturnType<typeof scaleOf>;
  const replicas = scale?.spec?.replicas;
  if (!Number.isInteger(replicas) || replicas < 0) throw new ApiError('Invalid', `Scale "${t.name}": spec.replicas must be a whole number >= 0`);
  if (prev.spec.template.deploy.mode === 'global')
    throw new ApiError('Invalid', `service ${t.namespace}_${t.name} is global: it runs one task per node and cannot be scaled`);
  const rv = scale.metadata?.resourceVersion;
  if (verb === 'update' && rv && rv !== prev.metadata.resourceVersion) throw conflict(t);
  const template = { ...prev.spec.template, deploy: { ...prev.spec.template.deploy, replicas } };
  const changed = replicas !== prev.spec.template.deploy.replicas;
  const value: Service = { ...prev, metadata: { ...prev.metadata, generation: prev.metadata.generation + (changed ? 1 : 0) }, spec: { ...prev.spec, template } };
  return scaleOf((await commit(store, t, prev, value)) as Service);
}

/** POST nodes: a node registering itself (an agent through the API; admins too). The server makes
 *  identity and metadata; a node may name only itself, and starts active whatever it asks. */
export async function createNode(store: Store, body: unknown, onlyNode?: string): Promise<Resource> {
  const b = body as Partial<Node> | undefined;
  const name = b?.metadata?.name;
  if (typeof name !== 'string' || !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) throw new ApiError('Invalid', 'Node: metadata.name must be a node name');
  if (onlyNode !== undefined && name !== onlyNode) throw new ApiError('Forbidden', `node ${onlyNode} may register only Node ${onlyNode}, not ${name}`);
  const role = b?.spec?.role === 'manager' ? 'manager' : 'worker';
  const spec: NodeSpec = { role, availability: onlyNode !== undefined ? 'active' : (b?.spec?.availability ?? 'active'), labels: b?.spec?.labels ?? {} };
  const m = materialize({ kind: 'Node', metadata: { name, namespace: '' }, spec }, undefined, systemClock);
  const value = { ...m.object, ...(b?.status ? { status: b.status } : {}) } as Resource;
  const res = await store.txn([{ op: 'create', key: objectKey('Node', '', name), value: encodeObject(value) }]);
  if (!res.succeeded) throw new ApiError('AlreadyExists', `nodes.stackd.io "${name}" already exists`, { name, kind: 'nodes' });
  return { ...value, metadata: { ...value.metadata, resourceVersion: String(res.revision) } };
}
