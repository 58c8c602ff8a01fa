// Load every stack of a checked-out commit, all or nothing. Files are read only from inside the
// checkout (a symlink or a ../ path cannot reach the manager's own files), SOPS-encrypted files are
// decrypted in memory, and the manager's environment is never interpolated into the stacks.
import { createHash } from 'node:crypto';
import { readdir, realpath } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { canonicalJson } from '../client/codec.js';
import { loadStackWith, readBounded, StackFileError, type LoadedStack, type ReadFile } from '../stackfile/index.js';
import { desiredStackObjects } from '../stacks/desired.js';
import { discoverStacks, type RepoListing } from './layout.js';

/** Turns a file's content into its plain text (SOPS); returns it as is when not encrypted. */
export type Decrypt = (content: Buffer, file: string) => Promise<Buffer>;

class DecryptError extends Error {}

export interface RepoStack {
  name: string;
  /** the stack file, relative to the repository root */
  file: string;
  input: LoadedStack;
  /** sha256 of the objects the stack deploys */
  digest: string;
}

export type RepoLoad = { ok: true; stacks: RepoStack[] } | { ok: false; problems: string[] };

async function listing(dir: string): Promise<RepoListing | undefined> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
  if (!entries) return undefined;
  const out: RepoListing = { files: [], dirs: {} };
  for (const e of entries) {
    if (e.isFile()) out.files.push(e.name);
    else if (e.isDirectory() && e.name !== '.git') out.dirs[e.name] = await readdir(join(dir, e.name)).catch(() => []);
  }
  return out;
}

/** A ReadFile that refuses anything outside `root` and decrypts what `decrypt` recognizes. Reads are
 *  bounded like the CLI's (regular files only, size caps, a time limit). */
export function confinedReader(root: string, decrypt?: Decrypt): ReadFile {
  return async (file, maxBytes) => {
    const real = await realpath(file).catch(() => undefined);
    if (!real?.startsWith(root + sep)) return undefined;
    const content = await readBounded(real, maxBytes);
    if (!content || !decrypt) return content;
    const name = relative(root, real);
    return decrypt(content, name).catch((err: Error) => {
      throw new DecryptError(`${name}: cannot decrypt: ${err.message}`);
    });
  };
}

export function stackDigest(name: string, input: LoadedStack): string {
  return createHash('sha256')
    .update(canonicalJson(desiredStackObjects(name, input)))
    .digest('hex');
}

/** @param path the source's folder inside the repository ('.' = the root) */
export async function loadRepo(checkout: string, path: string, decrypt?: Decrypt): Promise<RepoLoad> {
  const root = await realpath(checkout);
  const base = join(root, path);
  const list = await listing(base);
  if (!list) return { ok: false, problems: [`${path}: no such folder at this commit`] };
  const prefix = path === '.' ? '' : `${path}/`;
  const found = discoverStacks(list);
  const problems = found.problems.map((p) => `${prefix}${p}`);
  const read = confinedReader(root, decrypt);
  const stacks: RepoStack[] = [];
  for (const s of found.stacks) {
    const file = `${prefix}${s.file}`;
    try {
      const input = await loadStackWith({ files: [join(root, file)], env: {}, name: s.name }, read);
      stacks.push({ name: s.name, file, input, digest: stackDigest(s.name, input) });
    } catch (err) {
      if (err instanceof DecryptError) problems.push(err.message);
      else if (!(err instanceof StackFileError)) throw err;
      else problems.push(...err.message.split('\n').map((line) => line.split(root + sep).join('')));
    }
  }
  return problems.length ? { ok: false, problems } : { ok: true, stacks };
}
