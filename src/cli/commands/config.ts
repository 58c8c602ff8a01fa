// `stackctl config`: print the normalized stack, like `docker compose config`.
import type { Command } from 'commander';

export function registerConfig(program: Command): void {
  program
    .command('config')
    .description('Validate stack files and print the normalized stack')
    .requiredOption('-c, --compose-file <file...>', 'stack file(s), merged in order')
    .option('--env-file <file>', 'variables file (replaces the .env beside the first stack file)')
    .option('--format <format>', 'yaml or json', 'yaml')
    .action(async () => {
      throw new Error('not implemented yet');
    });
}
