// `stackctl build` and `stackctl pull`, and `up`'s build of missing images. Images are built on
// every engine the nodes use (an agent never builds: it runs what its engine has).
import type { Command } from 'commander';
import { BuildPlanError, buildServices, imageForService } from '../../compose/build.js';
import type { Project } from '../../compose/project.js';
import { BuildContextError } from '../../runtime/docker-build.js';
import type { Store } from '../../store/store.js';
import { CommandError, InputError } from '../../errors.js';
import { projectEngines, projectOptions, targetServices, withProject } from './compose-common.js';

async function build(store: Store, project: Project, services: string[], opts: { noCache?: boolean; pull?: boolean }): Promise<void> {
  if (services.length === 0) return;
  try {
    for (const { runtime } of await projectEngines(store)) {
      const built = await buildServices(runtime, project.loaded.stack, project.dir, services, { ...opts, out: process.stderr });
      for (const [service, tag] of Object.entries(built)) process.stderr.write(` ✔ Service ${service}  Built (${tag})\n`);
    }
  } catch (err) {
    if (err instanceof BuildPlanError || err instanceof BuildContextError) throw new InputError([err.message]);
    throw new CommandError((err as Error).message);
  }
}

/** `up`: build the services with `build:` whose image an engine lacks (all of them with --build). */
export async function buildMissing(store: Store, project: Project, targets: string[], opts: { always: boolean }): Promise<void> {
  const spec = project.loaded.stack;
  const buildable = targets.filter((s) => spec.services[s].build);
  if (buildable.length === 0) return;
  const engines = await projectEngines(store);
  const missing: string[] = [];
  for (const s of buildable) {
    const image = imageForService(project.name, s, spec.services[s]);
    if (opts.always || (await Promise.all(engines.map((e) => e.runtime.imageExists(image)))).some((has) => !has)) missing.push(s);
  }
  await build(store, project, missing, {});
}

export function registerBuildPull(program: Command): void {
  projectOptions(program.command('build'))
    .description("Build the images of the project's services that have build: (Compose)")
    .option('--no-cache', 'do not use the build cache')
    .option('--pull', 'pull newer base images')
    .argument('[service...]', 'only these services')
    .action(async (named: string[], opts: { cache: boolean; pull?: boolean }, cmd: Command) => {
      await withProject(
        cmd,
        named,
        async (project, store) => {
          const services = targetServices(project, named).filter((s) => project.loaded.stack.services[s].build);
          if (services.length === 0)
            process.stderr.write(`nothing to build: no service of ${project.name}${named.length ? ` among ${named.join(', ')}` : ''} has build:\n`);
          await build(store, project, services, { noCache: !opts.cache, pull: opts.pull });
        },
        { needsFiles: true },
      );
    });

  projectOptions(program.command('pull'))
    .description("Pull the images of the project's services (Compose)")
    .option('--ignore-pull-failures', 'pull what can be pulled and report the rest')
    .argument('[service...]', 'only these services')
    .action(async (named: string[], opts: { ignorePullFailures?: boolean }, cmd: Command) => {
      await withProject(cmd, named, async (project, store) => {
        const spec = project.loaded.stack;
        // services that only build have nothing to pull, as with Compose
        const images = [...new Set(targetServices(project, named).flatMap((s) => (spec.services[s].image ? [spec.services[s].image!] : [])))].sort();
        const failures: string[] = [];
        for (const { runtime } of await projectEngines(store)) {
          for (const image of images) {
            try {
              await runtime.pullImage(image);
              process.stderr.write(` ✔ ${image}  Pulled\n`);
            } catch (err) {
              failures.push((err as Error).message);
              process.stderr.write(` ✘ ${image}  ${(err as Error).message}\n`);
            }
          }
        }
        if (failures.length && !opts.ignorePullFailures)
          throw new CommandError(`${failures.length} image(s) could not be pulled; use --ignore-pull-failures to go on without them`);
      });
    });
}
