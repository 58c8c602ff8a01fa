// service ls | ps | inspect | scale | logs
import type { Command } from 'commander';
import type { Network, Service } from '../../api/objects.js';
import { serviceEndpoint } from './network.js';
import { listObjects } from '../../client/objects.js';
import { withStore } from '../context.js';
import { CommandError, InputError } from '../../errors.js';
import { parseFormat, printList } from '../format.js';
import { findService, tasksOf } from '../resolve.js';
import { SERVICE_HEADERS, serviceCells, serviceRow, TASK_HEADERS, taskCells, taskRows } from '../views.js';
import { collect } from '../load.js';
import { undoService, updateService } from '../service-write.js';
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
  return awaitConvergence(store, `${name} rollout`, svc.metadata.namespace, { timeoutMs: 10 * 60_000, since: new Date(Date.now() - 1000), service: svc.metadata.name });
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
    .option('--format <format>', 'table or json', 'table')
    .action(async (opts: { format: string }, cmd: Command) => {
      const format = parseFormat(opts.format);
      await withStore(cmd, async (store) => {
        const { items } = await listObjects<Service>(store, 'Service');
        printList(format, items.map(serviceRow), SERVICE_HEADERS, serviceCells);
      });
    });

  service
    .command('ps')
    .description("List a service's tasks")
    .argument('<service>', 'STACK_SERVICE')
    .option('--format <format>', 'table or json', 'table')
    .action(async (name: string, opts: { format: string }, cmd: Command) => {
      const format = parseFormat(opts.format);
      await withStore(cmd, async (store) => {
        const svc = await findService(store, name);
        const now = new Date();
        printList(format, taskRows(await tasksOf(store, svc.metadata.namespace, svc.metadata.name), now), TASK_HEADERS, (r) => taskCells(r, now));
      });
    });

  service
    .command('inspect')
    .description('Show services as JSON')
    .argument('<service...>', 'STACK_SERVICE')
    .action(async (names: string[], _opts: unknown, cmd: Command) => {
      await withStore(cmd, async (store) => {
        const found = await Promise.all(names.map((n) => findService(store, n)));
        const { items: networks } = await listObjects<Network>(store, 'Network');
        const withEndpoint = found.map((svc) => ({ ...svc, endpoint: serviceEndpoint(svc, networks) }));
        process.stdout.write(JSON.stringify(withEndpoint, null, 2) + '\n');
      });
    });

  service
    .command('scale')
    .description('Set the number of replicas of one or more replicated services')
    .argument('<service=replicas...>', 'e.g. accounts_web=3')
    .action(async (args: string[], _opts: unknown, cmd: Command) => {
      const wanted = args.map(parseScale);
      await withStore(cmd, async (store) => {
        for (const [name, replicas] of wanted) {
          await updateService(store, name, (svc) => {
            if (svc.spec.template.deploy.mode !== 'replicated') throw new CommandError(`${name}: scale can only be used with replicated mode`);
            return { ...svc, spec: { ...svc.spec, template: { ...svc.spec.template, deploy: { ...svc.spec.template.deploy, replicas } } } };
          });
          process.stdout.write(`${name} scaled to ${replicas}\n`);
        }
      });
    });

  service
    .command('update')
    .description('Change a service: a new revision rolls out per its update_config')
    .argument('<service>', 'STACK_SERVICE')
    .option('--image <image>', 'new image')
    .option('--env-add <key=value>', 'add or change an environment variable (repeatable)', collect, [])
    .option('--env-rm <key>', 'remove an environment variable (repeatable)', collect, [])
    .option('--replicas <n>', 'number of replicas (replicated services)')
    .option('-d, --detach', 'return at once instead of waiting for the rollout', false)
    .action(async (name: string, opts: UpdateFlags, cmd: Command) => {
      if (opts.replicas !== undefined && !/^\d+$/.test(opts.replicas)) throw new InputError([`--replicas: expected a number, got "${opts.replicas}"`]);
      await withStore(cmd, async (store) => {
        const svc = await updateService(store, name, (prev) => ({ ...prev, spec: { ...prev.spec, template: updatedTemplate(prev.spec.template, opts) } }));
        process.stdout.write(`${name}\n`);
        if (!opts.detach) await waitForRollout(store, svc, name);
      });
    });

  service
    .command('rollback')
    .description('Return a service to its previous revision (rollout undo)')
    .argument('<service>', 'STACK_SERVICE')
    .option('-d, --detach', 'return at once instead of waiting for the rollout', false)
    .action(async (name: string, opts: { detach: boolean }, cmd: Command) => {
      await withStore(cmd, async (store) => {
        const { svc, revision } = await undoService(store, name);
        process.stdout.write(`${name} rolled back to revision ${revision}\n`);
        if (!opts.detach) await waitForRollout(store, svc, name);
      });
    });

  service
    .command('logs')
    .description("Fetch a service's logs (from every node's engine)")
    .argument('<service>', 'STACK_SERVICE')
    .option('-f, --follow', 'follow log output', false)
    .option('-n, --tail <lines>', 'number of lines to show from the end of each task\'s log', 'all')
    .option('-t, --timestamps', 'show timestamps', false)
    .action(async (name: string, opts: { follow: boolean; tail: string; timestamps: boolean }, cmd: Command) => {
      if (opts.tail !== 'all' && !/^\d+$/.test(opts.tail)) throw new InputError([`--tail: expected a number or "all", got "${opts.tail}"`]);
      await withStore(cmd, async (store) => {
        const svc = await findService(store, name);
        // loaded on demand: only logs needs the Docker client, and every other command starts faster
        const { streamServiceLogs } = await import('../logs.js');
        await streamServiceLogs(store, svc, { follow: opts.follow, tail: opts.tail === 'all' ? undefined : Number(opts.tail), timestamps: opts.timestamps });
      });
    });
}
