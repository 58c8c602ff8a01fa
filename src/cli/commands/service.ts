// service ls | ps | inspect | scale | logs
import type { Command } from 'commander';
import type { Network, Service } from '../../api/objects.js';
import { serviceEndpoint } from './network.js';
import { listObjects } from '../../client/objects.js';
import { type Listing, formatOption, serviceAction, storeAction } from '../command.js';
import { InputError } from '../../errors.js';
import { printList } from '../format.js';
import { findService, tasksOf } from '../resolve.js';
import { SERVICE_HEADERS, serviceCells, serviceRow, TASK_HEADERS, taskCells, taskRows } from '../../views/rows.js';
import { collect } from '../load.js';
import { latestEvents } from '../object-events.js';
import { undoService, updateService } from '../../actions/service-write.js';
import { scaleService } from '../../actions/service-actions.js';
import { awaitConvergence } from '../wait.js';
import type { ServiceSpec } from '../../stackfile/types.js';
import type { Store } from '../../store/store.js';

interface UpdateFlags {
  image?: string;
  envAdd: string[];
  envRm: string[];
  replicas?: string;
  detach: boolean;
}

/** The template after `service update` flags. Pure. */
export function updatedTemplate(t: ServiceSpec, flags: Omit<UpdateFlags, 'detach'>): ServiceSpec {
  const environment = { ...t.environment };
  for (const kv of flags.envAdd) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new InputError([`--env-add: expected KEY=VALUE, got "${kv}"`]);
    environment[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  for (const k of flags.envRm) delete environment[k];
  const deploy = flags.replicas === undefined ? t.deploy : { ...t.deploy, replicas: Number(flags.replicas) };
  return { ...t, ...(flags.image ? { image: flags.image } : {}), environment, deploy };
}

function waitForRollout(store: Store, svc: Service, name: string): Promise<unknown> {
  return awaitConvergence(store, `${name} rollout`, svc.metadata.namespace, {
    timeoutMs: 10 * 60_000,
    since: new Date(Date.now() - 1000),
    service: svc.metadata.name,
  });
}

function parseScale(arg: string): [string, number] {
  const m = /^(.+)=(\d+)$/.exec(arg);
  if (!m) throw new InputError([`invalid scale "${arg}": expected SERVICE=REPLICAS, e.g. accounts_web=3`]);
  return [m[1], Number(m[2])];
}

export function registerServiceCommands(program: Command): void {
  const service = program.command('service').description('Manage services');

  service
    .command('ls')
    .description('List services')
    .addOption(formatOption())
    .action(
      storeAction<Listing>(async ({ store, opts }) => {
        const { items } = await listObjects<Service>(store, 'Service');
        printList(opts.format, items.map(serviceRow), SERVICE_HEADERS, serviceCells);
      }),
    );

  service
    .command('ps')
    .description("List a service's tasks")
    .argument('<service>', 'STACK_SERVICE')
    .addOption(formatOption())
    .action(
      serviceAction<Listing>(async ({ store, opts, svc }) => {
        const now = new Date();
        printList(opts.format, taskRows(await tasksOf(store, svc.metadata.namespace, svc.metadata.name), now), TASK_HEADERS, (r) => taskCells(r, now));
      }),
    );

  service
    .command('inspect')
    .description('Show services as JSON, with their endpoint and latest events')
    .argument('<service...>', 'STACK_SERVICE')
    .action(
      storeAction<unknown, [string[]]>(async ({ store }, names) => {
        const found = await Promise.all(names.map((n) => findService(store, n)));
        const { items: networks } = await listObjects<Network>(store, 'Network');
        const withEndpoint = await Promise.all(
          found.map(async (svc) => {
            const object = { kind: 'Service' as const, stack: svc.metadata.namespace, name: svc.metadata.name };
            const events = await latestEvents(store, { object });
            return { ...svc, endpoint: serviceEndpoint(svc, networks), ...(events ? { events } : {}) };
          }),
        );
        process.stdout.write(`${JSON.stringify(withEndpoint, null, 2)}\n`);
      }),
    );

  service
    .command('scale')
    .description('Set the number of replicas of one or more replicated services')
    .argument('<service=replicas...>', 'e.g. accounts_web=3')
    .action(
      storeAction<unknown, [string, number][], [string[]]>(
        (_opts, args) => args.map(parseScale),
        async ({ store, input: wanted }) => {
          for (const [name, replicas] of wanted) {
            await scaleService(store, name, replicas);
            process.stdout.write(`${name} scaled to ${replicas}\n`);
          }
        },
      ),
    );

  service
    .command('update')
    .description('Change a service: a new revision rolls out per its update_config')
    .argument('<service>', 'STACK_SERVICE')
    .option('--image <image>', 'new image')
    .option('--env-add <key=value>', 'add or change an environment variable (repeatable)', collect, [])
    .option('--env-rm <key>', 'remove an environment variable (repeatable)', collect, [])
    .option('--replicas <n>', 'number of replicas (replicated services)')
    .option('-d, --detach', 'return at once instead of waiting for the rollout', false)
    .action(
      storeAction<UpdateFlags, void, [string]>(
        (opts) => {
          if (opts.replicas !== undefined && !/^\d+$/.test(opts.replicas)) throw new InputError([`--replicas: expected a number, got "${opts.replicas}"`]);
        },
        async ({ store, opts }, name) => {
          const svc = await updateService(store, name, (prev) => ({ ...prev, spec: { ...prev.spec, template: updatedTemplate(prev.spec.template, opts) } }));
          process.stdout.write(`${name}\n`);
          if (!opts.detach) await waitForRollout(store, svc, name);
        },
      ),
    );

  service
    .command('rollback')
    .description('Return a service to its previous revision (rollout undo)')
    .argument('<service>', 'STACK_SERVICE')
    .option('-d, --detach', 'return at once instead of waiting for the rollout', false)
    .action(
      storeAction<{ detach: boolean }, [string]>(async ({ store, opts }, name) => {
        const { svc, revision } = await undoService(store, name);
        process.stdout.write(`${name} rolled back to revision ${revision}\n`);
        if (!opts.detach) await waitForRollout(store, svc, name);
      }),
    );

  service
    .command('logs')
    .description("Fetch a service's logs (from every node's engine)")
    .argument('<service>', 'STACK_SERVICE')
    .option('-f, --follow', 'follow log output', false)
    .option('-n, --tail <lines>', "number of lines to show from the end of each task's log", 'all')
    .option('-t, --timestamps', 'show timestamps', false)
    .action(
      storeAction<{ follow: boolean; tail: string; timestamps: boolean }, void, [string]>(
        (opts) => {
          if (opts.tail !== 'all' && !/^\d+$/.test(opts.tail)) throw new InputError([`--tail: expected a number or "all", got "${opts.tail}"`]);
        },
        async ({ store, opts }, name) => {
          const svc = await findService(store, name);
          // loaded on demand: only logs needs the Docker client, and every other command starts faster
          const { streamServiceLogs } = await import('../logs.js');
          await streamServiceLogs(store, svc, { follow: opts.follow, tail: opts.tail === 'all' ? undefined : Number(opts.tail), timestamps: opts.timestamps });
        },
      ),
    );
}
