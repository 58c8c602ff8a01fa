// network create | rm: cluster networks that stacks share (src/net/cluster-network.ts).
import type { Command } from 'commander';
import type { Network, Stack } from '../../api/objects.js';
import { systemClock } from '../../client/clock.js';
import { deleteOp, materialize } from '../../client/materialize.js';
import { listObjects } from '../../client/objects.js';
import { CommandError, InputError } from '../../errors.js';
import { planNetworkCreate, stacksUsing, type CreateFlags } from '../../net/cluster-network.js';
import { storeAction } from '../command.js';
import { collect } from '../load.js';

type CreateOpts = Omit<CreateFlags, 'labels'> & { label: string[] };

export function registerNetworkWrites(network: Command): void {
  network
    .command('create')
    .description('Create a cluster network that stacks join as `external: true`')
    .option('-d, --driver <driver>', 'network driver (overlay)', 'overlay')
    .option('--subnet <cidr>', 'IPv4 subnet, /24 or larger (default: a free /20 of the cluster pool)')
    .option('--attachable', 'standalone containers may join it on any node', false)
    .option('--internal', 'no way out of the network', false)
    .option('--label <key=value>', 'network label (repeatable)', collect, [])
    .argument('<name>', 'network name')
    .action(
      storeAction<CreateOpts, CreateFlags, [string]>(
        // what needs no Store is refused before it is opened
        (opts, name) => {
          const flags = { ...opts, labels: opts.label };
          const plan = planNetworkCreate(name, flags, []);
          if ('problems' in plan) throw new InputError(plan.problems);
          return flags;
        },
        async ({ store, input }, name) => {
          const { items } = await listObjects<Network>(store, 'Network');
          const plan = planNetworkCreate(name, input, items);
          if ('problems' in plan) throw new InputError(plan.problems);
          const { op } = materialize(plan.object, undefined, systemClock);
          const res = await store.txn([op!]);
          if (!res.succeeded) throw new InputError([`network ${name} already exists`]);
          process.stdout.write(`${name}\n`);
        },
      ),
    );

  network
    .command('rm')
    .alias('remove')
    .description('Remove cluster networks (refused while a stack names one as external)')
    .argument('<name...>', 'network names')
    .action(
      storeAction<unknown, [string[]]>(async ({ store }, names) => {
        const [{ items }, { items: stacks }] = await Promise.all([listObjects<Network>(store, 'Network', ''), listObjects<Stack>(store, 'Stack')]);
        const failed: string[] = [];
        for (const name of names) {
          const net = items.find((n) => n.metadata.name === name && n.metadata.name !== 'ingress');
          const users = stacksUsing(name, stacks);
          if (!net) failed.push(`no such cluster network: ${name}${name.includes('_') ? " (a stack's own network goes with its stack: stackctl rm STACK)" : ''}`);
          else if (users.length)
            failed.push(
              `network ${name} is in use by stack${users.length > 1 ? 's' : ''} ${users.join(', ')}: remove ${users.length > 1 ? 'them' : 'it'} first (stackctl rm ${users.join(' ')})`,
            );
          else if (!(await store.txn([deleteOp(net)])).succeeded) failed.push(`network ${name} changed meanwhile; try again`);
          else process.stdout.write(`${name}\n`);
        }
        if (failed.length) throw new CommandError(failed.join('\n'));
      }),
    );
}
