// `stackctl exec SERVICE CMD...`: run a command in a running container of the service, with a
// terminal when stdin is one (raw mode while it runs), exiting with the command's exit code.
import type { Command } from 'commander';
import { listProjectContainers } from '../../compose/containers.js';
import { execInContainer } from '../../runtime/docker-exec.js';
import { CommandError, InputError } from '../../errors.js';
import { collect } from '../load.js';
import { currentTaskIds, projectOptions, projectScope, withProject } from './compose-common.js';

interface ExecFlags {
  tty: boolean;
  user?: string;
  workdir?: string;
  env?: string[];
  index: string;
}

export function registerExec(program: Command): void {
  projectOptions(program.command('exec'))
    .description('Run a command in a running container of a service (Compose)')
    .option('-T, --no-tty', 'no pseudo-terminal (default: one when stdin is a terminal)')
    .option('-u, --user <user>', 'run as this user')
    .option('-w, --workdir <dir>', 'working directory in the container')
    .option('-e, --env <KEY=VALUE>', 'set a variable (repeatable)', collect)
    .option('--index <n>', 'which replica', '1')
    .argument('<service>', 'service')
    .argument('<command...>', 'command and arguments')
    .allowUnknownOption()
    .action(async (service: string, command: string[], opts: ExecFlags, cmd: Command) => {
      if (!/^\d+$/.test(opts.index)) throw new InputError([`--index: expected a replica number, got "${opts.index}"`]);
      const index = Number(opts.index);
      const bad = (opts.env ?? []).find((e) => !/^[^=]+=/.test(e));
      if (bad) throw new InputError([`--env: expected KEY=VALUE, got "${bad}"`]);
      const code = await withProject(cmd, [service], async (project, store) => {
        const { runtimes } = await projectScope(store);
        const running = await listProjectContainers(runtimes, project.name, { services: [service], tasks: await currentTaskIds(store, project.name) });
        const target = running.find((c) => c.index === index);
        if (!target)
          throw new CommandError(`service "${service}" has no running container ${index} in project ${project.name}; start it with \`stackctl up -d ${service}\``);
        const tty = opts.tty && Boolean(process.stdin.isTTY);
        const stdin = process.stdin;
        if (tty) stdin.setRawMode(true);
        try {
          return await execInContainer(target.runtime, target.id, command, {
            tty,
            interactive: true,
            user: opts.user,
            workdir: opts.workdir,
            env: opts.env,
            stdin,
            stdout: process.stdout,
            stderr: process.stderr,
          });
        } finally {
          if (tty) stdin.setRawMode(false);
          stdin.pause();
        }
      });
      if (code !== 0) throw new CommandError('', code);
    });
}
