// POST and DELETE of the objects a client makes one at a time (stackctl network create | rm, gitops
// add | rm, gitops create-secret): cluster networks, gitsources and GitOps credentials. Everything
// else is created and removed whole with its stack (stack-write.ts) or by the controllers.
// The server makes identity and metadata (uid, generation, timestamps) as a direct write would.
import { objectKey } from '../api/keys.js';
import type { Kind, Resource } from '../api/meta.js';
import type { GitOpsSecret, Stack } from '../api/objects.js';
import { systemClock } from '../client/clock.js';
import { materialize } from '../client/materialize.js';
import { getObject, listObjects } from '../client/objects.js';
import { writeGitOpsSecret } from '../gitops/credentials.js';
import { stacksUsing } from '../net/cluster-network.js';
import type { Store } from '../store/store.js';
import { ApiError } from './http.js';
import type { Target } from './object-write.js';
import { present } from './read.js';

/** Kinds a client creates and deletes one object at a time. A Network without a namespace in the
 *  URL is a cluster network (namespace ''), the only kind of network a client makes. */
export const LIFECYCLE_KINDS: ReadonlySet<Kind> = new Set<Kind>(['Network', 'GitSource', 'GitOpsSecret']);

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

interface Body {
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: unknown;
}

function checkBody(t: Target, body: Body | undefined, name: string): void {
  if (!NAME.test(name)) throw new ApiError('Invalid', `${t.resource.kind}: metadata.name must be a name (letters, digits, _ . -)`);
  if (!body?.spec || typeof body.spec !== 'object') throw new ApiError('Invalid', `${t.resource.kind} "${name}": spec is required`);
  if (t.resource.kind === 'Network' && t.namespace !== '')
    throw new ApiError(
      'MethodNotAllowed',
      `networks of stack ${t.namespace} are made by deploying the stack; POST /apis/stackd.io/v1/networks makes a cluster network`,
    );
}

/** POST: a new object; 409 AlreadyExists when one of that name is there. */
export async function createObject(store: Store, t: Target, raw: unknown): Promise<Resource> {
  const body = raw as Body | undefined;
  const name = body?.metadata?.name ?? '';
  checkBody(t, body, name);
  const desired = {
    kind: t.resource.kind,
    metadata: { name, namespace: t.namespace, labels: body?.metadata?.labels ?? {}, annotations: body?.metadata?.annotations ?? {} },
    spec: body?.spec,
  };
  const m = materialize(desired as Parameters<typeof materialize>[0], undefined, systemClock);
  const res = await store.txn([m.op!]);
  if (!res.succeeded) throw new ApiError('AlreadyExists', `${t.resource.plural}.stackd.io "${name}" already exists`, { name, kind: t.resource.plural });
  return { ...m.object, metadata: { ...m.object.metadata, resourceVersion: String(res.revision) } };
}

/** What leaves the server of a GitOpsSecret: its keys, never their values (it is write-only). */
function sealed(s: GitOpsSecret, change: string): Resource {
  return { ...present(s), status: { lastWrite: change } } as Resource;
}

/** PUT gitopssecrets/NAME: create or replace the credentials (`status.lastWrite` says which, or
 *  `unchanged`); the answer names the keys only. */
export async function putGitOpsSecret(store: Store, name: string, raw: unknown): Promise<Resource> {
  const data = (raw as { spec?: { data?: unknown } } | undefined)?.spec?.data;
  if (!NAME.test(name)) throw new ApiError('Invalid', 'GitOpsSecret: metadata.name must be a name (letters, digits, _ . -)');
  if (!data || typeof data !== 'object' || Object.values(data).some((v) => typeof v !== 'string'))
    throw new ApiError('Invalid', `GitOpsSecret "${name}": spec.data must map keys to base64 strings`);
  const decoded = Object.fromEntries(Object.entries(data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
  const change = await writeGitOpsSecret(store, name, decoded);
  const written = await getObject<GitOpsSecret>(store, 'GitOpsSecret', '', name);
  if (!written) throw new ApiError('Conflict', `gitopssecrets.stackd.io "${name}" was removed meanwhile`);
  return sealed(written, change);
}

/** DELETE: compare-and-swap on `preconditions.resourceVersion` when given (409 when stale). A
 *  cluster network still named by a stack stays (409), as `stackctl network rm` refuses. */
export async function deleteObject(store: Store, t: Target, raw: unknown): Promise<Resource> {
  const notFound = () => new ApiError('NotFound', `${t.resource.plural}.stackd.io "${t.name}" not found`, { name: t.name, kind: t.resource.plural });
  const prev = await getObject(store, t.resource.kind, t.namespace, t.name);
  if (!prev) throw notFound();
  if (t.resource.kind === 'Network') {
    if (t.namespace !== '' || t.name === 'ingress')
      throw new ApiError('MethodNotAllowed', `network ${t.name} goes with its stack (or the cluster): it is not removed alone`);
    const users = stacksUsing(t.name, (await listObjects<Stack>(store, 'Stack')).items);
    if (users.length)
      throw new ApiError('Conflict', `network ${t.name} is in use by stack${users.length > 1 ? 's' : ''} ${users.join(', ')}`, { name: t.name, kind: 'networks' });
  }
  const want = (raw as { preconditions?: { resourceVersion?: string } } | undefined)?.preconditions?.resourceVersion;
  if (want && want !== prev.metadata.resourceVersion)
    throw new ApiError(
      'Conflict',
      `Operation cannot be fulfilled on ${t.resource.plural}.stackd.io "${t.name}": the resourceVersion in the precondition does not match`,
    );
  const res = await store.txn([{ op: 'delete', key: objectKey(t.resource.kind, t.namespace, t.name), revision: Number(prev.metadata.resourceVersion) }]);
  if (!res.succeeded) throw new ApiError('Conflict', `${t.resource.plural}.stackd.io "${t.name}" changed meanwhile; try again`);
  return prev;
}
