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
import type { DockerRuntime } from '../../runtime/docker.js';
import { CommandError, InputError } from '../../errors.js';
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
    process.stderr.write(
      `WARN[0000] Found orphan containers ([${names.join(', ')}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.\n`,
    );
    return;
  }
  const res = await store.txn(orphans.map((s) => deleteOp(s)));
  if (!res.succeeded) throw new CommandError(`project ${project.name} changed while removing orphans; try again`);
  for (const name of names) process.stderr.write(` ✔ Service ${name}  Removed (orphan)\n`);
}

/** The first SIGINT from now on (registered early: a Ctrl+C while `up` waits stops the project too). */
function firstInterrupt(): Promise<void> {
  return new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
}

/** After a Ctrl+C: stop the project's services gracefully; a second Ctrl+C kills their containers
 *  through the engine at once, as Compose does. Always exits 130. */
async function stopOnInterrupt(store: Store, project: Project, targets: string[], scope: { runtimes: DockerRuntime[]; nodes: Set<string> }): Promise<never> {
  process.stderr.write('Gracefully stopping... (press Ctrl+C again to force)\n');
  const graceful = (async () => {
    await setServicesStopped(store, project.name, targets, true);
    await awaitStopped(store, project.name, targets, 120_000);
    return 'stopped' as const;
  })();
  const again = new Promise<'force'>((resolve) => process.once('SIGINT', () => resolve('force')));
  if ((await Promise.race([graceful, again])) === 'force') {
    const live = await listProjectContainers(scope.runtimes, project.name, { services: targets, nodes: scope.nodes });
    await Promise.allSettled(live.map((c) => c.runtime.docker.getContainer(c.id).kill()));
    // the Store is told too, so the agent does not start them again
    await setServicesStopped(store, project.name, targets, true).catch(() => undefined);
    process.stderr.write(`Killed ${live.length} container(s)\n`);
  } else {
    process.stderr.write(` ✔ Project ${project.name}  Stopped\n`);
  }
  // at once: an abandoned wait (the graceful stop's, or up's own) must not keep the process alive
  process.exit(130);
}

/** Foreground: every container's logs until Ctrl+C. */
async function attach(store: Store, project: Project, targets: string[], interrupted: Promise<void>): Promise<never> {
  const scope = await projectScope(store);
  const mux = new LogMux(process.stdout, {
    follow: true,
    timestamps: false,
    color: wantColor(process.stdout),
    services: Object.keys(project.loaded.stack.services).sort(),
  });
  const current = await currentTaskIds(store, project.name);
  const running = await listProjectContainers(scope.runtimes, project.name, { services: targets, nodes: scope.nodes, all: true, tasks: current });
  process.stdout.write(`Attaching to ${running.map((c) => `${c.service}-${c.index}`).join(', ')}\n`);
  const stop = new AbortController();
  const following = followProjectLogs(scope.runtimes, scope.nodes, project.name, targets, mux, stop.signal, current);
  await interrupted;
  stop.abort();
  await following;
  return stopOnInterrupt(store, project, targets, scope);
}

export function registerUp(program: Command): void {
  projectOptions(program.command('up'))
    .description("Create and start the project's containers (Compose)")
    .option('-d, --detach', 'return once the containers are started, without streaming their logs')
    .option('--build', 'build images before starting, even when they exist')
    .option('--no-build', 'do not build missing images')
    .option('--wait', 'wait until every service is running and healthy (one-shot jobs completed)')
    .option('--wait-timeout <seconds>', 'how long to wait for the containers (with or without --wait)', '300')
    .option('--remove-orphans', 'remove services of the project that are no longer in the files')
    .argument('[service...]', 'only these services (and their dependencies)')
    .action(async (named: string[], opts: UpFlags, cmd: Command) => {
      const timeoutMs = seconds('--wait-timeout', opts.waitTimeout) * 1000;
      await withProject(
        cmd,
        named,
        async (project, store) => {
          const spec = project.loaded.stack;
          const targets = named.length ? withDependencies(spec.services, named) : project.enabled;
          const interrupted = !opts.detach && !opts.wait ? firstInterrupt() : undefined;
          await ensureLocalDaemon(store, { storeFlag: cmd.optsWithGlobals<{ store?: string }>().store, say: (l) => process.stderr.write(`${l}\n`) });
          if (opts.build !== false) await buildMissing(store, project, targets, { always: opts.build === true });
          await handleOrphans(store, project, opts.removeOrphans === true);
          const since = new Date();
          await deployStack(store, project.name, { ...project.loaded, stack: withBuildImages(onlyServices(spec, targets)) });
          const print = containerLinePrinter(process.stderr);
          const waiting = waitForUp(store, project.name, targets, opts.wait ? 'healthy' : 'started', since, timeoutMs, print);
          const out = interrupted ? await Promise.race([waiting, interrupted.then(() => undefined)]) : await waiting;
          if (!out) return stopOnInterrupt(store, project, targets, await projectScope(store));
          if (out.progress?.errors.length) throw new CommandError(`up ${project.name} failed: ${out.progress.errors.join('; ')}`);
          if (out.timedOut) {
            const late = (out.progress?.containers ?? []).filter((c) => !['Started', 'Healthy', 'Exited'].includes(c.state)).map((c) => `${c.name} ${c.state}`);
            throw new CommandError(
              `project ${project.name} was not ${opts.wait ? 'healthy' : 'started'} within ${timeoutMs / 1000}s${late.length ? `: ${late.join(', ')}` : ''}; see \`stackctl compose ps -a\` and \`stackctl logs\``,
            );
          }
          if (interrupted) await attach(store, project, targets, interrupted);
        },
        { needsFiles: true },
      );
    });
}
