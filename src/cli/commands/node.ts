// node ls | inspect | update | rm
import { type Command, Option } from 'commander';
import { objectKey } from '../../api/keys.js';
import type { Network, Node } from '../../api/objects.js';
import { nodeOverlay } from './network.js';
import { listObjects } from '../../client/objects.js';
import { type Listing, formatOption, storeAction } from '../command.js';
import { CommandError, InputError } from '../../errors.js';
import { printList } from '../format.js';
import { collect } from '../load.js';
import { findNode } from '../resolve.js';
import { updateNodeSpec } from '../../actions/node-write.js';
import { NODE_HEADERS, nodeCells, nodeRow } from '../../views/rows.js';

interface UpdateFlags {
  availability?: Node['spec']['availability'];
  labelAdd: string[];
  labelRm: string[];
}

/** The node's spec after `node update` flags. Pure. */
export function updatedNodeSpec(spec: Node['spec'], flags: UpdateFlags): Node['spec'] {
  const labels = { ...spec.labels };
  for (const kv of flags.labelAdd) {
    const eq = kv.indexOf('=');
    if (eq === 0) throw new InputError([`--label-add: expected key=value or key, got "${kv}"`]);
    if (eq < 0) labels[kv] = '';
    else labels[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  for (const k of flags.labelRm) {
    if (!(k in labels)) throw new InputError([`--label-rm: node has no label "${k}"`]);
    delete labels[k];
  }
  return { ...spec, availability: flags.availability ?? spec.availability, labels };
}

export function registerNodeCommands(program: Command): void {
  const node = program.command('node').description('Manage nodes');

  node
    .command('ls')
    .description('List nodes')
    .addOption(formatOption())
    .action(
      storeAction<Listing>(async ({ store, opts }) => {
        const { items } = await listObjects<Node>(store, 'Node');
        printList(opts.format, items.map(nodeRow), NODE_HEADERS, nodeCells);
      }),
    );

  node
    .command('inspect')
    .description('Show nodes as JSON')
    .argument('<node...>', 'node names')
    .action(
      storeAction<unknown, [string[]]>(async ({ store }, names) => {
        const found = await Promise.all(names.map((n) => findNode(store, n)));
        const { items: networks } = await listObjects<Network>(store, 'Network');
        const withOverlay = found.map((n) => ({ ...n, overlay: nodeOverlay(n.metadata.name, networks) }));
        process.stdout.write(`${JSON.stringify(withOverlay, null, 2)}\n`);
      }),
    );

  node
    .command('update')
    .description("Update a node's availability or labels")
    .argument('<node>', 'node name')
    .addOption(
      new Option('--availability <availability>', 'active: take tasks; pause: keep tasks, take no new ones; drain: move tasks away').choices([
        'active',
        'pause',
        'drain',
      ]),
    )
    .option('--label-add <key=value>', 'add or update a node label (repeatable)', collect, [])
    .option('--label-rm <key>', 'remove a node label (repeatable)', collect, [])
    .action(
      storeAction<UpdateFlags, [string]>(async ({ store, opts: flags }, name) => {
        await updateNodeSpec(store, name, (spec) => updatedNodeSpec(spec, flags));
        process.stdout.write(`${name}\n`);
      }),
    );

  node
    .command('rm')
    .description('Remove nodes from the cluster')
    .argument('<node...>', 'node names')
    .option('-f, --force', 'remove a node that is still ready', false)
    .action(
      storeAction<{ force: boolean }, [string[]]>(async ({ store, opts }, names) => {
        for (const name of names) {
          const n = await findNode(store, name);
          if (n.status?.state === 'ready' && !opts.force) {
            throw new CommandError(`node ${name} is ready: stop its agent first, or use --force (its tasks are then replaced elsewhere)`);
          }
          const res = await store.txn([{ op: 'delete', key: objectKey('Node', '', name), revision: Number(n.metadata.resourceVersion) }]);
          if (!res.succeeded) throw new CommandError(`node ${name} changed meanwhile; try again`);
          process.stdout.write(`${name}\n`);
        }
      }),
    );
}
