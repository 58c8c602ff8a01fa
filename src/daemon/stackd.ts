// stackd: the daemon. `stackd` alone runs manager and agent for this host on the embedded store.
import { Command, CommanderError } from 'commander';
import { reportError } from '../cli/errors.js';

export function buildProgram(): Command {
  return new Command('stackd')
    .description('The stackd control plane: manager, node agent, or both on one host')
    .option('--store <url>', 'state store (env STACKD_STORE; default sqlite under ~/.stackd/)')
    .exitOverride();
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    return reportError(err, 'stackd');
  }
}
