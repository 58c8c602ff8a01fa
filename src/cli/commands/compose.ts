// The Compose workflow: `stackctl up`, `down`, `start`, `stop`, `restart`, `logs`, `build`, `pull`,
// `exec` at the top level, as the issue asks, and all of them, `ps` included, under
// `stackctl compose ...` (the top-level `ps STACK` is `docker stack ps`'s and stays so). Each
// subcommand takes -f/-p/--profile itself: `stackctl up -f x.yml -d`. A project is a stack, so
// `stackctl ls`, `ps PROJECT`, `services PROJECT` and `rollout` see it too.
import type { Command } from 'commander';
import { registerBuildPull } from './compose-build.js';
import { registerDown } from './compose-down.js';
import { registerExec } from './compose-exec.js';
import { registerLogs } from './compose-logs.js';
import { registerPs } from './compose-ps.js';
import { registerRunState } from './compose-run-state.js';
import { registerUp } from './compose-up.js';

function register(parent: Command, withPs: boolean): void {
  registerUp(parent);
  registerDown(parent);
  registerRunState(parent);
  if (withPs) registerPs(parent);
  registerLogs(parent);
  registerBuildPull(parent);
  registerExec(parent);
}

export function registerComposeCommands(program: Command): void {
  register(program, false);
  register(program.command('compose').description('The Compose workflow on a project (up, down, ps, logs, ...; all but ps also at the top level)'), true);
}
