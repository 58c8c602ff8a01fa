// The normalized stack as a stack file again (what `stackctl config` prints): loading it gives the
// same stack. Variables were already replaced, so every `$` left in a value is written `$$`.
import type { ResourcesSpec, ServiceSpec, StackSpec } from './types.js';
import { setOwn } from './safe.js';

export function toStackFile(stack: StackSpec): Record<string, unknown> {
  const { extensions, ...rest } = stack;
  // the spec's key order (name, services, networks, ...), x-* keys last
  const out: Record<string, unknown> = { ...rest, services: mapValues(stack.services, service) };
  if (stack.networks) out.networks = mapValues(stack.networks, network);
  for (const [k, v] of Object.entries(extensions ?? {})) setOwn(out, k, v);
  return escapeDollars(out) as Record<string, unknown>;
}

function service(s: ServiceSpec): Record<string, unknown> {
  const { extensions, ...rest } = s;
  const out: Record<string, unknown> = { ...rest };
  // a global service runs one task per node: the spec's replicas (0) is not written
  if (s.deploy.mode === 'global') {
    const { replicas: _r, ...deploy } = s.deploy;
    out.deploy = deploy;
  }
  // the compose-spec writes memory sizes as strings ("1073741824")
  const resources = s.deploy.resources;
  if (resources.limits.memory !== undefined || resources.reservations.memory !== undefined) {
    const deploy = (out.deploy ?? s.deploy) as ServiceSpec['deploy'];
    const sized = (r: ResourcesSpec) => (r.memory === undefined ? r : { ...r, memory: String(r.memory) });
    out.deploy = { ...deploy, resources: { limits: sized(resources.limits), reservations: sized(resources.reservations) } };
  }
  // [] = the image's own healthcheck: leave test out
  if (s.healthcheck && s.healthcheck.test.length === 0) {
    const { test: _t, ...healthcheck } = s.healthcheck;
    out.healthcheck = healthcheck;
  }
  for (const [k, v] of Object.entries(extensions ?? {})) setOwn(out, k, v);
  return out;
}

/** The spec keeps a network's one subnet flat; a stack file writes it under ipam.config. */
function network(n: NonNullable<StackSpec['networks']>[string]): Record<string, unknown> {
  const { subnet, ...rest } = n;
  return subnet === undefined ? rest : { ...rest, ipam: { config: [{ subnet }] } };
}

function mapValues<T, U>(m: Record<string, T>, f: (v: T) => U): Record<string, U> {
  const out: Record<string, U> = {};
  for (const [k, v] of Object.entries(m)) setOwn(out, k, f(v));
  return out;
}

/** `$` → `$$` in every string value (keys are never interpolated, so they stay as they are). */
function escapeDollars(v: unknown): unknown {
  if (typeof v === 'string') return v.replaceAll('$', '$$$$');
  if (Array.isArray(v)) return v.map(escapeDollars);
  if (v !== null && typeof v === 'object') return mapValues(v as Record<string, unknown>, escapeDollars);
  return v;
}
