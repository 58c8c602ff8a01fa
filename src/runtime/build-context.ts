// The build context Docker's CLI would send: the context folder as a tar stream, minus what
// `.dockerignore` excludes, always with the Dockerfile and `.dockerignore` themselves (the builder
// reads both). The filter is pure; listing reads the folder; tar-fs streams the files' contents.
import { randomBytes } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import dockerignoreModule from '@balena/dockerignore';
import { pack, type PackOptions } from 'tar-fs';

/** What to do with one path of the context: send it, leave it out, or leave out its whole subtree. */
export type ContextDecision = 'include' | 'skip' | 'prune';

/**
 * Docker's rules for `.dockerignore` text: the last matching pattern wins, `!` re-includes, a
 * pattern matching a folder matches everything under it. An excluded folder is still walked when
 * some `!` pattern might re-include a path inside it (its own entry is left out, as Docker does).
 */
export function contextFilter(dockerignoreText: string): (rel: string, isDir: boolean) => ContextDecision {
  const patterns = dockerignoreText
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const ig = dockerignoreModule.default().add(patterns); // CommonJS: the factory is module.exports.default
  const hasExceptions = patterns.some((p) => p.startsWith('!'));
  return (rel, isDir) => (!ig.ignores(rel) ? 'include' : isDir && hasExceptions ? 'skip' : isDir ? 'prune' : 'skip');
}

export class BuildContextError extends Error {
  override name = 'BuildContextError';
}

/** What goes up to the builder. */
export interface PreparedContext {
  /** paths of the context folder to send (relative, `/`-separated, sorted) */
  entries: string[];
  /** files made for the tar: a Dockerfile from outside the context and the .dockerignore hiding it */
  extra: { name: string; content: Buffer }[];
  /** the Dockerfile's name in the tar: the builder's `dockerfile` parameter */
  dockerfile: string;
}

/**
 * The context minus what `.dockerignore` excludes, with the Dockerfile whatever it says. A
 * Dockerfile outside the context travels as Docker's CLI sends it: under a random name that the
 * sent .dockerignore lists, so COPY never sees it. One-line errors for a missing folder or file.
 */
export async function prepareContext(context: string, dockerfile: string): Promise<PreparedContext> {
  const dir = await stat(context).catch(() => undefined);
  if (!dir?.isDirectory()) throw new BuildContextError(`no such directory ${context}`);
  const dockerfileAbs = path.resolve(context, dockerfile);
  const file = await stat(dockerfileAbs).catch(() => undefined);
  if (!file?.isFile()) throw new BuildContextError(`no ${dockerfile} in ${context}`);
  const ignoreText = await readFile(path.join(context, '.dockerignore'), 'utf8').catch(() => undefined);
  const entries = await walkContext(context, contextFilter(ignoreText ?? ''));
  const inside = dockerfileInContext(context, dockerfile);
  if (inside !== undefined) {
    entries.add(inside);
    if (ignoreText !== undefined) entries.add('.dockerignore');
    return { entries: [...entries].sort(), extra: [], dockerfile: inside };
  }
  const name = `.dockerfile.${randomBytes(10).toString('hex')}`;
  entries.delete('.dockerignore');
  const ignore = `${ignoreText ?? ''}${ignoreText && !ignoreText.endsWith('\n') ? '\n' : ''}${name}\n`;
  const extra = [
    { name, content: await readFile(dockerfileAbs) },
    { name: '.dockerignore', content: Buffer.from(ignore) },
  ];
  return { entries: [...entries].sort(), extra, dockerfile: name };
}

async function walkContext(context: string, decide: (rel: string, isDir: boolean) => ContextDecision): Promise<Set<string>> {
  const entries = new Set<string>();
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(path.join(context, rel), { withFileTypes: true })) {
      if (!e.isFile() && !e.isDirectory() && !e.isSymbolicLink()) continue; // sockets, FIFOs, devices
      const child = rel ? `${rel}/${e.name}` : e.name;
      const decision = decide(child, e.isDirectory());
      if (decision === 'include') entries.add(child);
      if (e.isDirectory() && decision !== 'prune') await walk(child);
    }
  };
  await walk('');
  return entries;
}

/** The Dockerfile's path relative to the context, or undefined when it lies outside. */
export function dockerfileInContext(context: string, dockerfile: string): string | undefined {
  const rel = path.relative(context, path.resolve(context, dockerfile)).split(path.sep).join('/');
  return rel === '' || rel === '..' || rel.startsWith('../') || path.isAbsolute(rel) ? undefined : rel;
}

/** The context as a tar stream, owned by root as Docker's CLI sends it. */
export function contextTar(context: string, prepared: PreparedContext): Readable {
  // tar-fs recurses into a folder entry's children unless `ignore` refuses them: entries lists each
  // path to send already. umask 0 keeps the files' modes as they are (tar-fs applies the process's).
  const opts: PackOptions & { umask: number } = {
    entries: prepared.entries,
    ignore: () => true,
    umask: 0,
    map: (header) => ({ ...header, uid: 0, gid: 0 }),
    finalize: false,
    finish: (tar) => {
      for (const f of prepared.extra) tar.entry({ name: f.name, mode: 0o644, mtime: new Date(), uid: 0, gid: 0 }, f.content);
      tar.finalize();
    },
  };
  return pack(context, opts) as unknown as Readable;
}
