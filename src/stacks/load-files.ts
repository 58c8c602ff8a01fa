// Read stack files for a command (stackctl, Compose): bad input becomes an InputError (exit 2)
// before anything is written; warnings go to stderr.
import { InputError } from '../errors.js';
import { loadStack, StackFileError, type LoadedStack, type LoadOptions } from '../stackfile/index.js';

export interface StackFileOptions {
  composeFile: string[];
  envFile?: string;
}

export async function loadStackFiles(opts: StackFileOptions, name?: string, load: (o: LoadOptions) => Promise<LoadedStack> = loadStack): Promise<LoadedStack> {
  try {
    const loaded = await load({ files: opts.composeFile, envFile: opts.envFile, name });
    for (const warning of loaded.warnings) process.stderr.write(`warning: ${warning}\n`);
    return loaded;
  } catch (err) {
    if (err instanceof StackFileError) throw new InputError(err.message.split('\n'));
    throw err;
  }
}
