// The files a parsed stack names: each service's env_file entries, and config and secret files.
import * as path from 'node:path';
import { parseDotenv } from './dotenv.js';
import type { Issue, Problem } from './errors.js';
import { type ReadFile, readData, readText } from './read.js';
import type { ParsedStack } from './schema.js';
import { setOwn } from './safe.js';

export type ToProblems = (issues: Issue[]) => Problem[];

export interface FileContext {
  read: ReadFile;
  projectDir: string;
  toProblems: ToProblems;
  problems: Problem[];
}

/** Each service's env_file entries (relative to the project folder), later files winning. */
export async function readEnvFiles(stack: ParsedStack, ctx: FileContext): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [name, svc] of Object.entries(stack.services)) {
    const vars: Record<string, string> = {};
    for (const [i, entry] of (svc.env_file ?? []).entries()) {
      const file = path.resolve(ctx.projectDir, entry.path);
      const [at] = ctx.toProblems([{ path: ['services', name, 'env_file', i], message: '' }]);
      const r = await readText(ctx.read, file, 'envFile', { loc: at, path: ['services', name, 'env_file', i], missing: `cannot read ${file}` });
      if (!r.ok) {
        if (!(r.missing && !entry.required)) ctx.problems.push(r.problem);
        continue;
      }
      const parsed = parseDotenv(r.value, file, entry.raw);
      ctx.problems.push(...parsed.problems);
      for (const [k, v] of Object.entries(parsed.vars)) setOwn(vars, k, v);
    }
    setOwn(out, name, vars);
  }
  return out;
}

export async function readFileObjects(stack: ParsedStack, kind: 'configs' | 'secrets', ctx: FileContext): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  for (const [key, obj] of Object.entries(stack[kind] ?? {})) {
    if (!obj?.file || obj.external?.external) continue;
    const file = path.resolve(ctx.projectDir, obj.file);
    const [at] = ctx.toProblems([{ path: [kind, key, 'file'], message: '' }]);
    const missing = `file ${file} does not exist or cannot be read`;
    const r = await readData(ctx.read, file, 'fileObject', { loc: at, path: [kind, key, 'file'], missing });
    if (r.ok) setOwn(out, key, r.value);
    else ctx.problems.push(r.problem);
  }
  return out;
}
