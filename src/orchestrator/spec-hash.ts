// Which revision of a service a task runs: a content hash of what shapes its container.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../client/codec.js';
import type { ServiceSpec } from '../stackfile/types.js';

/**
 * The part of a template that shapes tasks. Scaling (replicas), the update and rollback configs,
 * the service's own labels (deploy.labels, not container labels) and stackd's x-stackd settings
 * change how the service is managed, not what its tasks run: leaving them out means that
 * scaling or tuning an update makes no new revision and restarts nothing.
 */
export function taskShape(template: ServiceSpec): unknown {
  const { replicas: _r, update_config: _u, rollback_config: _b, labels: _l, ...deploy } = template.deploy;
  const { 'x-stackd': _x, ...rest } = template;
  return { ...rest, deploy };
}

/** Hashes by template object: a plan asks once per slot for the same service's template (at
 *  100,000 tasks that was 50 s of the manager's 310 s, most of it canonical JSON). Templates are
 *  never changed in place (those read from the Store are frozen). */
const hashes = new WeakMap<ServiceSpec, string>();

/** sha256 of the task shape's canonical JSON (keys sorted), first 12 hex digits. Key order never matters. */
export function specHash(template: ServiceSpec): string {
  let hash = hashes.get(template);
  if (hash === undefined) {
    hash = createHash('sha256')
      .update(canonicalJson(taskShape(template)))
      .digest('hex')
      .slice(0, 12);
    hashes.set(template, hash);
  }
  return hash;
}
