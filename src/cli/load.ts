// Read stack files for a command; bad input becomes an InputError (exit 2) before anything is written.
import { loadStack, StackFileError, type LoadedStack } from '../stackfile/index.js';
import { InputError } from './errors.js';

/** commander: `-c a -c b` collects both (a variadic option would swallow the stack name) */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export interface StackFileOptions {
  composeFile: string[];
  envFile?: string;
}

export async function loadStackFiles(opts: StackFileOptions, name?: string): Promise<LoadedStack> {
  try {
    const loaded = await loadStack({ files: opts.composeFile, envFile: opts.envFile, name });
    for (const warning of loaded.warnings) process.stderr.write(`warning: ${warning}\n`);
    return loaded;
  } catch (err) {
    if (err instanceof StackFileError) throw new InputError(err.message.split('\n'));
    throw err;
  }
}
