// Read stack files the one way every part of stackd does: parse, interpolate, merge, validate,
// check, normalize. Files are read only through a ReadFile (see read.ts), with size caps.
import * as os from 'node:os';
import * as path from 'node:path';
import { canonicalize } from './canonical.js';
import { parseDotenv } from './dotenv.js';
import { type Issue, type Path, type Problem, StackFileError, formatProblem, problemAt, sortProblems } from './errors.js';
import { interpolateTree } from './interpolate.js';
import { readEnvFiles, readFileObjects } from './load-files.js';
import { mergeTrees } from './merge.js';
import { checkNames } from './names.js';
import { normalize, stackName } from './normalize.js';
import { type ReadAt, type ReadFile, fileStart, readFromDisk, readText } from './read.js';
import { getOwn } from './safe.js';
import { parseStack } from './schema.js';
import { checkStack } from './check.js';
import { validateCompose } from './compose-schema.js';
import { dropIgnored } from './ignored.js';
import { type LoadTree, resolveExtends } from './extends.js';
import type { StackSpec } from './types.js';
import { type LNode, locFor, parseYaml, toPlain } from './yaml-source.js';

export type { ReadFile } from './read.js';

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
  /** where each external network was declared ("networks.KEY" → "stack.yaml:12:7"): a deploy
   *  that finds one missing from the cluster says where */
  externalAt?: Record<string, string>;
}

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

  const envFile = opts.envFile ?? path.join(path.dirname(opts.files[0]), '.env');
  const dotenv = await readVariables(read, envFile, !opts.envFile, problems);
  const env = opts.env ?? process.env;
  const lookup = (name: string) => getOwn(env, name) ?? getOwn(dotenv, name);

  const trees: LNode[] = [];
  const schemaIssues: { issue: Issue; problem: Problem }[] = [];
  /** One stack file read, interpolated, checked by the compose-spec schema and made canonical. */
  const readTree = async (file: string, at: ReadAt): Promise<{ root?: LNode; problems: Problem[] }> => {
    const text = await readText(read, file, 'stackFile', at);
    if (!text.ok) return { problems: [text.problem] };
    const parsed = parseYaml(text.value, file);
    if (parsed.problems.length > 0) return { problems: parsed.problems };
    const interpolated = interpolateTree(parsed.root, lookup);
    warnings.push(...interpolated.warnings);
    for (const issue of validateCompose(toPlain(interpolated.node))) {
      schemaIssues.push({ issue, problem: problemAt(locFor(interpolated.node, issue.path, issue.onKey), issue.path, issue.message) });
    }
    const canonical = canonicalize(interpolated.node);
    return { root: canonical.root, problems: [...interpolated.problems, ...canonical.problems] };
  };
  // files named by `extends: {file: ...}`, read once each
  const bases = new Map<string, Promise<{ root?: LNode; problems: Problem[] }>>();
  const loadBase: LoadTree = (file, at) => {
    const key = path.resolve(file);
    if (!bases.has(key)) bases.set(key, readTree(file, { ...at, missing: `cannot read ${file}` }));
    return (bases.get(key) as Promise<{ root?: LNode; problems: Problem[] }>).then((r) => (r.root ? { root: r.root, problems: [] } : r));
  };
  for (const file of opts.files) {
    const tree = await readTree(file, fileStart(file, 'cannot read the file'));
    problems.push(...tree.problems);
    if (!tree.root) continue;
    const extended = await resolveExtends(tree.root, file, loadBase);
    problems.push(...extended.problems);
    trees.push(extended.root);
  }
  if (trees.length < opts.files.length) throw fail(); // unreadable, or not YAML
  const ignored = dropIgnored(mergeTrees(trees));
  warnings.push(...ignored.warnings);
  const merged = ignored.root;
  const toProblems = (issues: Issue[]) => issues.map((i) => problemAt(locFor(merged, i.path, i.onKey), i.path, i.message));

  const names = checkNames(merged);
  const { stack, parts, issues } = parseStack(toPlain(merged));
  const own = toProblems([...names, ...issues]);
  problems.push(...own, ...toProblems(checkStack(parts)));
  // the compose-spec schema's verdict, where stackd's own schema has nothing more precise to say
  // (about the same path, or the same place: a base service read through `extends`)
  const ownPaths = [...names, ...issues].map((i) => i.path);
  const ownPlaces = new Set(own.map((p) => `${p.file}:${p.line}:${p.col}`));
  const unsaid = ({ issue, problem: p }: { issue: Issue; problem: Problem }) =>
    !ownPaths.some((o) => overlaps(o, issue.path)) && !ownPlaces.has(`${p.file}:${p.line}:${p.col}`);
  problems.push(...schemaIssues.filter(unsaid).map((s) => s.problem));
  if (!stack) throw fail();

  const ctx = { read, projectDir, toProblems, problems };
  const envFiles = await readEnvFiles(stack, ctx);
  const configData = await readFileObjects(stack, 'configs', ctx);
  const secretData = await readFileObjects(stack, 'secrets', ctx);
  const name = stackName(opts.name, stack.name, projectDir);
  if (name === '') problems.push(problemAt(merged.loc, ['name'], 'the stack needs a name of letters, digits, _ or -'));
  if (problems.length > 0) throw fail();

  const spec = normalize(stack, { name, projectDir, homeDir: os.homedir(), envFiles });
  const externalAt = Object.fromEntries(
    Object.entries(spec.networks)
      .filter(([, n]) => n.external)
      .map(([key]) => {
        const loc = locFor(merged, ['networks', key, 'external']);
        return [`networks.${key}`, `${loc.file}:${loc.line}:${loc.col}`];
      }),
  );
  return { stack: spec, warnings: sortProblems(warnings, opts.files).map(formatProblem), configData, secretData, externalAt };
}

/** The `.env` (optional) or `--env-file` (must exist) variables. */
async function readVariables(read: ReadFile, file: string, optional: boolean, problems: Problem[]): Promise<Record<string, string>> {
  const text = await readText(read, file, 'envFile', fileStart(file, 'cannot read the env file'));
  if (!text.ok) {
    if (!(optional && text.missing)) problems.push(text.problem);
    return {};
  }
  const r = parseDotenv(text.value, file);
  problems.push(...r.problems);
  return r.vars;
}

/** One path is the other or lies under it. */
function overlaps(a: Path, b: Path): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (String(a[i]) !== String(b[i])) return false;
  return true;
}
