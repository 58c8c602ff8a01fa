// deploy, ls, rm: stacks as a whole. deploy and rm import what they need when they run (the stack-file
// parser and schema, the deploy planner): `stackctl ls` starts without them.
import type { Command } from 'commander';
import type { Resource } from '../../api/meta.js';
import type { Network } from '../../api/objects.js';
import { listObjects } from '../../client/objects.js';
import { type Listing, formatOption, storeAction } from '../command.js';
import { CommandError, InputError } from '../../errors.js';
import { printList } from '../format.js';
import { collect } from '../load.js';
import type { StackFileOptions } from '../../stacks/load-files.js';
import type { Store } from '../../store/store.js';
import { awaitConvergence, parseTimeout } from '../wait.js';
import { apiClientFor } from '../context.js';

const STACK_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

function checkStackName(name: string): void {
  if (!STACK_NAME.test(name)) {
    throw new InputError([`invalid stack name "${name}": use lower-case letters, digits, "-" and "_" (at most 63), starting with a letter or digit`]);
  }
}

interface DeployFlags extends StackFileOptions {
  prune?: boolean;
  detach: boolean;
  timeout: string;
}

/** Wait with a live view; exit non-zero (CommandError) on failure or timeout. */
async function waitAndReport(store: Store, name: string, timeoutMs: number, since: Date): Promise<void> {
  const outcome = await awaitConvergence(store, `stack ${name}`, name, { timeoutMs, since });
  process.stdout.write(`stack ${name} converged: ${outcome.services.length} service(s) running\n`);
}

export function registerStacks(program: Command): void {
  program
    .command('deploy')
    .description('Deploy a new stack or update an existing one')
    .requiredOption('-c, --compose-file <file>', 'stack file (repeat to merge several, in order)', collect)
    .option('--env-file <file>', 'variables file (replaces the .env beside the first stack file)')
    .option('--prune', 'remove services, networks, volumes, configs and secrets no longer in the files')
    .option('-d, --detach', 'return once the stack is written, without waiting for it to converge', false)
    .option('--timeout <duration>', 'how long to wait for convergence (e.g. 90s, 5m)', '5m')
    .argument('<stack>', 'stack name')
    .action(
      storeAction(
        async (opts: DeployFlags, name: string) => {
          checkStackName(name);
          // what the files read and the variables they use are kept: a deploy through the API sends them
          const { loadForUpload } = await import('../../stacks/stack-upload.js');
          return { timeoutMs: parseTimeout(opts.timeout), ...(await loadForUpload(opts, name)) };
        },
        async ({ store, opts, cmd, input: { timeoutMs, loaded, upload } }, name) => {
          const remote = await apiClientFor(cmd);
          if (Object.values(loaded.stack.networks).some((n) => n.external)) {
            const { missingExternalNetworks } = await import('../../net/cluster-network.js');
            // an external network must be a cluster network already (stackctl network create);
            // the API lists networks of all namespaces, not the cluster's ('') alone
            const networks = await listObjects<Network>(store, 'Network', remote ? undefined : '');
            const missing = missingExternalNetworks(loaded.stack, networks.items, loaded.externalAt);
            if (missing.length) throw new InputError(missing);
          }
          const since = new Date();
          if (remote) {
            // the server loads the same files and deploys them in one transaction
            const { deployThroughApi } = await import('../../apiserver-client/stack-deploy.js');
            process.stdout.write(`stack/${name} ${await deployThroughApi(remote.kc, name, upload, opts.prune === true)}\n`);
            if (!opts.detach) await waitAndReport(store, name, timeoutMs, since);
            return;
          }
          const { deployStack } = await import('../../stacks/apply.js');
          const { results } = await deployStack(store, name, loaded, { prune: opts.prune });
          for (const r of results) {
            const shown = r.namespace ? `${r.namespace}_${r.name}` : r.name;
            process.stdout.write(`${r.kind.toLowerCase()}/${shown} ${r.change}\n`);
          }
          if (!opts.detach) await waitAndReport(store, name, timeoutMs, since);
        },
      ),
    );

  program
    .command('ls')
    .alias('stack-ls')
    .description('List stacks')
    .addOption(formatOption())
    .action(
      storeAction<Listing>(async ({ store, opts }) => {
        const [stacks, services] = await Promise.all([listObjects(store, 'Stack'), listObjects(store, 'Service')]);
        const count = new Map<string, number>();
        for (const s of services.items) count.set(s.metadata.namespace, (count.get(s.metadata.namespace) ?? 0) + 1);
        const rows = stacks.items
          .map((s: Resource) => ({ name: s.metadata.name, services: count.get(s.metadata.name) ?? 0, created: s.metadata.creationTimestamp }))
          .sort((a, b) => a.name.localeCompare(b.name));
        printList(opts.format, rows, ['NAME', 'SERVICES', 'CREATED'], (r) => [r.name, String(r.services), r.created]);
      }),
    );

  program
    .command('rm')
    .description('Remove one or more stacks and everything they own')
    .argument('<stack...>', 'stack names')
    .action(
      storeAction<unknown, [string[]]>(async ({ store }, names) => {
        const { removeStack } = await import('../../stacks/apply.js');
        const missing: string[] = [];
        for (const name of names) {
          const removed = await removeStack(store, name);
          if (!removed) {
            missing.push(name);
            continue;
          }
          for (const obj of removed.filter((o) => o.kind !== 'Task').reverse()) {
            const shown = obj.metadata.namespace ? `${obj.metadata.namespace}_${obj.metadata.name}` : obj.metadata.name;
            process.stdout.write(`Removing ${obj.kind.toLowerCase()} ${shown}\n`);
          }
        }
        if (missing.length) throw new CommandError(`nothing found in stack: ${missing.join(', ')}`);
      }),
    );
}
