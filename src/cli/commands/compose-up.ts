// `stackctl up`: build what is missing, deploy the project as a stack, wait for its containers, and
// in the foreground stream their logs until Ctrl+C stops the project.
import type { Command } from 'commander';
import type { Service } from '../../api/objects.js';
import { listObjects } from '../../client/objects.js';
import { deleteOp } from '../../client/materialize.js';
import { onlyServices, withDependencies, type Project } from '../../compose/project.js';
import { ensureLocalDaemon } from '../../compose/local-daemon.js';
import { containerLinePrinter, waitForUp } from '../../compose/wait-up.js';
import { LogMux, wantColor } from '../../compose/log-mux.js';
import { followProjectLogs } from '../../compose/follow.js';
import { listProjectContainers } from '../../compose/containers.js';
import { awaitStopped, setServicesStopped } from '../../compose/stop-start.js';
import { deployStack } from '../../stacks/apply.js';
import type { Store } from '../../store/store.js';
import { CommandError, InputError } from '../errors.js';
import { currentTaskIds, projectOptions, projectScope, withProject } from './compose-common.js';
import { buildMissing } from './compose-build.js';
import { withBuildImages } from '../../compose/build.js';

interface UpFlags {
  detach?: boolean;
  build?: boolean;
  wait?: boolean;
  waitTimeout: string;
  removeOrphans?: boolean;
}

function seconds(flag: string, v: string): number {
  if (!/^\d+$/.test(v)) throw new InputError([`${flag}: expected whole seconds, got "${v}"`]);
  return Number(v);
}

/** Services in the Store that the files no longer have: kept with a warning (Compose's way), or removed. */
async function handleOrphans(store: Store, project: Project, remove: boolean): Promise<void> {
  const { items } = await listObjects<Service>(store, 'Service', project.name);
  const orphans = items.filter((s) => !project.loaded.stack.services[s.metadata.name]);
  if (orphans.length === 0) return;
  const names = orphans.map((s) => s.metadata.name).sort();
  if (!remove) {
    process.stderr.write(`WARN[0000] Found orphan containers ([${names.join(', ')}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.\n`);
    return;
  }
  const res = await store.txn(orphans.map((s) => deleteOp(s)));
  if (!res.succeeded) throw new CommandError(`project ${project.name} changed while removing orphans; try again`);
  for (const name of names) process.stderr.write(` ✔ Service ${name}  Removed (orphan)\n`);
}

/** Foreground: logs until Ctrl+C; the first stops the project gracefully, a second kills at once. */
async function attach(store: Store, project: Project, targets: string[]): Promise<never> {
  const { runtimes: engines, nodes } = await projectScope(store);
  const mux = new LogMux(process.stdout, { follow: true, timestamps: false, color: wantColor(process.stdout), services: Object.keys(project.loaded.stack.services).sort() });
  const current = await currentTaskIds(store, project.name);
  const running = await listProjectContainers(engines, project.name, { services: targets, nodes, all: true, tasks: current });
  process.stdout.write(`Attaching to ${running.map((c) => `${c.service}-${c.index}`).join(', ')}\n`);
  const stop = new AbortController();
  const interrupted = new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  const following = followProjectLogs(engines, nodes, project.name, targets, mux, stop.signal, current);
  await interrupted;
  process.stderr.write('Gracefully stopping... (press Ctrl+C again to force)\n');
  const graceful = (async () => {
    await setServicesStopped(store, project.name, targets, true);
    await awaitStopped(store, project.name, targets, 120_000);
    return 'stopped' as const;
  })();
  const again = new Promise<'force'>((resolve) => process.once('SIGINT', () => resolve('force')));
  const how = await Promise.race([graceful, again]);
  stop.abort();
  await following;
  if (how === 'force') {
    const live = await listProjectContainers(engines, project.name, { services: targets, nodes });
    await Promise.allSettled(live.map((c) => c.runtime.docker.getContainer(c.id).kill()));
    // the Store is told too, so the agent does not start them again
    await setServicesStopped(store, project.name, targets, true).catch(() => undefined);
    process.stderr.write(`Killed ${live.length} container(s)\n`);
    // at once, as Compose does: the graceful stop's wait (and its timer) is abandoned
    process.exit(130);
  } else {
    process.stderr.write(` ✔ Project ${project.name}  Stopped\n`);
  }
  throw new CommandError('', 130);
}

export function registerUp(program: Command): void {
  projectOptions(program.command('up'))
    .description('Create and start the project\'s containers (Compose)')
    .option('-d, --detach', 'return once the containers are started, without streaming their logs')
    .option('--build', 'build images before starting, even when they exist')
    .option('--no-build', 'do not build missing images')
    .option('--wait', 'wait until every service is running and healthy (one-shot jobs completed)')
    .option('--wait-timeout <seconds>', 'how long to wait for the containers (with or without --wait)', '300')
    .option('--remove-orphans', 'remove services of the project that are no longer in the files')
    .argument('[service...]', 'only these services (and their dependencies)')
    .action(async (named: string[], opts: UpFlags, cmd: Command) => {
      const timeoutMs = seconds('--wait-timeout', opts.waitTimeout) * 1000;
      await withProject(cmd, named, async (project, store) => {
        const spec = project.loaded.stack;
        const targets = named.length ? withDependencies(spec.services, named) : project.enabled;
        await ensureLocalDaemon(store, { storeFlag: cmd.optsWithGlobals<{ store?: string }>().store, say: (l) => process.stderr.write(`${l}\n`) });
        if (opts.build !== false) await buildMissing(store, project, targets, { always: opts.build === true });
        await handleOrphans(store, project, opts.removeOrphans === true);
        await deployStack(store, project.name, { ...project.loaded, stack: withBuildImages(onlyServices(spec, targets)) });
        const print = containerLinePrinter(process.stderr);
        const out = await waitForUp(store, project.name, targets, opts.wait ? 'healthy' : 'started', timeoutMs, print);
        if (out.progress?.errors.length) throw new CommandError(`up ${project.name} failed: ${out.progress.errors.join('; ')}`);
        if (out.timedOut) {
          const late = (out.progress?.containers ?? []).filter((c) => !['Started', 'Healthy', 'Exited'].includes(c.state)).map((c) => `${c.name} ${c.state}`);
          throw new CommandError(`project ${project.name} was not ${opts.wait ? 'healthy' : 'started'} within ${timeoutMs / 1000}s${late.length ? `: ${late.join(', ')}` : ''}; see \`stackctl compose ps -a\` and \`stackctl logs\``);
        }
        if (!opts.detach && !opts.wait) await attach(store, project, targets);
      }, { needsFiles: true });
    });
}
