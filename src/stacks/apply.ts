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
    if (plan.ops.length === 0) return { results: plan.results, revision: 0 };
    const res = await store.txn(plan.ops);
    if (res.succeeded) return { results: plan.results, revision: res.revision };
    if (attempt >= MAX_ATTEMPTS) {
      throw new Error(`stack ${name} is being changed by another writer (${res.conflicts.map((c) => c.key).join(', ')}); try again`);
    }
  }
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
