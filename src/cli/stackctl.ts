// stackctl: the command-line client. Each command lives in commands/<name>.ts and registers itself;
// command.ts holds what they share (-o/--format, an action with the Store open, a service by name).
import { Command, CommanderError } from 'commander';
import { reportError } from '../errors.js';
import { addStoreOptions } from '../store/flags.js';
import { DEFAULT_REQUEST_TIMEOUT } from './context.js';
import { StoreDeadlineError } from '../store/deadline.js';
import { registerConfig } from './commands/config.js';
import { registerStacks } from './commands/stacks.js';
import { registerTaskCommands } from './commands/tasks.js';
import { registerServiceCommands } from './commands/service.js';
import { registerNodeCommands } from './commands/node.js';
import { registerNetworkCommands } from './commands/network.js';
import { registerRolloutCommands } from './commands/rollout.js';
import { registerStackRollback } from './commands/stack-rollback.js';
import { registerGitOpsCommands } from './commands/gitops.js';
import { registerComposeCommands } from './commands/compose.js';
import { registerReencrypt } from './commands/reencrypt.js';
import { registerClusterCommands } from './commands/cluster.js';
import { registerKubeconfigCommands } from './commands/kubeconfig.js';

export function buildProgram(): Command {
  const program = new Command('stackctl')
    .description('Run Compose-format stacks on a fleet of Docker hosts')
    .option('--request-timeout <duration>', 'give up on a store request that gets no answer in this long, e.g. 30s (0: wait forever)', DEFAULT_REQUEST_TIMEOUT)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  addStoreOptions(program);
  program
    .option('--server <url>', 'talk to the API server at this https URL instead of the store (with --token; see README); for kubeconfig: the URL to put in it')
    .option('--token <token>', 'bearer token for --server (stackctl kubeconfig prints one)')
    .option('--certificate-authority <file>', "the API server's CA certificate, for --server")
    .option('--kubeconfig <file>', 'talk to the API server of this kubeconfig (its current context; env STACKD_KUBECONFIG)');
  registerConfig(program);
  registerStacks(program);
  registerTaskCommands(program);
  registerServiceCommands(program);
  registerNodeCommands(program);
  registerNetworkCommands(program);
  registerRolloutCommands(program);
  registerStackRollback(program);
  registerGitOpsCommands(program);
  registerComposeCommands(program);
  registerReencrypt(program);
  registerClusterCommands(program);
  registerKubeconfigCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
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
