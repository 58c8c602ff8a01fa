// The Store an agent runs on with `stackd agent --server` (and stackctl with --server/--kubeconfig):
// what they ask of a Store, answered through the API server with @kubernetes/client-node (its object API for reads and
// writes, its Watch for the assignment stream), so the agent's controllers run unchanged and the
// node needs no route to etcd. Keys map to resources in keymap.ts; resourceVersions are the
// Store's revisions, so the agent's compare-and-swap writes and informer stay what they were.
// A node token is held to its own objects by the server (apiserver/authz.ts), not by this file.
import {
  ApiException,
  type ConfigurationOptions,
  CustomObjectsApi,
  type KubeConfig,
  Observable as KubeObservable,
  PatchStrategy,
  type RequestContext,
  setHeaderOptions,
  Watch,
} from '@kubernetes/client-node';
import { Observable } from 'rxjs';
import { assignmentKey, MANAGER_ELECTION, MANAGER_PREFIX, objectKey } from '../api/keys.js';
import { electionPrefix } from '../store/store-election.js';
import { eventKey } from '../events/event.js';
import type { Resource } from '../api/meta.js';
import { encodeObject } from '../client/codec.js';
import { GROUP, VERSION } from '../apiserver/resources.js';
import type { Election, KeyValue, Lease, ListResult, ReadFilter, Store, TxnConflict, TxnOp, TxnResult, WatchMessage } from '../store/store.js';
import { keyTarget, unmapped, type KeyTarget } from './keymap.js';
import { RemoteLease } from './remote-lease.js';
import { watchEvent } from './watch-message.js';

type ObjectTarget = Extract<KeyTarget, { type: 'object' }>;
const API = { group: GROUP, version: VERSION };
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
/** Objects a client creates and deletes one at a time (the server's half: apiserver/object-lifecycle.ts). */
const CREATED_ALONE: ReadonlySet<string> = new Set(['Network', 'GitSource']);
const DELETED_ALONE: ReadonlySet<string> = new Set(['Network', 'GitSource', 'GitOpsSecret']);

/** The request option that adds `sinceTime`, which the generated list methods have no argument for
 *  (a middleware as client-node's setHeaderOptions makes one: its Observable, not rxjs'). */
function sinceTimeOption(sinceTime: string | undefined): ConfigurationOptions | undefined {
  if (!sinceTime) return undefined;
  const pre = (req: RequestContext) => {
    req.setQueryParam('sinceTime', sinceTime);
    return new KubeObservable(Promise.resolve(req));
  };
  return { middleware: [{ pre, post: (res) => new KubeObservable(Promise.resolve(res)) }], middlewareMergeStrategy: 'append' };
}

/** The field selectors of the key's query and of the reader's filter, both applied by the server. */
const bothSelectors = (a?: string, b?: string) => [a, b].filter(Boolean).join(',') || undefined;

