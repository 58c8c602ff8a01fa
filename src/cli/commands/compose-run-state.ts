// `stackctl start|stop|restart [SERVICE...]`: the same containers stopped and started again (the
// model's Service.spec.stopped; the manager stops in reverse depends_on order).
import type { Command } from 'commander';
import { ensureLocalDaemon } from '../../compose/local-daemon.js';
import { awaitStarted, awaitStopped, setServicesStopped, type RunStateProgress } from '../../compose/stop-start.js';
import type { Project } from '../../compose/project.js';
import type { Store } from '../../store/store.js';
import { projectOptions, timeoutOption, withProject } from './compose-common.js';

const WAIT_MS = 5 * 60_000;

/** ` ✔ Container web  Stopped` once per service as it gets there. */
function serviceLines(word: string): (p: RunStateProgress) => void {
  const shown = new Set<string>();
  return (p) => {
    for (const s of p.services) {
      if (s.ready < s.total || shown.has(s.name)) continue;
      shown.add(s.name);
      process.stderr.write(` ✔ Service ${s.name}  ${word}\n`);
    }
  };
}

async function prepare(cmd: Command, store: Store): Promise<void> {
  await ensureLocalDaemon(store, { storeFlag: cmd.optsWithGlobals<{ store?: string }>().store, say: (l) => process.stderr.write(`${l}\n`) });
}

/** Stop the services (all when none named), waiting for their containers to stop. */
export async function stopProject(store: Store, project: Project, named: string[], timeoutSeconds?: number): Promise<void> {
  const services = named.length ? named : undefined;
  await setServicesStopped(store, project.name, services, true, { timeoutSeconds });
  await awaitStopped(store, project.name, services, WAIT_MS, serviceLines('Stopped'));
}

export async function startProject(store: Store, project: Project, named: string[]): Promise<void> {
  const services = named.length ? named : undefined;
  await setServicesStopped(store, project.name, services, false);
  await awaitStarted(store, project.name, services, WAIT_MS, serviceLines('Started'));
}

export function registerRunState(program: Command): void {
  projectOptions(program.command('start'))
    .description("Start the project's stopped containers again, without recreating them (Compose)")
    .argument('[service...]', 'only these services')
    .action(async (named: string[], _opts: unknown, cmd: Command) => {
      await withProject(cmd, named, async (project, store) => {
        await prepare(cmd, store);
        await startProject(store, project, named);
      });
    });

  projectOptions(program.command('stop'))
    .description("Stop the project's containers, keeping them (Compose)")
    .addOption(timeoutOption())
    .argument('[service...]', 'only these services')
    .action(async (named: string[], opts: { timeout?: number }, cmd: Command) => {
      await withProject(cmd, named, async (project, store) => {
        await prepare(cmd, store);
        await stopProject(store, project, named, opts.timeout);
      });
    });

  projectOptions(program.command('restart'))
    .description("Stop and start the project's containers again (the same containers; Compose)")
    .addOption(timeoutOption())
    .argument('[service...]', 'only these services')
    .action(async (named: string[], opts: { timeout?: number }, cmd: Command) => {
      await withProject(cmd, named, async (project, store) => {
        await prepare(cmd, store);
        await stopProject(store, project, named, opts.timeout);
        await startProject(store, project, named);
      });
    });
}
