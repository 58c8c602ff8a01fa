// Changing a Service (stackctl, the web console). The manager rewrites a Service's status all through a rollout,
// so a compare-and-swap may lose: read again, apply the change again, a few times.
import { objectKey } from '../api/keys.js';
import type { Service } from '../api/objects.js';
import { canonicalJson, encodeObject } from '../client/codec.js';
import type { Store } from '../store/store.js';
import { CommandError } from '../errors.js';
import { findService } from './find.js';
import { undoTarget } from '../orchestrator/revisions.js';

const ATTEMPTS = 5;

/** Applies `change` to the service named `name` (STACK_SERVICE); a spec change bumps generation. */
export async function updateService(store: Store, name: string, change: (svc: Service) => Service): Promise<Service> {
  for (let attempt = 1; ; attempt++) {
    const prev = await findService(store, name);
    const next = change(prev);
    const specChanged = canonicalJson(prev.spec) !== canonicalJson(next.spec);
    const value: Service = { ...next, metadata: { ...next.metadata, generation: prev.metadata.generation + (specChanged ? 1 : 0) } };
    const key = objectKey('Service', prev.metadata.namespace, prev.metadata.name);
    const res = await store.txn([{ op: 'update', key, value: encodeObject(value), revision: Number(prev.metadata.resourceVersion) }]);
    if (res.succeeded) return value;
    if (attempt >= ATTEMPTS) throw new CommandError(`service ${name} keeps changing under this command; try again`);
  }
}

/** `rollout undo` / `service rollback`: the service's template back to an earlier revision
 *  (the previous one, or `toRevision`). Returns the service as written and the revision number. */
export async function undoService(store: Store, name: string, toRevision?: number): Promise<{ svc: Service; revision: number }> {
  let revision = 0;
  const svc = await updateService(store, name, (prev) => {
    const undo = undoTarget(name, prev.status?.revisions ?? [], prev.spec.template, toRevision);
    if (!undo.ok) throw new CommandError(undo.error);
    revision = undo.revision.revision;
    return { ...prev, spec: { ...prev.spec, template: undo.template } };
  });
  return { svc, revision };
}
