// Creating or updating a Stack through the API is today's deploy, done by the server: the body
// carries the stack's source (spec.files: path → text; spec.composeFiles: which are stack files),
// the server loads it as `stackctl deploy` would (positions in errors: 422), and writes the stack
// and its objects in one transaction.
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { Stack } from '../api/objects.js';
import { getObject } from '../client/objects.js';
import { deployStack, removeStack } from '../stacks/apply.js';
import { loadStackWith, StackFileError } from '../stackfile/index.js';
import type { Store } from '../store/store.js';
import { ApiError } from './http.js';

export interface StackSource {
  files: Record<string, string>;
  /** files that are not UTF-8 text (a binary secret), base64 */
  binaryFiles?: Record<string, string>;
  composeFiles?: string[];
  /** the variables file (stackctl deploy --env-file), else `.env` beside the first stack file */
  envFile?: string;
  /** the absolute folder the keys of files are relative to (stackctl sends its own, so that a
   *  path written absolute in a stack file finds its key); nothing is read from it */
  directory?: string;
  /** variables for interpolation (the server's own environment is never used) */
  env?: Record<string, string>;
  /** remove services gone from the files */
  prune?: boolean;
}

interface StackBody {
  metadata?: { name?: string; resourceVersion?: string; labels?: Record<string, string> };
  spec?: Partial<StackSource>;
}

function sourceOf(body: StackBody, name: string): StackSource {
  const files = body.spec?.files;
  const binary = body.spec?.binaryFiles ?? {};
  const textMap = (m: unknown) => !!m && typeof m === 'object' && Object.values(m).every((t) => typeof t === 'string');
  if (!textMap(files) || !textMap(binary) || Object.keys(files as object).length === 0) {
    throw new ApiError('Invalid', `Stack "${name}": spec.files must map file names to their text (the stack files and the files they name)`, {
      name,
      kind: 'stacks',
    });
  }
  return {
    files: files as Record<string, string>,
    binaryFiles: binary,
    composeFiles: body.spec?.composeFiles,
    envFile: body.spec?.envFile,
    directory: typeof body.spec?.directory === 'string' && isAbsolute(body.spec.directory) ? body.spec.directory : undefined,
    env: body.spec?.env,
    prune: body.spec?.prune === true,
  };
}

/** Loads the files from memory, relative to a folder of their own. */
async function load(name: string, src: StackSource) {
  const root = resolve(src.directory ?? '/stackd-api-source');
  const composeFiles = (src.composeFiles ?? [Object.keys(src.files)[0]]).map((f) => resolve(root, f));
  const read = async (file: string) => {
    const key = relative(root, resolve(file));
    const text = Object.hasOwn(src.files, key) ? src.files[key] : undefined;
    if (text !== undefined) return Buffer.from(text);
    const data = src.binaryFiles && Object.hasOwn(src.binaryFiles, key) ? src.binaryFiles[key] : undefined;
    return data === undefined ? undefined : Buffer.from(data, 'base64');
  };
  try {
    return await loadStackWith({ files: composeFiles, env: src.env ?? {}, name, ...(src.envFile ? { envFile: resolve(root, src.envFile) } : {}) }, read);
  } catch (err) {
    if (!(err instanceof StackFileError)) throw err;
    const shown = (line: string) => line.split(`${dirname(composeFiles[0])}/`).join('');
    const lines = err.message.split('\n').map(shown);
    throw new ApiError('Invalid', `Stack "${name}" is invalid:\n${lines.join('\n')}`, { name, kind: 'stacks', causes: lines.map((message) => ({ message })) });
  }
}

export async function writeStack(store: Store, name: string, body: StackBody, mode: 'create' | 'update'): Promise<Stack> {
  if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(name))
    throw new ApiError('Invalid', `invalid stack name "${name}": use lower-case letters, digits, "-" and "_" (at most 63), starting with a letter or digit`);
  if (body.metadata?.name && body.metadata.name !== name)
    throw new ApiError('BadRequest', `metadata.name "${body.metadata.name}" does not match the URL's "${name}"`);
  const src = sourceOf(body, name);
  const current = await getObject<Stack>(store, 'Stack', '', name);
  if (mode === 'create' && current) throw new ApiError('AlreadyExists', `stacks.stackd.io "${name}" already exists`, { name, kind: 'stacks' });
  if (mode === 'update' && !current) throw new ApiError('NotFound', `stacks.stackd.io "${name}" not found`, { name, kind: 'stacks' });
  const rv = body.metadata?.resourceVersion;
  if (rv && current && rv !== current.metadata.resourceVersion) {
    throw new ApiError(
      'Conflict',
      `Operation cannot be fulfilled on stacks.stackd.io "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name, kind: 'stacks' },
    );
  }
  const loaded = await load(name, src);
  await deployStack(store, name, loaded, { prune: src.prune, labels: body.metadata?.labels });
  const written = await getObject<Stack>(store, 'Stack', '', name);
  if (!written) throw new ApiError('Conflict', `stack ${name} was removed while being written`);
  return written;
}

export async function deleteStack(store: Store, name: string): Promise<Stack> {
  const current = await getObject<Stack>(store, 'Stack', '', name);
  if (!current || !(await removeStack(store, name))) throw new ApiError('NotFound', `stacks.stackd.io "${name}" not found`, { name, kind: 'stacks' });
  return current;
}
