// `stackctl ps` (Compose's, for a project; `stackctl tasks`-style listings stay under their own
// names): the containers as the engines see them, in Compose's columns.
import type { Command } from 'commander';
import { listProjectContainers, type ProjectContainer } from '../../compose/containers.js';
import { formatOption } from '../command.js';
import { type OutputFormat, printList } from '../format.js';
import { ago } from '../../views/rows.js';
import { currentTaskIds, projectOptions, projectScope, withProject } from './compose-common.js';

const HEADERS = ['NAME', 'IMAGE', 'COMMAND', 'SERVICE', 'CREATED', 'STATUS', 'PORTS'];

/** Docker's quoted, shortened COMMAND column. Pure. */
export function shortCommand(command: string, max = 20): string {
  const text = command.length > max ? `${command.slice(0, max - 1)}…` : command;
  return `"${text}"`;
}

function row(c: ProjectContainer, now: Date): string[] {
  return [c.name, c.image, shortCommand(c.command), c.service, ago(new Date(c.created * 1000).toISOString(), now), c.status, c.ports];
}

/** What --format json prints per container (Compose's field names). */
function jsonRow(c: ProjectContainer) {
  return {
    ID: c.id,
    Name: c.name,
    Image: c.image,
    Command: c.command,
    Service: c.service,
    Index: c.index,
    Node: c.node,
    Created: c.created,
    State: c.state,
    Status: c.status,
    Ports: c.ports,
  };
}

export function registerPs(program: Command): void {
  projectOptions(program.command('ps'))
    .description("List the project's containers (Compose)")
    .option('-a, --all', 'stopped containers too')
    .addOption(formatOption())
    .argument('[service...]', 'only these services')
    .action(async (named: string[], opts: { all?: boolean; format: OutputFormat }, cmd: Command) => {
      const { format } = opts;
      await withProject(cmd, named, async (project, store) => {
        const { runtimes } = await projectScope(store);
        const list = await listProjectContainers(runtimes, project.name, { all: opts.all, services: named, tasks: await currentTaskIds(store, project.name) });
        const now = new Date();
        if (format === 'json') printList('json', list.map(jsonRow), [], () => []);
        else printList('table', list, HEADERS, (c) => row(c, now));
      });
    });
}
