// Read stack files the one way every part of stackd does: parse, interpolate, merge, validate,
// check, normalize. The only file in src/stackfile that reads files.
import { readFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { canonicalize } from './canonical.js';
import { parseDotenv } from './dotenv.js';
import { type Issue, type Problem, StackFileError, formatProblem, problemAt, sortProblems } from './errors.js';
import { interpolateTree } from './interpolate.js';
import { mergeTrees } from './merge.js';
import { normalize, stackName } from './normalize.js';
import { type ParsedStack, parseStack } from './schema.js';
import { checkStack } from './check.js';
import type { StackSpec } from './types.js';
import { type LNode, locFor, parseYaml, toPlain } from './yaml-source.js';

export interface LoadOptions {
  /** stack files, merged in order; relative paths in them resolve against the first one's folder */
  files: string[];
  /** replaces the `.env` beside the first stack file */
  envFile?: string;
  /** defaults to process.env; overrides the .env file */
  env?: Record<string, string | undefined>;
  /** the stack's name; else `name:` in the files, else the first file's folder name */
  name?: string;
}

export interface LoadedStack {
  stack: StackSpec;
  /** one line each: `stack.yaml:4:12 services.web.image: variable "X" is not set, using ""` */
  warnings: string[];
  /** file contents by stack-level key; external ones absent */
  configData: Record<string, Buffer>;
  secretData: Record<string, Buffer>;
}

/** Reads a file, or undefined when it does not exist or cannot be read. */
export type ReadFile = (file: string) => Promise<Buffer | undefined>;

const readFromDisk: ReadFile = (file) => readFile(file).catch(() => undefined);

export function loadStack(opts: LoadOptions): Promise<LoadedStack> {
  return loadStackWith(opts, readFromDisk);
}

/** loadStack with files read through `read` (tests pass an in-memory folder). */
export async function loadStackWith(opts: LoadOptions, read: ReadFile): Promise<LoadedStack> {
  if (opts.files.length === 0) throw new Error('no stack file given');
  const projectDir = path.dirname(path.resolve(opts.files[0]));
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const fail = () => new StackFileError(sortProblems(problems, opts.files));

  const dotenv = await readVariables(read, opts.envFile ?? path.join(path.dirname(opts.files[0]), '.env'), !opts.envFile, problems);
  const env = opts.env ?? process.env;
  const lookup = (name: string) => env[name] ?? dotenv[name];

  const trees: LNode[] = [];
  for (const file of opts.files) {
    const text = (await read(file))?.toString('utf8');
    if (text === undefined) {
      problems.push(problemAt({ file, line: 1, col: 1 }, [], 'cannot read the file'));
      continue;
    }
    const parsed = parseYaml(text, file);
    if (parsed.problems.length > 0) {
      problems.push(...parsed.problems);
      continue;
    }
    const interpolated = interpolateTree(parsed.root, lookup);
    warnings.push(...interpolated.warnings);
    problems.push(...interpolated.problems);
    const canonical = canonicalize(interpolated.node);
    problems.push(...canonical.problems);
    trees.push(canonical.root);
  }
  if (trees.length < opts.files.length) throw fail(); // unreadable, or not YAML
  const merged = mergeTrees(trees);
  const toProblems = (issues: Issue[]) => issues.map((i) => problemAt(locFor(merged, i.path, i.onKey), i.path, i.message));

  const { stack, parts, issues } = parseStack(toPlain(merged));
  problems.push(...toProblems(issues), ...toProblems(checkStack(parts)));
  if (!stack) throw fail();

  const envFiles = await readEnvFiles(read, stack, projectDir, toProblems, problems);
  const configData = await readFileObjects(read, stack, 'configs', projectDir, toProblems, problems);
  const secretData = await readFileObjects(read, stack, 'secrets', projectDir, toProblems, problems);
  const name = stackName(opts.name, stack.name, projectDir);
  if (name === '') problems.push(problemAt(merged.loc, ['name'], 'the stack needs a name of letters, digits, _ or -'));
  if (problems.length > 0) throw fail();

  const spec = normalize(stack, { name, projectDir, homeDir: os.homedir(), envFiles });
  return { stack: spec, warnings: sortProblems(warnings, opts.files).map(formatProblem), configData, secretData };
}


/** The `.env` (optional) or `--env-file` (must exist) variables. */
async function readVariables(read: ReadFile, file: string, optional: boolean, problems: Problem[]): Promise<Record<string, string>> {
  const text = (await read(file))?.toString('utf8');
  if (text === undefined) {
    if (!optional) problems.push(problemAt({ file, line: 1, col: 1 }, [], 'cannot read the env file'));
    return {};
  }
  const r = parseDotenv(text, file);
  problems.push(...r.problems);
  return r.vars;
}

type ToProblems = (issues: Issue[]) => Problem[];

/** Each service's env_file entries (relative to the project folder), later files winning. */
async function readEnvFiles(read: ReadFile, stack: ParsedStack, projectDir: string, toProblems: ToProblems, problems: Problem[]) {
  const out: Record<string, Record<string, string>> = {};
  for (const [name, svc] of Object.entries(stack.services)) {
    const files = svc.env_file ?? [];
    for (const [i, f] of files.entries()) {
      const file = path.resolve(projectDir, f);
      const text = (await read(file))?.toString('utf8');
      if (text === undefined) {
        problems.push(...toProblems([{ path: ['services', name, 'env_file', i], message: `cannot read ${file}` }]));
        continue;
      }
      const r = parseDotenv(text, file);
      problems.push(...r.problems);
      out[name] = { ...out[name], ...r.vars };
    }
  }
  return out;
}

async function readFileObjects(
  read: ReadFile,
  stack: ParsedStack,
  kind: 'configs' | 'secrets',
  projectDir: string,
  toProblems: ToProblems,
  problems: Problem[],
): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  for (const [key, obj] of Object.entries(stack[kind] ?? {})) {
    if (!obj?.file || obj.external?.external) continue;
    const file = path.resolve(projectDir, obj.file);
    const data = await read(file);
    if (data) out[key] = data;
    else {
      problems.push(...toProblems([{ path: [kind, key, 'file'], message: `file ${file} does not exist or cannot be read` }]));
    }
  }
  return out;
}
