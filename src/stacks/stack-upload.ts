// What a deploy through the API sends: the stack is loaded here first (errors with this machine's
// file:line:col, exit 2, nothing sent), and every file the loader read (stack files, .env or
// --env-file, config and secret files, extends) and every variable it looked up in this process'
// environment go into the Stack's spec, so that the server loads the same stack from memory
// (apiserver/stack-write.ts). Only the variables the files use leave this machine, never the whole
// environment.
import { dirname, relative, resolve } from 'node:path';
import { TextDecoder } from 'node:util';
import { loadStackWith, type LoadedStack, type ReadFile } from '../stackfile/index.js';
import { readFromDisk } from '../stackfile/read.js';
import { loadStackFiles, type StackFileOptions } from './load-files.js';

export interface StackUpload {
  /** the first stack file's folder: the keys of files are relative to it */
  directory: string;
  files: Record<string, string>;
  binaryFiles: Record<string, string>;
  composeFiles: string[];
  envFile?: string;
  env: Record<string, string>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Loads the stack as loadStackFiles does, recording what the server will need to load it again. */
export async function loadForUpload(opts: StackFileOptions, name: string): Promise<{ loaded: LoadedStack; upload: StackUpload }> {
  const directory = dirname(resolve(opts.composeFile[0]));
  const key = (file: string) => relative(directory, resolve(file));
  const upload: StackUpload = {
    directory,
    files: {},
    binaryFiles: {},
    composeFiles: opts.composeFile.map(key),
    ...(opts.envFile ? { envFile: key(opts.envFile) } : {}),
    env: {},
  };
  const read: ReadFile = async (file, maxBytes) => {
    const data = await readFromDisk(file, maxBytes);
    if (data === undefined) return undefined;
    try {
      upload.files[key(file)] = utf8.decode(data);
    } catch {
      upload.binaryFiles[key(file)] = data.toString('base64');
    }
    return data;
  };
  // the loader asks the environment with Object.hasOwn, then reads: both go through here
  const env = new Proxy(process.env, {
    getOwnPropertyDescriptor(target, prop) {
      const d = Reflect.getOwnPropertyDescriptor(target, prop);
      if (d && typeof prop === 'string' && typeof d.value === 'string')
        Object.defineProperty(upload.env, prop, { value: d.value, enumerable: true, writable: true, configurable: true });
      return d;
    },
  });
  const loaded = await loadStackFiles(opts, name, (o) => loadStackWith({ ...o, env }, read));
  return { loaded, upload };
}
