// Deploy and remove stacks: read what is stored, plan, write it all in one transaction.
// A concurrent writer makes the compare-and-swap fail; then read and plan again.
import type { Resource } from '../api/meta.js';
import type { Store } from '../store/store.js';
import { getObject, listObjects } from '../client/objects.js';
import { deleteOp } from '../client/materialize.js';
import { systemClock } from '../client/clock.js';
import type { Clock } from '../client/materialize.js';
import { deleteTaskOps } from '../tasks/writes.js';
import type { Service, Task } from '../api/objects.js';
import { InputError } from '../errors.js';
import { portConflicts } from './port-owners.js';
import { claimKeys, decodeClaim, planPortClaims } from './port-claims.js';
import type { NewObject } from '../api/meta.js';
import type { Stack } from '../api/objects.js';
import type { PortSpec } from '../stackfile/types.js';
import { desiredStackObjects, type StackInput } from './desired.js';
import { planDeploy, STACK_CHILD_KINDS, type DeployResult } from './plan-deploy.js';

const MAX_ATTEMPTS = 5;

/** The Stack (if any) and every object in its namespace, of the kinds a deploy writes. */
export async function readStackObjects(store: Store, name: string, kinds = STACK_CHILD_KINDS): Promise<Resource[]> {
  const [stack, ...lists] = await Promise.all([getObject(store, 'Stack', '', name), ...kinds.map((kind) => listObjects(store, kind, name))]);
  return [...(stack ? [stack as Resource] : []), ...lists.flatMap((l) => (l as { items: Resource[] }).items)];
}

export interface DeployOutcome {
  results: DeployResult[];
  /** the Store revision after the write (or when nothing changed, of the read) */
  revision: number;
}

export async function deployStack(
  store: Store,
  name: string,
  input: StackInput,
  opts: { prune?: boolean; clock?: Clock /** on the Stack object (e.g. the GitSource that owns it) */; labels?: Record<string, string> } = {},
): Promise<DeployOutcome> {
  const desired = desiredStackObjects(name, input);
  if (opts.labels) desired[0] = { ...desired[0], metadata: { ...desired[0].metadata, labels: opts.labels } };
  // a port another stack owns: refused before anything is written (exit 2 at stackctl deploy)
  const conflicts = portConflicts(name, desired, (await listObjects<Service>(store, 'Service')).items);
  if (conflicts.length) throw new InputError(conflicts);
  for (let attempt = 1; ; attempt++) {
    const existing = await readStackObjects(store, name);
    const plan = planDeploy(desired, existing, opts.prune ?? false, opts.clock ?? systemClock);
    const claims = await claimOps(store, name, plan.stackUid, desired, existing, opts.prune ?? false);
    const ops = [...plan.ops, ...claims];
    if (ops.length === 0) return { results: plan.results, revision: 0 };
    const res = await store.txn(ops);
    if (res.succeeded) return { results: plan.results, revision: res.revision };
    if (attempt >= MAX_ATTEMPTS) {
      throw new Error(`stack ${name} is being changed by another writer (${res.conflicts.map((c) => c.key).join(', ')}); try again`);
    }
  }
}

const portsOf = (o: NewObject | Resource) => ({ name: o.metadata.name, ports: (o.spec as Service['spec']).template.ports as PortSpec[] });

/** The port claims (port-claims.ts) of the stack's services as the deploy leaves them, each a
 *  compare-and-swap on the claim as read now; refused (InputError) when another stack owns one. */
async function claimOps(store: Store, name: string, uid: string, desired: NewObject[], existing: Resource[], prune: boolean) {
  const wanted = desired.filter((o) => o.kind === 'Service');
  const before = existing.filter((o) => o.kind === 'Service');
  const kept = prune ? [] : before.filter((o) => !wanted.some((w) => w.metadata.name === o.metadata.name));
  const services = [...wanted, ...kept].map(portsOf);
  const keys = [...new Set([...claimKeys(services), ...claimKeys(before.map(portsOf))])];
  if (keys.length === 0) return [];
  const claims = new Map(await Promise.all(keys.map(async (k) => [k, await store.get(k)] as const)));
  const owners = [...new Set([...claims.values()].flatMap((kv) => decodeClaim(kv).map((o) => o.stack)))].filter((s) => s !== name);
  const stacks = await Promise.all(owners.map((s) => getObject<Stack>(store, 'Stack', '', s)));
  const live = new Map(stacks.filter((s): s is Stack => s !== undefined).map((s) => [s.metadata.name, s.metadata.uid]));
  const plan = planPortClaims({ name, uid }, services, claims, live);
  if (plan.conflicts.length) throw new InputError(plan.conflicts);
  return plan.ops;
}

/** Delete a stack and everything in its namespace (tasks included) in one transaction. */
export async function removeStack(store: Store, name: string): Promise<Resource[] | undefined> {
  for (let attempt = 1; ; attempt++) {
    const stack = await getObject(store, 'Stack', '', name);
    if (!stack) return undefined;
    const owned = await readStackObjects(store, name, [...STACK_CHILD_KINDS, 'Task']);
    // tasks take their node assignments with them; agents then remove the containers
    const res = await store.txn(owned.flatMap((o) => (o.kind === 'Task' ? deleteTaskOps(o as Task) : [deleteOp(o)])));
    if (res.succeeded) return owned;
    if (attempt >= MAX_ATTEMPTS) throw new Error(`stack ${name} is being changed by another writer; try again`);
  }
}
