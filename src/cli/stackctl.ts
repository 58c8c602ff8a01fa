// stackctl: the command-line client. Each command lives in commands/<name>.ts and registers itself;
// command.ts holds what they share (-o/--format, an action with the Store open, a service by name).
// Only the module of the command being run is imported (command-table.ts): start-up is most of a
// short command's time, and the heavy libraries (stack-file schema, YAML, dockerode, gRPC) are
// loaded only by the commands that use them.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { reportError } from '../errors.js';
import { addStoreOptions } from '../store/flags.js';
import { DEFAULT_REQUEST_TIMEOUT } from './context.js';
import { StoreDeadlineError } from '../store/deadline.js';
import { COMMAND_MODULES, type CommandModule, modulesFor, wantsProgramHelp } from './command-table.js';
import { COMMAND_SUMMARIES } from './command-summaries.js';

/** stackd's version, from its package.json (read, not imported: no JSON module import in Node 20 without a flag). */
export function stackdVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function baseProgram(): Command {
  const program = new Command('stackctl')
    .description('Run Compose-format stacks on a fleet of Docker hosts')
    .version(stackdVersion(), '-V, --version', "print stackctl's version")
    .option('--request-timeout <duration>', 'give up on a store request that gets no answer in this long, e.g. 30s (0: wait forever)', DEFAULT_REQUEST_TIMEOUT)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  addStoreOptions(program);
  program
    .option('--server <url>', 'talk to the API server at this https URL instead of the store (with --token; see README); for kubeconfig: the URL to put in it')
    .option('--token <token>', 'bearer token for --server (stackctl kubeconfig prints one)')
    .option('--certificate-authority <file>', "the API server's CA certificate, for --server")
    .option('--kubeconfig <file>', 'talk to the API server of this kubeconfig (its current context; env STACKD_KUBECONFIG)');
  program
    .command('version')
    .description("Print stackctl's version")
    .action(() => {
      process.stdout.write(`stackctl ${stackdVersion()}\n`);
    });
  return program;
}

/** The program with the given command modules registered (all of them by default). */
export async function buildProgram(modules: readonly CommandModule[] = COMMAND_MODULES): Promise<Command> {
  const program = baseProgram();
  const registers = await Promise.all(modules.map((m) => m.load()));
  for (const register of registers) register(program);
  return program;
}

/** The program as its help shows it: every command named and described, none loaded (they do
 *  nothing here: a command that runs is parsed by buildProgram with its module). */
export function helpProgram(): Command {
  const program = baseProgram();
  for (const c of COMMAND_SUMMARIES) program.command(c.name).aliases(c.aliases).description(c.description);
  const terms = new Map(COMMAND_SUMMARIES.map((c) => [c.name, c.term]));
  const help = program.createHelp();
  program.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd.name()) ?? help.subcommandTerm(cmd) });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const args = argv.slice(2);
    const probe = baseProgram();
    const program = wantsProgramHelp(args, probe) ? helpProgram() : await buildProgram(modulesFor(args, probe));
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its message; usage errors are bad input
      return err.exitCode === 0 ? 0 : 2;
    }
    const code = reportError(err, 'stackctl');
    // the hung request may hold the event loop (an etcd call retrying): the answer is given, go
    if (err instanceof StoreDeadlineError) setTimeout(() => process.exit(code), 200).unref();
    return code;
  }
}