function code(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/** The server's Status message, for errors worth reading (403 names what is forbidden). */
export function apiError(what: string, err: unknown): Error {
  if (!(err instanceof ApiException)) return err as Error;
  // the generated client puts the Status in `body` (text or parsed) or only in its message lines
  const text = String(err.body ?? /^Body: (.*)$/m.exec(err.message)?.[1] ?? '');
  let message = /^Message: (.*)$/m.exec(err.message)?.[1] ?? err.message.split('\n')[0];
  try {
    message = (typeof err.body === 'object' && err.body ? err.body : JSON.parse(text)).message ?? message;
  } catch {
    /* not a Status: keep the message line */
  }
  return Object.assign(new Error(`${what}: ${err.code} ${message}`), { code: err.code });
}

function objectKv(key: string, obj: Resource): KeyValue {
  return { key, value: encodeObject(obj), createRevision: 0, modRevision: Number(obj.metadata.resourceVersion) };
}

/** The stack a transaction removes whole (its Stack and only objects of it, all deleted), if it is one. */
export function stackRemoval(ops: TxnOp[]): string | undefined {
  const stack = ops.map((op) => keyTarget(op.key)).find((t) => t?.type === 'object' && t.kind === 'Stack');
  if (stack?.type !== 'object' || ops.some((op) => op.op !== 'delete')) return undefined;
  const ofStack = (key: string) => {
    const t = keyTarget(key);
    if (t?.type === 'object') return t.kind === 'Stack' ? t.name === stack.name : t.namespace === stack.name;
    // a task's assignment: /stackd/assignments/<node>/<stack>/<task>
    return key.startsWith('/stackd/assignments/') && key.split('/')[4] === stack.name;
  };
  return ops.every((op) => ofStack(op.key)) ? stack.name : undefined;
}

export class ApiStore implements Store {
  private readonly objects: CustomObjectsApi;
  private readonly watcher: Watch;
  private readonly leases = new Map<string, RemoteLease>();
  /** key → the revision a batch reported for it and the one it really got (see txn) */
  private readonly revisions = new Map<string, { reported: number; actual: number }>();

  constructor(
    kc: KubeConfig,
    readonly endpoint: string,
    /** what an update of a Node means: an agent writes its status, an admin's stackctl the spec */
    private readonly nodeWrites: 'status' | 'spec' = 'status',
  ) {
    this.objects = kc.makeApiClient(CustomObjectsApi);
    this.watcher = new Watch(kc);
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const t = keyTarget(key);
    try {
      if (t?.type === 'cluster-id') {
        const info = (await this.objects.listClusterCustomObject({ ...API, plural: 'clusterinfo' })) as { clusterId: string };
        return { key, value: info.clusterId, createRevision: 0, modRevision: 0 };
      }
      if (t?.type === 'lease') {
        const l = (await this.objects.getClusterCustomObject({ ...API, plural: 'leases', name: t.node })) as {
          metadata: { resourceVersion: string };
          spec: { holderIdentity: string };
        };
        const holder = l.spec.holderIdentity;
        const lease = [...this.leases.values()].find((x) => x.holds(t.node, holder));
        return { key, value: holder, createRevision: 0, modRevision: Number(l.metadata.resourceVersion), ...(lease ? { lease: lease.id } : {}) };
      }
      if (t?.type === 'object') return objectKv(key, await this.read(t));
    } catch (err) {
      if (code(err) === 404) return undefined;
      throw apiError(`get ${key}`, err);
    }
    throw unmapped('get', key);
  }

  async list(prefix: string, filter?: ReadFilter): Promise<ListResult> {
    const part = prefix === MANAGER_PREFIX ? 'managers' : prefix === electionPrefix(MANAGER_ELECTION) ? 'campaigners' : undefined;
    if (part) {
      // the control plane's keys (stackctl cluster status): one read of apiserver/control-plane.ts
      try {
        const cp = (await this.objects.listClusterCustomObject({ ...API, plural: 'controlplane' })) as Record<string, KeyValue[]> & {
          metadata: { resourceVersion: string };
        };
        return { items: cp[part], revision: Number(cp.metadata.resourceVersion) };
      } catch (err) {
        throw apiError('read the control plane', err);
      }
    }
    const q = this.query(prefix, 'list');
    try {
      const fieldSelector = bothSelectors(q.fieldSelector, filter?.fieldSelector);
      const params = { ...API, plural: q.plural, ...(fieldSelector ? { fieldSelector } : {}) };
      const since = sinceTimeOption(filter?.sinceTime);
      const list = (await (!q.namespace
        ? this.objects.listClusterCustomObject(params, since)
        : this.objects.listNamespacedCustomObject({ ...params, namespace: q.namespace }, since))) as { metadata: { resourceVersion: string }; items: Resource[] };
      // the cluster networks (namespace ''): the list of all networks, less the stacks' own
      const items = q.namespace === '' ? list.items.filter((o) => o.metadata.namespace === '') : list.items;
      return { items: items.map((o) => objectKv(q.keyOf(o), o)), revision: Number(list.metadata.resourceVersion) };
    } catch (err) {
      throw apiError(`list ${q.plural}`, err);
    }
  }

  /** Each op is one request (the agent's batches need no atomicity: the status writer retries the
   *  keys that conflicted). The result's revision is the highest; what each key really got is kept,
   *  so that a later compare-and-swap on the reported revision asks for the real one. */
  async txn(ops: TxnOp[]): Promise<TxnResult> {
    const removed = stackRemoval(ops);
    if (removed !== undefined) return this.removeStack(removed);
    // all or nothing on what is served: a transaction with one write the API does not take (a
    // deploy's) sends none of them
    const unserved = ops.find((op) => !this.served(op));
    if (unserved) throw unmapped(unserved.op, unserved.key);
    const results = await Promise.all(ops.map((op) => this.one(op)));
    const conflicts = results.filter((r): r is TxnConflict => typeof r !== 'number');
    const revisions = results.filter((r): r is number => typeof r === 'number');
    const revision = Math.max(0, ...revisions);
    ops.forEach((op, i) => {
      const r = results[i];
      if (typeof r === 'number') this.revisions.set(op.key, { reported: revision, actual: r });
    });
    return { succeeded: conflicts.length === 0, revision, conflicts };
  }

  watch(prefix: string, fromRevision: number, filter?: ReadFilter): Observable<WatchMessage> {
    const q = this.query(prefix, 'watch');
    const fieldSelector = bothSelectors(q.fieldSelector, filter?.fieldSelector);
    const narrowed = { ...(fieldSelector ? { fieldSelector } : {}), ...(filter?.sinceTime ? { sinceTime: filter.sinceTime } : {}) };
    if (q.namespace === '') throw unmapped('watch', prefix);
    const path = `/apis/${GROUP}/${VERSION}${q.namespace === undefined ? '' : `/namespaces/${q.namespace}`}/${q.plural}`;
    const what = `watch ${q.plural}`;
    return new Observable<WatchMessage>((sub) => {
      let last = fromRevision - 1;
      let abort: AbortController | undefined;
      let closed = false;
      // a stream the server ends (timeout, restart) resumes after the last revision seen; an error
      // goes to the informer, which lists again with backoff
      const open = () => {
        this.watcher
          .watch(
            path,
            { ...narrowed, resourceVersion: String(last), allowWatchBookmarks: true },
            (type: string, obj: unknown) => {
              const msg = watchEvent(type, obj, q.keyOf);
              if (msg.type === 'events') last = Math.max(last, msg.revision);
              if (msg.type === 'error') return sub.error(new Error(`${what}: ${msg.message}`));
              sub.next(msg);
              if (msg.type === 'relist') sub.complete();
            },
            (err: unknown) => {
              if (closed || sub.closed) return;
              if (err) sub.error(apiError(what, err));
              else open();
            },
          )
          .then(
            (c) => {
              abort = c;
              if (closed) c.abort();
            },
            (err: unknown) => sub.error(err),
          );
      };
      open();
      return () => {
        closed = true;
        abort?.abort();
      };
    });
  }

  async grantLease(ttlSeconds: number): Promise<Lease> {
    const lease = new RemoteLease(ttlSeconds, {
      renew: async (node, holder) => {
        try {
          await this.objects.patchClusterCustomObject(
            { ...API, plural: 'leases', name: node, body: { spec: { holderIdentity: holder, renewTime: new Date().toISOString() } } },
            MERGE_PATCH,
          );
        } catch (err) {
          throw apiError(`renew lease ${node}`, err);
        }
      },
      release: async (node) => {
        await this.objects.deleteClusterCustomObject({ ...API, plural: 'leases', name: node }).catch((err) => {
          if (code(err) !== 404) throw apiError(`release lease ${node}`, err);
        });
      },
    });
    this.leases.set(lease.id, lease);
    return lease;
  }

  election(): Election {
    throw new Error('elections are not served through the API (managers talk to the Store)');
  }

  async compact(): Promise<void> {
    throw new Error('compaction is not served through the API');
  }

  async close(): Promise<void> {
    for (const l of this.leases.values()) l.stop();
    this.leases.clear();
  }

  /** What a list or watch of `prefix` asks the API: a kind (in a namespace), or a node's tasks. */
  private query(prefix: string, what: string): { plural: string; namespace?: string; fieldSelector?: string; keyOf: (o: Resource) => string } {
    const t = keyTarget(prefix);
    if (t?.type === 'assignments')
      return { plural: 'tasks', fieldSelector: `spec.nodeName=${t.node}`, keyOf: (o) => assignmentKey(t.node, o.metadata.namespace, o.metadata.name) };
    if (t?.type === 'kind') return { plural: t.plural, namespace: t.namespace, keyOf: (o) => objectKey(t.kind, o.metadata.namespace, o.metadata.name) };
    // events: cluster-scoped objects' (namespace '') are in the list of all, by field selector
    if (t?.type === 'events' && t.name === undefined)
      return {
        plural: 'events',
        namespace: t.namespace || undefined,
        fieldSelector: t.namespace === '' ? 'metadata.namespace=' : undefined,
        keyOf: (o) => eventKey(o.metadata.namespace, o.metadata.name),
      };
    // one object's key as the prefix (an informer on a single GitSource, as `gitops sync` waits)
    if (t?.type === 'object')
      return {
        plural: t.plural,
        namespace: t.namespace,
        fieldSelector: `metadata.name=${t.name}`,
        keyOf: (o) => objectKey(t.kind, o.metadata.namespace, o.metadata.name),
      };
    throw unmapped(what, prefix);
  }

  private read(t: ObjectTarget): Promise<Resource> {
    return !t.namespace
      ? this.objects.getClusterCustomObject({ ...API, plural: t.plural, name: t.name })
      : this.objects.getNamespacedCustomObject({ ...API, plural: t.plural, namespace: t.namespace, name: t.name });
  }

  /** One write: its revision, or the conflict. */
  private async one(op: TxnOp): Promise<number | TxnConflict> {
    const t = keyTarget(op.key);
    const expected = op.op === 'update' ? this.actualRevision(op.key, op.revision) : undefined;
    try {
      if (t?.type === 'lease' && (op.op === 'create' || op.op === 'update')) {
        const lease = op.lease ? this.leases.get(op.lease) : undefined;
        const body = {
          apiVersion: `${GROUP}/${VERSION}`,
          kind: 'Lease',
          metadata: { name: t.node, ...(expected ? { resourceVersion: String(expected) } : {}) },
          spec: { holderIdentity: op.value, leaseDurationSeconds: lease?.ttlSeconds ?? 10 },
        };
        const got = (await this.objects.replaceClusterCustomObject({ ...API, plural: 'leases', name: t.node, body })) as Resource;
        lease?.bind(t.node, op.value);
        return Number(got.metadata.resourceVersion);
      }
      if (t?.type === 'object' && op.op === 'create' && CREATED_ALONE.has(t.kind)) {
        // the server makes uid, generation and timestamps again: only name, labels, annotations and spec count
        const got = (await this.objects.createClusterCustomObject({ ...API, plural: t.plural, body: JSON.parse(op.value) })) as Resource;
        return Number(got.metadata.resourceVersion);
      }
      if (t?.type === 'object' && op.op === 'delete' && DELETED_ALONE.has(t.kind)) {
        const body = op.revision ? { preconditions: { resourceVersion: String(this.actualRevision(op.key, op.revision)) } } : undefined;
        const got = (await this.objects.deleteClusterCustomObject({ ...API, plural: t.plural, name: t.name, ...(body ? { body } : {}) })) as Resource;
        return Number(got.metadata?.resourceVersion ?? 0);
      }
      if (t?.type === 'object' && t.kind === 'Node' && op.op === 'create') {
        const got = (await this.objects.createClusterCustomObject({ ...API, plural: 'nodes', body: JSON.parse(op.value) })) as Resource;
        return Number(got.metadata.resourceVersion);
      }
      if (t?.type === 'object' && op.op === 'update' && (t.kind === 'Service' || t.kind === 'GitSource' || (t.kind === 'Node' && this.nodeWrites === 'spec'))) {
        // spec, labels and annotations (the server keeps status): stackctl's scale, node update
        const body = JSON.parse(op.value) as Resource;
        body.metadata.resourceVersion = String(expected);
        const got = (
          t.namespace === undefined
            ? await this.objects.replaceClusterCustomObject({ ...API, plural: t.plural, name: t.name, body })
            : await this.objects.replaceNamespacedCustomObject({ ...API, plural: t.plural, namespace: t.namespace, name: t.name, body })
        ) as Resource;
        return Number(got.metadata.resourceVersion);
      }
      if (t?.type === 'object' && (t.kind === 'Node' || t.kind === 'Task') && op.op === 'update') {
        // the status subresource: an agent writes status only (a Node's spec is the admins')
        const body = JSON.parse(op.value) as Resource;
        body.metadata.resourceVersion = String(expected);
        const got = (
          t.namespace === undefined
            ? await this.objects.replaceClusterCustomObjectStatus({ ...API, plural: t.plural, name: t.name, body })
            : await this.objects.replaceNamespacedCustomObjectStatus({ ...API, plural: t.plural, namespace: t.namespace, name: t.name, body })
        ) as Resource;
        return Number(got.metadata.resourceVersion);
      }
    } catch (err) {
      const c = code(err);
      if (c === 409 || (c === 404 && op.op !== 'create')) return { key: op.key, reason: op.op === 'create' ? 'exists' : 'revision' };
      throw apiError(`${op.op} ${op.key}`, err);
    }
    throw unmapped(op.op, op.key);
  }

  /** DELETE of the stack: the server removes it and all it owns in one transaction, as stackctl rm does. */
  private async removeStack(name: string): Promise<TxnResult> {
    try {
      await this.objects.deleteClusterCustomObject({ ...API, plural: 'stacks', name });
      return { succeeded: true, revision: 0, conflicts: [] };
    } catch (err) {
      if (code(err) === 404 || code(err) === 409) return { succeeded: false, revision: 0, conflicts: [{ key: objectKey('Stack', '', name), reason: 'revision' }] };
      throw apiError(`remove stack ${name}`, err);
    }
  }

  /** The writes `one` knows how to make. */
  private served(op: TxnOp): boolean {
    const t = keyTarget(op.key);
    if (t?.type === 'lease') return op.op === 'create' || op.op === 'update';
    if (t?.type !== 'object') return false;
    if (t.kind === 'Node' && op.op === 'create') return true;
    // only cluster networks are made and removed alone (a stack's go with its stack)
    if (t.kind === 'Network' && t.namespace !== '') return false;
    if (op.op === 'create') return CREATED_ALONE.has(t.kind);
    if (op.op === 'delete') return DELETED_ALONE.has(t.kind);
    return op.op === 'update' && ['Service', 'GitSource', 'Node', 'Task'].includes(t.kind);
  }

  private actualRevision(key: string, revision: number): number {
    const r = this.revisions.get(key);
    return r && r.reported === revision ? r.actual : revision;
  }
}
