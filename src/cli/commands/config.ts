// `stackctl config`: print the normalized stack, like `docker compose config`. The parser and YAML
// are imported when the command runs (stackctl registers every command for its help).
import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { formatOption } from '../command.js';

interface ConfigOptions {
  composeFile?: string[];
  file?: string[];
  envFile?: string;
  format: string;
}

export function registerConfig(program: Command): void {
  program
    .command('config')
    .description('Validate stack files and print the normalized stack')
    .option('-c, --compose-file <file...>', 'stack file(s), merged in order')
    .option('-f, --file <file...>', 'same as -c, as in docker compose')
    .option('--env-file <file>', 'variables file (replaces the .env beside the first stack file)')
    .addOption(formatOption(['yaml', 'json']))
    .action(async (opts: ConfigOptions) => {
      const files = [...(opts.composeFile ?? []), ...(opts.file ?? [])];
      if (files.length === 0) throw new InputError(['stackctl config: give the stack file(s) with -c FILE']);
      const [{ stringify }, { loadStackFiles }, { toStackFile }] = await Promise.all([
        import('yaml'),
        import('../../stacks/load-files.js'),
        import('../../stackfile/index.js'),
      ]);
      const { stack } = await loadStackFiles({ composeFile: files, envFile: opts.envFile });
      // valid input again: `$` written `$$`, x-* keys back in place
      const file = toStackFile(stack);
      const text = opts.format === 'json' ? `${JSON.stringify(file, null, 2)}\n` : stringify(file, { lineWidth: 0 });
      process.stdout.write(text);
    });
}
