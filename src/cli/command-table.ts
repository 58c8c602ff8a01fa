// Which module registers which top-level command. stackctl imports only the module of the command
// it runs (a read such as `stackctl ls` then never loads the stack-file parser, the Compose
// workflow, dockerode or the GitOps code: start-up is most of a short command's time). A unit test
// checks this table against what each module really registers.
import type { Command } from 'commander';

type Register = (program: Command) => void;

export interface CommandModule {
  /** the top-level command names (and aliases) the module registers */
  names: readonly string[];
  load: () => Promise<Register>;
}

/** In help order. */
export const COMMAND_MODULES: readonly CommandModule[] = [
  { names: ['config'], load: async () => (await import('./commands/config.js')).registerConfig },
  { names: ['deploy', 'ls', 'stack-ls', 'rm'], load: async () => (await import('./commands/stacks.js')).registerStacks },
  { names: ['ps', 'services'], load: async () => (await import('./commands/tasks.js')).registerTaskCommands },
  { names: ['service'], load: async () => (await import('./commands/service.js')).registerServiceCommands },
  { names: ['node'], load: async () => (await import('./commands/node.js')).registerNodeCommands },
  { names: ['network'], load: async () => (await import('./commands/network.js')).registerNetworkCommands },
  { names: ['rollout'], load: async () => (await import('./commands/rollout.js')).registerRolloutCommands },
  { names: ['rollback'], load: async () => (await import('./commands/stack-rollback.js')).registerStackRollback },
  { names: ['gitops'], load: async () => (await import('./commands/gitops.js')).registerGitOpsCommands },
  {
    names: ['up', 'down', 'start', 'stop', 'restart', 'logs', 'build', 'pull', 'exec', 'compose'],
    load: async () => (await import('./commands/compose.js')).registerComposeCommands,
  },
  { names: ['reencrypt'], load: async () => (await import('./commands/reencrypt.js')).registerReencrypt },
  { names: ['cluster'], load: async () => (await import('./commands/cluster.js')).registerClusterCommands },
  { names: ['kubeconfig', 'token'], load: async () => (await import('./commands/kubeconfig.js')).registerKubeconfigCommands },
  { names: ['events'], load: async () => (await import('./commands/events.js')).registerEventsCommand },
];

/**
 * The first operand of `args` (argv without node and the script): the command name, skipping the
 * program's own options and the values of those that take one (`--store URL`). Pure.
 */
export function commandName(args: readonly string[], program: Command): string | undefined {
  const takesValue = new Set<string>();
  for (const o of program.options) {
    if (!(o.required || o.optional)) continue;
    if (o.long) takesValue.add(o.long);
    if (o.short) takesValue.add(o.short);
  }
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') return args[i + 1];
    if (!a.startsWith('-')) return a;
    if (a === '-h' || a === '--help') return undefined; // the program's help: every command in it
    if (!a.includes('=') && takesValue.has(a)) i++;
  }
  return undefined;
}

/** A top-level command as the program's help lists it. */
export interface CommandSummary {
  name: string;
  aliases: string[];
  /** what the help shows for it, e.g. `deploy [options] <stack>` */
  term: string;
  description: string;
}

/** The program's commands as its help lists them, but the built-in `version` (what
 *  hack/gen-command-summaries.mjs writes to command-summaries.ts). */
export function commandSummaries(program: Command): CommandSummary[] {
  const help = program.createHelp();
  return program.commands
    .filter((c) => c.name() !== 'version')
    .map((c) => ({ name: c.name(), aliases: c.aliases(), term: help.subcommandTerm(c), description: c.description() }));
}

/** Whether `args` asks for the program's own help (`--help`, `-h`, or no command at all): it is
 *  printed from COMMAND_SUMMARIES, no command module loaded. Pure. */
export function wantsProgramHelp(args: readonly string[], program: Command): boolean {
  return commandName(args, program) === undefined && !asksVersion(args);
}

/** `--version` (or `-V`) without a help flag: printed by the program alone. */
function asksVersion(args: readonly string[]): boolean {
  return (args.includes('-V') || args.includes('--version')) && !args.some((a) => a === '-h' || a === '--help');
}

/** The modules to load for `args`: the one that owns the command, none for `--version`, or all of
 *  them (help, no command, a misspelt one). Pure. */
export function modulesFor(args: readonly string[], program: Command): readonly CommandModule[] {
  const name = commandName(args, program);
  if (name === undefined && asksVersion(args)) return [];
  const owner = name === undefined ? undefined : COMMAND_MODULES.find((m) => m.names.includes(name));
  return owner ? [owner] : COMMAND_MODULES;
}
