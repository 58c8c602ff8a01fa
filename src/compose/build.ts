// `stackctl build` and `up --build`: build the project's images on the local engine, one service
// after another (the machine's cores go to one builder at a time), printing each step.
import { buildImage } from '../runtime/docker-build.js';
import type { DockerRuntime } from '../runtime/docker.js';
import type { StackSpec } from '../stackfile/types.js';
import { planBuilds, progressLine } from './build-plan.js';

export { BuildPlanError, imageForService, planBuilds, withBuildImages } from './build-plan.js';

export interface BuildServicesOptions {
  noCache?: boolean;
  /** pull newer FROM images (fails here: no registry can be reached) */
  pull?: boolean;
  /** where the progress lines go ("[web] Step 2/4 : RUN make") */
  out: NodeJS.WritableStream;
}

/**
 * Builds the services with `build:` among `services` (all when undefined) and tags each as
 * imageForService says. Resolves with service → tag; rejects with the first failure's one line
 * ("build accounts_web (./web): Step 3/4 : RUN false: returned a non-zero code: 1").
 */
export async function buildServices(
  runtime: DockerRuntime,
  stack: StackSpec,
  projectDir: string,
  services: string[] | undefined,
  opts: BuildServicesOptions,
): Promise<Record<string, string>> {
  const built: Record<string, string> = {};
  for (const { service, request } of planBuilds(stack, projectDir, services, opts)) {
    await buildImage(runtime, request, (e) => {
      const line = progressLine(service, e, request.tag);
      if (line !== undefined) opts.out.write(`${line}\n`);
    });
    built[service] = request.tag;
  }
  return built;
}
