// A Compose project: which files, which name, which services. The lookup and the profile rules
// are Compose's; the loading is stackd's one parser (src/stackfile via src/stacks/load-files.ts).
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { LoadedStack } from '../stackfile/index.js';
import { parseDotenv } from '../stackfile/dotenv.js';
import type { ServiceSpec, StackSpec } from '../stackfile/types.js';
import { DEFAULT_RESTART_POLICY } from '../stackfile/defaults.js';
import { CommandError, InputError } from '../errors.js';
import { loadStackFiles } from '../stacks/load-files.js';

/** No compose file was given or found. */
export class NoComposeFileError extends CommandError {}

export const COMPOSE_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
const OVERRIDE_NAMES: Record<string, string[]> = {
  'compose.yaml': ['compose.override.yaml', 'compose.override.yml'],
  'compose.yml': ['compose.override.yml', 'compose.override.yaml'],
  'docker-compose.yml': ['docker-compose.override.yml', 'docker-compose.override.yaml'],
  'docker-compose.yaml': ['docker-compose.override.yaml', 'docker-compose.override.yml'],
};

export interface ProjectFlags {
  file?: string[];
  projectName?: string;
  profile?: string[];
  envFile?: string;
}

export interface Project {
  name: string;
  /** the folder of the first file: relative paths, `.env` and build contexts resolve against it */
  dir: string;
  files: string[];
  /** every service of the files (profiles not applied) */
  loaded: LoadedStack;
  /** the services the active profiles (and the command line) enable */
  enabled: string[];
}

/** Compose's lookup: the first default file name found in `cwd` or a parent, plus its override. */
export function findComposeFiles(cwd: string, exists: (file: string) => boolean = existsSync): string[] | undefined {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const base = COMPOSE_FILE_NAMES.find((n) => exists(path.join(dir, n)));
    if (base) {
      const override = OVERRIDE_NAMES[base].find((n) => exists(path.join(dir, n)));
      return [path.join(dir, base), ...(override ? [path.join(dir, override)] : [])];
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The files named by -f, else COMPOSE_FILE (path-separated), else the lookup. */
export function projectFiles(flags: ProjectFlags, env: Record<string, string | undefined>, cwd: string): string[] {
  if (flags.file?.length) return flags.file.map((f) => path.resolve(cwd, f));
  if (env.COMPOSE_FILE)
    return env.COMPOSE_FILE.split(path.delimiter)
      .filter(Boolean)
      .map((f) => path.resolve(cwd, f));
  const found = findComposeFiles(cwd);
  if (!found) {
    throw new NoComposeFileError(`no configuration file provided: not found (looked for ${COMPOSE_FILE_NAMES.join(', ')} in ${cwd} and its parents); use -f FILE`);
  }
  return found;
}

/** Profiles from --profile, else COMPOSE_PROFILES (comma-separated). */
export function activeProfiles(flags: ProjectFlags, env: Record<string, string | undefined>): string[] {
  if (flags.profile?.length) return flags.profile;
  return (env.COMPOSE_PROFILES ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

/**
 * Compose's profile rule: a service without `profiles:` is always on, one with profiles is on when
 * one of them is active or it is named on the command line; dependencies of enabled services come
 * along. Pure. Unknown names in `named` are the caller's to report.
 */
export function enabledServices(services: Record<string, ServiceSpec>, profiles: string[], named: string[] = []): string[] {
  const active = new Set(profiles);
  const on = new Set<string>();
  const add = (name: string) => {
    if (on.has(name) || !services[name]) return;
    on.add(name);
    for (const dep of Object.keys(services[name].depends_on)) add(dep);
  };
  for (const [name, svc] of Object.entries(services)) {
    if (active.has('*') || !svc.profiles?.length || svc.profiles.some((p) => active.has(p))) add(name);
  }
  for (const name of named) add(name);
  return [...on].sort();
}

/** The services `names` stand for with their dependencies (all enabled ones when `names` is empty). Pure. */
export function withDependencies(services: Record<string, ServiceSpec>, names: string[]): string[] {
  const out = new Set<string>();
  const add = (name: string) => {
    if (out.has(name) || !services[name]) return;
    out.add(name);
    for (const dep of Object.keys(services[name].depends_on)) add(dep);
  };
  names.forEach(add);
  return [...out].sort();
}

/** Compose's default restart policy is "no" (Swarm's is "any"): a service that says nothing about
 *  restarting runs once, which is what makes one-shot jobs like a migration work. Pure. */
export function composeRestartDefaults(spec: StackSpec): StackSpec {
  const services = Object.fromEntries(
    Object.entries(spec.services).map(([name, svc]) => {
      const p = svc.deploy.restart_policy;
      const untouched = svc.restart === undefined && JSON.stringify(p) === JSON.stringify(DEFAULT_RESTART_POLICY);
      return [name, untouched ? { ...svc, deploy: { ...svc.deploy, restart_policy: { ...p, condition: 'none' as const } } } : svc];
    }),
  );
  return { ...spec, services };
}

/** A stack of only `names` (networks, volumes, configs and secrets kept whole). Pure. */
export function onlyServices(spec: StackSpec, names: string[]): StackSpec {
  return { ...spec, services: Object.fromEntries(names.map((n) => [n, spec.services[n]])) };
}

/** Names on the command line that are not services of the project: bad input. */
export function checkServiceNames(project: Project, names: string[]): void {
  const unknown = names.filter((n) => !project.loaded.stack.services[n]);
  if (unknown.length) {
    const known = Object.keys(project.loaded.stack.services).sort().join(', ');
    throw new InputError([`no such service: ${unknown.join(', ')} (the project ${project.name} has ${known || 'none'})`]);
  }
}

/** COMPOSE_PROJECT_NAME and COMPOSE_PROFILES may also be set in the project's `.env` (or
 *  --env-file), as Compose reads them; the environment wins. Problems in the file are the
 *  loader's to report. */
function withDotenv(env: Record<string, string | undefined>, file: string): Record<string, string | undefined> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return env;
  }
  const { vars } = parseDotenv(text, file);
  const pick = (k: string) => (env[k] === undefined && vars[k] !== undefined ? { [k]: vars[k] } : {});
  return { ...env, ...pick('COMPOSE_PROJECT_NAME'), ...pick('COMPOSE_PROFILES') };
}

/** Resolve and load the project; `named` services enable themselves whatever their profiles. */
export async function loadProject(flags: ProjectFlags, named: string[] = [], processEnv = process.env, cwd = process.cwd()): Promise<Project> {
  const files = projectFiles(flags, processEnv, cwd);
  const env = withDotenv(processEnv, flags.envFile ? path.resolve(cwd, flags.envFile) : path.join(path.dirname(files[0]), '.env'));
  const loaded = await loadStackFiles({ composeFile: files, envFile: flags.envFile }, flags.projectName ?? env.COMPOSE_PROJECT_NAME);
  const stack = composeRestartDefaults(loaded.stack);
  const project: Project = {
    name: stack.name,
    dir: path.dirname(files[0]),
    files,
    loaded: { ...loaded, stack },
    enabled: enabledServices(stack.services, activeProfiles(flags, env), named),
  };
  checkServiceNames(project, named);
  return project;
}

/** A project known only by name (`down -p NAME` away from its files, as Compose allows): its
 *  services as the Store keeps them. */
export function projectFromStack(spec: StackSpec, cwd = process.cwd()): Project {
  return {
    name: spec.name,
    dir: cwd,
    files: [],
    loaded: { stack: spec, warnings: [], configData: {}, secretData: {} },
    enabled: Object.keys(spec.services).sort(),
  };
}
