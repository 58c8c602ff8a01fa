// Cross-references a schema cannot see: depends_on targets and cycles, services without an image,
// ports published twice, and networks, volumes, configs and secrets used but not defined.
// Runs on whatever parsed, so these problems are reported together with the schema's.
import type { Issue } from './errors.js';
import type { ParsedService } from './schema-service.js';
import type { ParsedParts } from './schema.js';

type Top = NonNullable<ParsedParts['top']>;

export function checkStack(parts: ParsedParts): Issue[] {
  const issues: Issue[] = [];
  for (const [name, raw] of Object.entries(parts.rawServices)) {
    const written = raw !== null && typeof raw === 'object' ? raw : {};
    if (!Object.hasOwn(written, 'image') && !Object.hasOwn(written, 'build')) {
      issues.push({ path: ['services', name], onKey: true, message: 'a service needs an image or a build' });
    }
  }
  for (const [name, svc] of parsedServices(parts)) {
    const at = ['services', name];
    for (const dep of Object.keys(svc.depends_on ?? {})) {
      if (!has(parts.rawServices, dep)) {
        issues.push({ path: [...at, 'depends_on', dep], onKey: true, message: `unknown service "${dep}"` });
      }
    }
    if (parts.top) issues.push(...checkReferences(parts.top, name, svc));
    if (svc.network_mode !== undefined && svc.networks !== undefined) {
      issues.push({ path: [...at, 'network_mode'], onKey: true, message: 'network_mode cannot be used with networks' });
    }
    issues.push(...checkServiceResources(name, svc));
    if (svc.deploy?.mode === 'global' && svc.deploy.replicas !== undefined) {
      issues.push({ path: [...at, 'deploy', 'replicas'], onKey: true, message: 'replicas cannot be set for a global service' });
    }
  }
  issues.push(...checkCycles(parts), ...checkPorts(parts));
  if (parts.top) issues.push(...checkFileObjects(parts.top));
  return issues;
}

/** `mem_limit: 1g` beside `deploy.resources.limits.memory: 2g`: which one was meant? */
function checkServiceResources(name: string, svc: ParsedService): Issue[] {
  const r = svc.deploy?.resources;
  const pairs: [keyof ParsedService, unknown, unknown, string][] = [
    ['cpus', svc.cpus, r?.limits?.cpus, 'deploy.resources.limits.cpus'],
    ['mem_limit', svc.mem_limit, r?.limits?.memory, 'deploy.resources.limits.memory'],
    ['mem_reservation', svc.mem_reservation, r?.reservations?.memory, 'deploy.resources.reservations.memory'],
    ['pids_limit', svc.pids_limit, r?.limits?.pids, 'deploy.resources.limits.pids'],
    ['scale', svc.scale, svc.deploy?.replicas, 'deploy.replicas'],
  ];
  return pairs
    .filter(([, a, b]) => a !== undefined && b !== undefined && a !== b)
    .map(([key, , , other]) => ({ path: ['services', name, key], onKey: true, message: `conflicts with ${other}` }));
}

function parsedServices(parts: ParsedParts): [string, ParsedService][] {
  return Object.entries(parts.services).filter((e): e is [string, ParsedService] => e[1] !== undefined);
}

function checkReferences(top: Top, name: string, svc: ParsedService): Issue[] {
  const at = ['services', name];
  const issues: Issue[] = [];
  const undefinedRef = (kind: string, ref: string) => `${kind} "${ref}" is not defined in the top-level ${kind}s`;
  svc.volumes?.forEach((m, i) => {
    if (m.type === 'volume' && m.source !== undefined && !has(top.volumes, m.source)) {
      issues.push({ path: [...at, 'volumes', i], message: undefinedRef('volume', m.source) });
    }
  });
  for (const net of Object.keys(svc.networks ?? {})) {
    if (net !== 'default' && !has(top.networks, net)) {
      issues.push({ path: [...at, 'networks', net], onKey: true, message: undefinedRef('network', net) });
    }
  }
  for (const kind of ['config', 'secret'] as const) {
    const defined = kind === 'config' ? top.configs : top.secrets;
    svc[`${kind}s`]?.forEach((ref, i) => {
      if (!has(defined, ref.source)) issues.push({ path: [...at, `${kind}s`, i], message: undefinedRef(kind, ref.source) });
    });
  }
  return issues;
}

/** Every cycle once, named from the first service of the file that is part of it: `a -> b -> a`. */
function checkCycles(parts: ParsedParts): Issue[] {
  const issues: Issue[] = [];
  const done = new Set<string>();
  const visit = (name: string, trail: string[]): void => {
    const at = trail.indexOf(name);
    if (at >= 0) {
      const cycle = [...trail.slice(at), name];
      issues.push({
        path: ['services', cycle[0], 'depends_on', cycle[1]],
        onKey: true,
        message: `dependency cycle: ${cycle.join(' -> ')}`,
      });
      return;
    }
    const svc = has(parts.services, name) ? parts.services[name] : undefined;
    if (done.has(name) || !svc) return;
    for (const dep of Object.keys(svc.depends_on ?? {})) visit(dep, [...trail, name]);
    done.add(name);
  };
  for (const name of Object.keys(parts.services)) visit(name, []);
  return issues;
}

/** A published port/protocol belongs to one service (ingress or host mode alike). */
function checkPorts(parts: ParsedParts): Issue[] {
  const issues: Issue[] = [];
  const owners = new Map<string, string>();
  for (const [name, svc] of parsedServices(parts)) {
    svc.ports?.forEach((specs, i) => {
      for (const p of specs) {
        if (p.published === undefined) continue;
        const key = `${p.published}/${p.protocol}`;
        const owner = owners.get(key);
        if (owner === undefined) owners.set(key, name);
        else {
          const who = owner === name ? 'this service' : `service "${owner}"`;
          issues.push({ path: ['services', name, 'ports', i], message: `port ${key} is already published by ${who}` });
        }
      }
    });
  }
  return issues;
}

function checkFileObjects(top: Top): Issue[] {
  const issues: Issue[] = [];
  for (const kind of ['configs', 'secrets'] as const) {
    for (const [key, obj] of Object.entries(top[kind] ?? {})) {
      const external = obj?.external?.external ?? false;
      if (!external && obj?.file === undefined) {
        issues.push({ path: [kind, key], onKey: true, message: 'needs file: or external: true' });
      } else if (external && obj?.file !== undefined) {
        issues.push({ path: [kind, key, 'file'], onKey: true, message: 'an external object has no file' });
      }
    }
  }
  return issues;
}

function has(m: Record<string, unknown> | null | undefined, key: string): boolean {
  return m != null && Object.hasOwn(m, key);
}
