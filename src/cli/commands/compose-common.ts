// What every Compose command shares: the project flags, the project loaded, the Store, and the
// engines the project's containers run on.
import { Option, type Command } from 'commander';
import type { Node, Stack, Task } from '../../api/objects.js';
import { getObject, listObjects } from '../../client/objects.js';
import { checkServiceNames, loadProject, NoComposeFileError, projectFromStack, type Project, type ProjectFlags } from '../../compose/project.js';
import type { DockerRuntime } from '../../runtime/docker.js';
import type { Store } from '../../store/store.js';
import { withStore } from '../context.js';
import { collect } from '../load.js';
import { CommandError, InputError } from '../../errors.js';

/** -f/-p/--profile/--env-file on a subcommand, so `stackctl up -f x.yml` works as `docker compose -f x.yml up` does
 *  (`logs` keeps -f for --follow, as Compose's does: its file is --file). */
export function projectOptions(cmd: Command, shortFile = true): Command {
  return cmd
    .option(
      shortFile ? '-f, --file <file>' : '--file <file>',
      'compose file (repeat to merge several; default: compose.yaml, docker-compose.yml, ... in this folder or a parent)',
      collect,
    )
    .option('-p, --project-name <name>', "project name (default: COMPOSE_PROJECT_NAME, the file's name:, or the folder's name)")
    .option('--profile <profile>', 'enable services of this profile (repeatable; default COMPOSE_PROFILES)', collect)
    .option('--env-file <file>', 'variables file (replaces the .env beside the first compose file)');
}

export function timeoutOption(): Option {
  return new Option('-t, --timeout <seconds>', 'seconds to wait for the containers to stop before killing them').argParser((v) => {
    if (!/^\d+$/.test(v)) throw new InputError([`--timeout: expected whole seconds, got "${v}"`]);
    return Number(v);
  });
}

/**
 * Load the project (nothing touched yet: a bad file exits 2 here), then run `fn` with the Store.
 * Without files but with a name (-p, COMPOSE_PROJECT_NAME), commands that only act on what runs
 * (`down`, `stop`, `ps`, `logs`, ...) take the project from the Store, as Compose does.
 */
export async function withProject<T>(
  cmd: Command,
  named: string[],
  fn: (project: Project, store: Store) => Promise<T>,
  opts: { needsFiles?: boolean } = {},
): Promise<T> {
  const flags = cmd.opts<ProjectFlags>();
  const name = flags.projectName ?? process.env.COMPOSE_PROJECT_NAME;
  let project: Project | undefined;
  try {
    project = await loadProject(flags, named);
  } catch (err) {
    if (!(err instanceof NoComposeFileError) || opts.needsFiles || !name) throw err;
  }
  return withStore(cmd, async (store) => {
    if (!project) {
      const stack = await getObject<Stack>(store, 'Stack', '', name!);
      if (!stack) throw new CommandError(`no such project: ${name} (no compose file here and no stack of that name; see \`stackctl ls\`)`);
      project = projectFromStack(stack.spec);
      checkServiceNames(project, named);
    }
    return fn(project, store);
  });
}

export interface Engine {
  /** node names served by this engine */
  nodes: string[];
  runtime: DockerRuntime;
}

/** Each engine the nodes recorded, once (several nodes may share one in tests); the default
 *  engine when no node recorded one. */
export async function projectEngines(store: Store): Promise<Engine[]> {
  // loaded here, not at the top: dockerode costs every stackctl command ~0.1 s of start-up
  const [{ DockerRuntime }, { items }] = await Promise.all([import('../../runtime/docker.js'), listObjects<Node>(store, 'Node')]);
  const byEndpoint = new Map<string, string[]>();
  for (const n of items) {
    const endpoint = n.status?.dockerEndpoint;
    if (endpoint) byEndpoint.set(endpoint, [...(byEndpoint.get(endpoint) ?? []), n.metadata.name]);
  }
  if (byEndpoint.size === 0) return [{ nodes: [], runtime: DockerRuntime.connect() }];
  return [...byEndpoint].map(([endpoint, nodes]) => ({ nodes, runtime: DockerRuntime.connect(endpoint) }));
}

/** The engines and the names of this store's nodes on them. */
export async function projectScope(store: Store): Promise<{ runtimes: DockerRuntime[]; nodes: Set<string> }> {
  const engines = await projectEngines(store);
  return { runtimes: engines.map((e) => e.runtime), nodes: new Set(engines.flatMap((e) => e.nodes)) };
}

/** The services named, or all enabled ones. */
export function targetServices(project: Project, named: string[]): string[] {
  return named.length ? named : project.enabled;
}

/** The project's current tasks (not the shut-down ones kept as history): their containers are the
 *  ones Compose would show. */
export async function currentTaskIds(store: Store, project: string): Promise<Set<string>> {
  const { items } = await listObjects<Task>(store, 'Task', project);
  return new Set(items.filter((t) => t.spec.desiredState !== 'shutdown').map((t) => t.metadata.name));
}
