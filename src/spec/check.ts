// Cross-references a schema cannot see: depends_on targets and cycles, services without an image,
// ports published twice, and networks, volumes, configs and secrets used but not defined.
import type { Issue } from './errors.js';
import type { ParsedService } from './schema-service.js';
import type { ParsedStack } from './schema.js';

export function checkStack(stack: ParsedStack): Issue[] {
  const issues: Issue[] = [];
  const services = Object.entries(stack.services);
  for (const [name, svc] of services) {
    const at = ['services', name];
    if (svc.image === undefined && svc.build === undefined) {
      issues.push({ path: at, onKey: true, message: 'a service needs an image or a build' });
    }
    for (const dep of Object.keys(svc.depends_on ?? {})) {
      if (!has(stack.services, dep)) issues.push({ path: [...at, 'depends_on', dep], onKey: true, message: `unknown service "${dep}"` });
    }
    issues.push(...checkReferences(stack, name, svc));
    if (svc.network_mode !== undefined && svc.networks !== undefined) {
      issues.push({ path: [...at, 'network_mode'], onKey: true, message: 'network_mode cannot be used with networks' });
    }
    if (svc.deploy?.mode === 'global' && svc.deploy.replicas !== undefined) {
      issues.push({ path: [...at, 'deploy', 'replicas'], onKey: true, message: 'replicas cannot be set for a global service' });
    }
  }
  issues.push(...checkCycles(stack), ...checkPorts(stack), ...checkFileObjects(stack));
  return issues;
}

function checkReferences(stack: ParsedStack, name: string, svc: ParsedService): Issue[] {
  const at = ['services', name];
  const issues: Issue[] = [];
  const undefinedRef = (kind: string, ref: string) => `${kind} "${ref}" is not defined in the top-level ${kind}s`;
  svc.volumes?.forEach((m, i) => {
    if (m.type === 'volume' && m.source !== undefined && !has(stack.volumes, m.source)) {
      issues.push({ path: [...at, 'volumes', i], message: undefinedRef('volume', m.source) });
    }
  });
  for (const net of Object.keys(svc.networks ?? {})) {
    if (net !== 'default' && !has(stack.networks, net)) {
      issues.push({ path: [...at, 'networks', net], onKey: true, message: undefinedRef('network', net) });
    }
  }
  for (const kind of ['config', 'secret'] as const) {
    const defined = kind === 'config' ? stack.configs : stack.secrets;
    svc[`${kind}s`]?.forEach((ref, i) => {
      if (!has(defined, ref.source)) issues.push({ path: [...at, `${kind}s`, i], message: undefinedRef(kind, ref.source) });
    });
  }
  return issues;
}

/** Every cycle once, named from the first service of the file that is part of it: `a -> b -> a`. */
function checkCycles(stack: ParsedStack): Issue[] {
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
    if (done.has(name) || !stack.services[name]) return;
    for (const dep of Object.keys(stack.services[name].depends_on ?? {})) visit(dep, [...trail, name]);
    done.add(name);
  };
  for (const name of Object.keys(stack.services)) visit(name, []);
  return issues;
}

/** A published port/protocol belongs to one service (ingress or host mode alike). */
function checkPorts(stack: ParsedStack): Issue[] {
  const issues: Issue[] = [];
  const owners = new Map<string, string>();
  for (const [name, svc] of Object.entries(stack.services)) {
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

function checkFileObjects(stack: ParsedStack): Issue[] {
  const issues: Issue[] = [];
  for (const kind of ['configs', 'secrets'] as const) {
    for (const [key, obj] of Object.entries(stack[kind] ?? {})) {
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
