// get and list: read the Store, keep what the selectors and the caller's rights allow, answer as
// the object, a List, or a Table.
import type { ServerResponse } from 'node:http';
import type { Resource } from '../api/meta.js';
import type { Task } from '../api/objects.js';
import { getObject, listObjects } from '../client/objects.js';
import { versionedName } from '../stacks/desired.js';
import type { Store } from '../store/store.js';
import { taskMounts, taskOnNode, type Decision } from './authz.js';
import { ApiError, sendJson } from './http.js';
import { networkView } from './network-view.js';
import type { ResourcePath } from './resources.js';
import { GROUP_VERSION } from './resources.js';
import { selects, type Selectors } from './selectors.js';
import { toTable, wantsTable } from './table.js';
import type { Identity } from './tokens.js';

export interface ReadContext {
  store: Store;
  who: Identity;
  path: ResourcePath;
  query: URLSearchParams;
  accept?: string;
  selectors: Selectors;
  decision: Extract<Decision, { allow: true }>;
}

/** What leaves the server: secrets without their data, except to the node whose task mounts them. */
export function present(obj: Resource, secretData = false): Resource {
  if (obj.kind === 'GitOpsSecret') {
    const { data, ...spec } = obj.spec as { data: Record<string, string> };
    return { ...obj, spec: { ...spec, keys: Object.keys(data ?? {}).sort() } };
  }
  if (obj.kind !== 'Secret' || secretData) return obj;
  const { data: _data, ...spec } = obj.spec as Record<string, unknown>;
  return { ...obj, spec };
}

/** How each object is served to this caller: whole, or its network view (for a node listing a
 *  whole kind). Selectors match what is served, so they cannot probe the fields a view leaves out. */
export function viewFor(ctx: Pick<ReadContext, 'who' | 'decision'>): (obj: Resource) => Resource {
  const node = ctx.who.node ?? '';
  return ctx.decision.view === 'network' ? (obj) => networkView(obj, node) : (obj) => obj;
}

/** Runs the object-level half of a node's authorization (see authz.ts). */
export async function checkObjectAccess(ctx: Pick<ReadContext, 'store' | 'who' | 'decision' | 'path'>, obj: Resource | undefined): Promise<void> {
  const node = ctx.who.node ?? '';
  if (ctx.decision.check === 'own-task' && obj && !taskOnNode(obj as Task, node)) {
    throw new ApiError('Forbidden', `node ${node} may not access task ${obj.metadata.namespace}/${obj.metadata.name}: it is not assigned to it`);
  }
  if (ctx.decision.check === 'own-stack' && obj) {
    const tasks = await listObjects<Task>(ctx.store, 'Task', obj.metadata.name);
    if (!tasks.items.some((t) => taskOnNode(t, node)))
      throw new ApiError('Forbidden', `node ${node} may not get stack ${obj.metadata.name}: no task of it is on the node`);
  }
  if (ctx.decision.check === 'own-task-file') {
    const kind = ctx.path.resource.kind as 'Config' | 'Secret';
    const name = ctx.path.name ?? '';
    const tasks = await listObjects<Task>(ctx.store, 'Task', ctx.path.namespace ?? '');
    if (!tasks.items.some((t) => taskOnNode(t, node) && taskMounts(t, kind, name, versionedName))) {
      throw new ApiError('Forbidden', `node ${node} may not get ${kind.toLowerCase()} ${ctx.path.namespace}/${name}: no task on it mounts it`);
    }
  }
}

export async function readOne(ctx: ReadContext): Promise<Resource> {
  const { resource, namespace, name } = ctx.path;
  const obj = await getObject(ctx.store, resource.kind, namespace ?? '', name ?? '');
  await checkObjectAccess(ctx, obj);
  if (!obj) throw new ApiError('NotFound', `${resource.plural}.stackd.io "${name}" not found`, { name, kind: resource.plural });
  return obj;
}

export async function handleGet(ctx: ReadContext, res: ServerResponse): Promise<void> {
  const obj = present(await readOne(ctx), ctx.decision.check === 'own-task-file');
  if (wantsTable(ctx.accept)) return sendJson(res, 200, toTable(obj.kind, [obj], obj.metadata.resourceVersion, ctx.query.get('includeObject') ?? undefined));
  sendJson(res, 200, obj);
}

export async function handleList(ctx: ReadContext, res: ServerResponse): Promise<void> {
  const { resource, namespace } = ctx.path;
  const { items, revision } = await listObjects(ctx.store, resource.kind, namespace);
  const view = viewFor(ctx);
  const kept = items
    .map(view)
    .filter((o) => selects(ctx.selectors, o))
    .map((o) => present(o));
  if (wantsTable(ctx.accept)) return sendJson(res, 200, toTable(resource.kind, kept, String(revision), ctx.query.get('includeObject') ?? undefined));
  sendJson(res, 200, { kind: `${resource.kind}List`, apiVersion: GROUP_VERSION, metadata: { resourceVersion: String(revision) }, items: kept });
}
