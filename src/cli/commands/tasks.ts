// ps and services: a stack's tasks and services.
import type { Command } from 'commander';
import type { Service } from '../../api/objects.js';
import { listObjects } from '../../client/objects.js';
import { type Listing, formatOption, storeAction } from '../command.js';
import { printList } from '../format.js';
import { findStack, tasksOf } from '../resolve.js';
import { SERVICE_HEADERS, serviceCells, serviceRow, TASK_HEADERS, taskCells, taskRows } from '../../views/rows.js';

export function registerTaskCommands(program: Command): void {
  program
    .command('ps')
    .description("List a stack's tasks")
    .argument('<stack>', 'stack name')
    .addOption(formatOption())
    .action(
      storeAction<Listing, [string]>(async ({ store, opts }, stack) => {
        await findStack(store, stack);
        const now = new Date();
        printList(opts.format, taskRows(await tasksOf(store, stack), now), TASK_HEADERS, (r) => taskCells(r, now));
      }),
    );

  program
    .command('services')
    .description("List a stack's services")
    .argument('<stack>', 'stack name')
    .addOption(formatOption())
    .action(
      storeAction<Listing, [string]>(async ({ store, opts }, stack) => {
        await findStack(store, stack);
        const { items } = await listObjects<Service>(store, 'Service', stack);
        printList(opts.format, items.map(serviceRow), SERVICE_HEADERS, serviceCells);
      }),
    );
}
