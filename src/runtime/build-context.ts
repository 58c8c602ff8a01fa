// The build context Docker's CLI would send: the context folder as a tar stream, minus what
// `.dockerignore` excludes, always with the Dockerfile and `.dockerignore` themselves (the builder
// reads both). The filter is pure; listing reads the folder; tar-fs streams the files' contents.
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
  const patterns = dockerignoreText.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const ig = dockerignoreModule.default().add(patterns); // CommonJS: the factory is module.exports.default
  const hasExceptions = patterns.some((p) => p.startsWith('!'));
  return (rel, isDir) => (!ig.ignores(rel) ? 'include' : isDir && hasExceptions ? 'skip' : isDir ? 'prune' : 'skip');
}

export class BuildContextError extends Error {
  override name = 'BuildContextError';
}

/**
 * The context's paths to send (relative, `/`-separated, sorted), the Dockerfile included whatever
 * `.dockerignore` says. Fails with one line when the folder or the Dockerfile is missing.
 */
export async function contextEntries(context: string, dockerfile: string): Promise<string[]> {
  const dir = await stat(context).catch(() => undefined);
  if (!dir?.isDirectory()) throw new BuildContextError(`no such directory ${context}`);
  const dockerfileRel = dockerfilePath(context, dockerfile);
  const file = await stat(path.join(context, dockerfileRel)).catch(() => undefined);
  if (!file?.isFile()) throw new BuildContextError(`no ${dockerfileRel} in ${context}`);
  const ignoreText = await readFile(path.join(context, '.dockerignore'), 'utf8').catch(() => undefined);
  const decide = contextFilter(ignoreText ?? '');
  const entries = new Set<string>();
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(path.join(context, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      const decision = decide(child, e.isDirectory());
      if (decision === 'include') entries.add(child);
      if (e.isDirectory() && decision !== 'prune') await walk(child);
    }
  };
  await walk('');
  entries.add(dockerfileRel);
  if (ignoreText !== undefined) entries.add('.dockerignore');
  return [...entries].sort();
}

/** The Dockerfile relative to the context; it must lie inside it. */
export function dockerfilePath(context: string, dockerfile: string): string {
  const rel = path.relative(context, path.resolve(context, dockerfile)).split(path.sep).join('/');
  if (rel === '' || rel.startsWith('../') || rel === '..') {
    throw new BuildContextError(`dockerfile ${dockerfile} is outside the context ${context}`);
  }
  return rel;
}

/** The context as a tar stream of exactly `entries`, owned by root as Docker's CLI sends them. */
export function contextTar(context: string, entries: string[]): Readable {
  // tar-fs recurses into a folder entry's children unless `ignore` refuses them: entries lists each
  // path to send already. umask 0 keeps the files' modes as they are (tar-fs applies the process's).
  const opts: PackOptions & { umask: number } = {
    entries,
    ignore: () => true,
    umask: 0,
    map: (header) => ({ ...header, uid: 0, gid: 0 }),
  };
  return pack(context, opts) as unknown as Readable;
}
