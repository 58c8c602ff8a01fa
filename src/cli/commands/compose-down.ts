// `stackctl down`: stop the project (reverse depends_on order), remove the stack, wait until the
// engines hold none of its containers and networks; volumes and images on request.
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Service } from '../../api/objects.js';
import { listObjects } from '../../client/objects.js';
import { ensureLocalDaemon } from '../../compose/local-daemon.js';
import { imageForService } from '../../compose/build.js';
import { listProjectContainers } from '../../compose/containers.js';
import type { Project } from '../../compose/project.js';
import type { DockerRuntime } from '../../runtime/docker.js';
import { removeStackVolumes } from '../../runtime/stack-volumes.js';
import { LABEL } from '../../runtime/labels.js';
import { ensureClusterId } from '../../store/cluster-id.js';
import { removeStack } from '../../stacks/apply.js';
import { CommandError } from '../../errors.js';
import { projectEngines, projectOptions, timeoutOption, withProject } from './compose-common.js';
import { stopProject } from './compose-run-state.js';

const GONE_WAIT_MS = 2 * 60_000;

interface DownFlags {
  volumes?: boolean;
  rmi?: 'local' | 'all';
  removeOrphans?: boolean;
  timeout?: number;
}

/** Until no container and no network of the stack that this store's nodes made is left on the
 *  engines (this cluster's, or from before cluster ids: not another cluster's on a shared engine). */
async function awaitGone(runtimes: DockerRuntime[], nodes: Set<string>, stack: string, cluster: string): Promise<void> {
  const deadline = Date.now() + GONE_WAIT_MS;
  for (;;) {
    const [containers, resources] = await Promise.all([
      listProjectContainers(runtimes, stack, { all: true, nodes, cluster }),
      Promise.all(runtimes.map((r) => r.listManagedResources(stack))),
    ]);
    const networks = resources.flatMap((r) => r.networks).filter((n) => nodes.has(n.labels[LABEL.node]) && n.labels[LABEL.cluster] === cluster);
    if (containers.length === 0 && networks.length === 0) return;
    if (Date.now() > deadline) {
      const left = [...containers.map((c) => `container ${c.name}`), ...networks.map((n) => `network ${n.name}`)];
      throw new CommandError(`down ${stack}: still on the engine after ${GONE_WAIT_MS / 1000}s: ${left.join(', ')}; is stackd running? (see \`stackctl node ls\`)`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** `--rmi local`: the images built for services that name none; `all`: every image the services use. */
export function imagesToRemove(project: Project, services: Service[], rmi: 'local' | 'all'): string[] {
  const images = new Set<string>();
  const fromFile = project.loaded.stack.services;
  for (const [name, svc] of Object.entries(fromFile)) {
    // (a project read back from the Store has the built image's name filled in)
    const built = svc.build && (!svc.image || svc.image === imageForService(project.name, name, {}));
    if (rmi === 'all' || built) images.add(imageForService(project.name, name, svc));
  }
  if (rmi === 'all') for (const s of services) if (s.spec.template.image) images.add(s.spec.template.image);
  return [...images].sort();
}

async function removeImages(runtimes: DockerRuntime[], images: string[]): Promise<void> {
  for (const image of images) {
    const removed = await Promise.all(
      runtimes.map((r) =>
        r.removeImage(image).catch((err: Error) => {
          process.stderr.write(`warning: ${err.message}\n`);
          return false;
        }),
      ),
    );
    if (removed.some(Boolean)) process.stderr.write(` ✔ Image ${image}  Removed\n`);
  }
}

export function registerDown(program: Command): void {
  projectOptions(program.command('down'))
    .description("Stop and remove the project's containers and networks (Compose); volumes with --volumes")
    .option('-v, --volumes', 'remove the named volumes declared in the files (external ones never)')
    .addOption(new Option('--rmi <which>', 'remove images: local (built for services without an image: name) or all').choices(['local', 'all']))
    .option('--remove-orphans', 'accepted for Compose compatibility: every service of the project goes, orphans too')
    .addOption(timeoutOption())
    .action(async (opts: DownFlags, cmd: Command) => {
      await withProject(cmd, [], async (project, store) => {
        await ensureLocalDaemon(store, { storeFlag: cmd.optsWithGlobals<{ store?: string }>().store, say: (l) => process.stderr.write(`${l}\n`) });
        const engines = await projectEngines(store);
        const runtimes = engines.map((e) => e.runtime);
        const nodes = new Set(engines.flatMap((e) => e.nodes));
        const { items: services } = await listObjects<Service>(store, 'Service', project.name);
        const cluster = await ensureClusterId(store);
        const containers = await listProjectContainers(runtimes, project.name, { all: true, nodes, cluster });
        if (services.length > 0) await stopProject(store, project, [], opts.timeout);
        const removed = await removeStack(store, project.name);
        if (removed) {
          await awaitGone(runtimes, nodes, project.name, cluster);
          for (const c of containers) process.stderr.write(` ✔ Container ${c.service}-${c.index}  Removed\n`);
          for (const n of removed.filter((o) => o.kind === 'Network'))
            process.stderr.write(` ✔ Network ${(n.spec as { name?: string }).name ?? n.metadata.name}  Removed\n`);
        }
        if (opts.volumes) {
          for (const r of runtimes) for (const v of await removeStackVolumes(r, project.name, cluster)) process.stderr.write(` ✔ Volume ${v}  Removed\n`);
        }
        if (opts.rmi) await removeImages(runtimes, imagesToRemove(project, services, opts.rmi));
      });
    });
}
