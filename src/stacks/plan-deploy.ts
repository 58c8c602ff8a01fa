// Plan one deploy: desired objects against what the Store holds → one transaction. Pure.
import { API_VERSION, type Kind, type NewObject, type Resource } from '../api/meta.js';
import { objectKey } from '../api/keys.js';
import type { TxnOp } from '../store/store.js';
import { deleteOp, materialize, type Change, type Clock, type Materialized } from '../client/materialize.js';
import { encodeObject } from '../client/codec.js';
import type { ServiceObjectSpec, StackStatus } from '../api/objects.js';
import { specHash } from '../orchestrator/spec-hash.js';
import { nextStackRevisions } from './stack-revisions.js';

export const STACK_CHILD_KINDS: readonly Kind[] = ['Network', 'Volume', 'Config', 'Secret', 'Service'];

export interface DeployResult {
  kind: Kind;
  name: string;
  namespace: string;
  change: Change | 'deleted';
}

export interface DeployPlan {
  ops: TxnOp[];
  results: DeployResult[];
  /** the Stack's uid as the plan leaves it (a new stack's is made here) */
  stackUid: string;
}

/** The Stack's write, with a new stack revision when the services' revisions change. */
function withStackRevision(stack: Materialized, services: { name: string; spec: ServiceObjectSpec }[], existing: Resource | undefined, now: Date): Materialized {
  const hashes = Object.fromEntries(services.map((s) => [s.name, specHash(s.spec.template)]));
  const status = (stack.object.status ?? {}) as StackStatus;
  const revisions = nextStackRevisions(status.revisions, hashes, now, 'deploy');
  if (!revisions) return stack;
  const object = { ...stack.object, status: { ...status, revisions } };
  const key = objectKey('Stack', '', stack.object.metadata.name);
  const op: TxnOp = existing
    ? { op: 'update', key, value: encodeObject(object), revision: Number(existing.metadata.resourceVersion) }
    : { op: 'create', key, value: encodeObject(object) };
  return { ...stack, object, op };
}

/**
 * @param desired  Stack first, then its children (see desiredStackObjects)
 * @param existing the Stack (if any) and every child object in the stack's namespace
 * @param prune    delete children that are no longer in the stack file (Swarm's --prune)
 */
export function planDeploy(desired: NewObject[], existing: Resource[], prune: boolean, clock: Clock): DeployPlan {
  const byKey = new Map(existing.map((o) => [objectKey(o.kind, o.metadata.namespace, o.metadata.name), o]));
  const [stackWish, ...children] = desired;
  const stack = materialize(stackWish, byKey.get(objectKey('Stack', '', stackWish.metadata.name)), clock);
  const owner = {
    apiVersion: API_VERSION,
    kind: 'Stack' as const,
    name: stack.object.metadata.name,
    uid: stack.object.metadata.uid,
    controller: true,
  };
  const ops: TxnOp[] = [];
  const results: DeployResult[] = [];
  const record = (obj: Resource, change: DeployResult['change']) =>
    results.push({ kind: obj.kind, name: obj.metadata.name, namespace: obj.metadata.namespace, change });

  record(stack.object, stack.change);

  const wanted = new Set<string>();
  for (const wish of children) {
    const key = objectKey(wish.kind, wish.metadata.namespace, wish.metadata.name);
    wanted.add(key);
    const m = materialize({ ...wish, metadata: { ...wish.metadata, ownerReferences: [owner] } }, byKey.get(key), clock);
    if (m.op) ops.push(m.op);
    record(m.object, m.change);
  }
  if (prune) {
    for (const [key, obj] of byKey) {
      if (obj.kind === 'Stack' || !STACK_CHILD_KINDS.includes(obj.kind) || wanted.has(key)) continue;
      // config and secret versions may still be mounted by tasks: the manager deletes unused ones
      if (obj.kind === 'Config' || obj.kind === 'Secret') continue;
      ops.push(deleteOp(obj));
      record(obj, 'deleted');
    }
  }
  // the services as this deploy leaves them: the file's, and without --prune the others kept
  const after = [
    ...children.filter((c) => c.kind === 'Service').map((c) => ({ name: c.metadata.name, spec: c.spec as ServiceObjectSpec })),
    ...(prune ? [] : existing.filter((o) => o.kind === 'Service' && !wanted.has(objectKey('Service', o.metadata.namespace, o.metadata.name)))).map((o) => ({
      name: o.metadata.name,
      spec: o.spec as ServiceObjectSpec,
    })),
  ];
  const revised = withStackRevision(stack, after, byKey.get(objectKey('Stack', '', stackWish.metadata.name)), clock.now());
  return { ops: revised.op ? [revised.op, ...ops] : ops, results, stackUid: stack.object.metadata.uid };
}
