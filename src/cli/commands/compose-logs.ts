// `stackctl logs`: the project's containers' output, each line prefixed `service-1  | ` (coloured
// per service on a terminal), following new containers with -f until Ctrl+C.
import type { Command } from 'commander';
import { listProjectContainers } from '../../compose/containers.js';
import { followProjectLogs } from '../../compose/follow.js';
import { LogMux, wantColor } from '../../compose/log-mux.js';
import { InputError } from '../../errors.js';
import { currentTaskIds, projectOptions, projectScope, withProject } from './compose-common.js';

interface LogsFlags {
  follow?: boolean;
  tail?: string;
  timestamps?: boolean;
  color: boolean;
}

function parseTail(v: string | undefined): number | undefined {
  if (v === undefined || v === 'all') return undefined;
  if (!/^\d+$/.test(v)) throw new InputError([`--tail: expected a number of lines or "all", got "${v}"`]);
  return Number(v);
}

export function registerLogs(program: Command): void {
  projectOptions(program.command('logs'), false)
    .description("Show the output of the project's containers (Compose)")
    .option('-f, --follow', 'keep streaming, new containers too, until Ctrl+C')
    .option('-n, --tail <lines>', 'the last N lines of each container (or "all")')
    .option('-t, --timestamps', 'prefix each line with its time')
    .option('--no-color', 'no colours')
    .argument('[service...]', 'only these services')
    .action(async (named: string[], opts: LogsFlags, cmd: Command) => {
      const tail = parseTail(opts.tail);
      await withProject(cmd, named, async (project, store) => {
        const { runtimes, nodes } = await projectScope(store);
        const mux = new LogMux(process.stdout, {
          follow: opts.follow === true,
          tail,
          timestamps: opts.timestamps === true,
          color: opts.color && wantColor(process.stdout),
          services: Object.keys(project.loaded.stack.services).sort(),
        });
        if (!opts.follow) {
          for (const c of await listProjectContainers(runtimes, project.name, { all: true, services: named, tasks: await currentTaskIds(store, project.name) }))
            mux.add(c);
          await mux.drained();
          return;
        }
        const stop = new AbortController();
        process.once('SIGINT', () => stop.abort());
        await followProjectLogs(runtimes, nodes, project.name, named, mux, stop.signal, await currentTaskIds(store, project.name));
      });
    });
}
