// Which images a Compose project builds and how (pure): Compose v2's names, the build requests, and
// the progress lines `stackctl build` prints. The building itself is build.ts.
import * as path from 'node:path';
import type { BuildProgress, BuildRequest } from '../runtime/docker-build.js';
import { LABEL } from '../runtime/labels.js';
import type { ServiceSpec, StackSpec } from '../stackfile/types.js';

/** Compose v2's rule: the service's `image` when it names one, else `<project>-<service>`. */
export function imageForService(stackName: string, serviceName: string, svc: Pick<ServiceSpec, 'image'>): string {
  return svc.image || `${stackName}-${serviceName}`.toLowerCase();
}

/** The stack with every build-only service's `image` filled in, as up/deploy hand it to the agents
 *  (which never build: they need an image to run). */
export function withBuildImages(stack: StackSpec): StackSpec {
  const services = Object.fromEntries(
    Object.entries(stack.services).map(([name, svc]) => [name, svc.build && !svc.image ? { ...svc, image: imageForService(stack.name, name, svc) } : svc]),
  );
  return { ...stack, services };
}

export interface PlannedBuild {
  service: string;
  request: BuildRequest;
}

export class BuildPlanError extends Error {
  override name = 'BuildPlanError';
}

/**
 * One build per service with `build:` among `services` (all of the stack's when undefined), in
 * that order; services without `build:` are skipped, as `docker compose build` does.
 */
export function planBuilds(stack: StackSpec, projectDir: string, services: string[] | undefined, opts: { noCache?: boolean; pull?: boolean } = {}): PlannedBuild[] {
  const names = services ?? Object.keys(stack.services).sort();
  const unknown = names.filter((n) => !stack.services[n]);
  if (unknown.length) throw new BuildPlanError(`no such service: ${unknown.join(', ')}`);
  return names.flatMap((service) => {
    const svc = stack.services[service];
    if (!svc.build) return [];
    const { context, dockerfile, args, target, labels } = svc.build;
    if (/^[a-z][a-z0-9+.-]*:\/\/|^git@|^github\.com\//i.test(context)) {
      throw new BuildPlanError(`build ${stack.name}_${service}: remote build contexts (${context}) are not supported; clone it and use a folder`);
    }
    const abs = path.resolve(projectDir, context);
    const request: BuildRequest = {
      context: abs,
      tag: imageForService(stack.name, service, svc),
      name: `${stack.name}_${service} (${relativeContext(projectDir, abs)})`,
      labels: { ...labels, [LABEL.stack]: stack.name, [LABEL.service]: service },
      ...(dockerfile ? { dockerfile } : {}),
      ...(args && Object.keys(args).length ? { args } : {}),
      ...(target ? { target } : {}),
      ...(opts.noCache ? { noCache: true } : {}),
      ...(opts.pull ? { pull: true } : {}),
    };
    return [{ service, request }];
  });
}

/** How the compose file would write it: ./web, ../shared, or . */
function relativeContext(projectDir: string, context: string): string {
  const rel = path.relative(projectDir, context).split(path.sep).join('/');
  if (rel === '') return '.';
  return rel.startsWith('../') || rel === '..' || path.isAbsolute(rel) ? rel : `./${rel}`;
}

// The classic builder's own bookkeeping, which `docker compose build` does not show either.
const NOISE = [/^ ---> /, /^Removing intermediate container /, /^Successfully (built|tagged) /];

/** The line `stackctl build` prints for one progress event of `service`, or undefined to show none. */
export function progressLine(service: string, e: BuildProgress, tag: string): string | undefined {
  if (e.type === 'image') return `[${service}] built ${tag} (${e.id.replace(/^sha256:/, '').slice(0, 12)})`;
  if (e.type === 'output' && NOISE.some((re) => re.test(e.text))) return undefined;
  return `[${service}] ${e.text}`;
}
