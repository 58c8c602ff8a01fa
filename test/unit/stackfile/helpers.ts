// Load stack files from an in-memory folder (unit tests do no I/O); paths resolve against the cwd.
import * as path from 'node:path';
import { StackFileError, loadStackWith, type LoadedStack, type ReadFile } from '../../../src/stackfile/index.js';

export function memFiles(files: Record<string, string | Buffer>): ReadFile {
  const byPath = new Map(Object.entries(files).map(([name, text]) => [path.resolve(name), Buffer.from(text)]));
  return async (file) => byPath.get(path.resolve(file));
}

export interface Extra {
  /** more files beside stack.yaml (env files, configs, override files) */
  files?: Record<string, string | Buffer>;
  env?: Record<string, string | undefined>;
  envFile?: string;
  /** stack files to load (default: stack.yaml) */
  load?: string[];
}

/** Load `yaml` as stack.yaml (lines joined with \n). */
export function load(yaml: string | string[], extra: Extra = {}): Promise<LoadedStack> {
  const text = Array.isArray(yaml) ? `${yaml.join('\n')}\n` : yaml;
  return loadStackWith(
    { files: extra.load ?? ['stack.yaml'], env: extra.env ?? {}, envFile: extra.envFile, name: 'test' },
    memFiles({ 'stack.yaml': text, ...extra.files }),
  );
}

/** The problem lines of a stack that must fail to load. */
export async function problems(yaml: string | string[], extra: Extra = {}): Promise<string[]> {
  try {
    await load(yaml, extra);
  } catch (err) {
    if (err instanceof StackFileError) return err.message.split('\n');
    throw err;
  }
  throw new Error('expected the stack to be rejected');
}

/** One service named `web` with these lines under it (indented by 4). */
export function web(...lines: string[]): string[] {
  return ['services:', '  web:', '    image: nginx', ...lines.map((l) => `    ${l}`)];
}
