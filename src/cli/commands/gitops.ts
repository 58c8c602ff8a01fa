// stackctl gitops add | ls | status | sync | suspend | resume | rm | create-secret
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { GitSource } from '../../api/objects.js';
import { getObject, listObjects } from '../../client/objects.js';
import { SECRET_KEYS, writeGitOpsSecret } from '../../gitops/credentials.js';
import { requestSync } from '../../gitops/request.js';
import { checkName, gitSourceSpec, parseSecretPair, type AddFlags } from '../../gitops/source-spec.js';
import { createGitSource, deleteGitSource, updateGitSourceSpec } from '../../gitops/sources.js';
import { renderStatus, sourceCells, sourceRow, SOURCE_HEADERS } from '../../gitops/views.js';
import { waitForSyncResult } from '../../gitops/wait-sync.js';
import { removeOwnedStacks } from '../../gitops/prune.js';
import type { Store } from '../../store/store.js';
import { type Listing, formatOption, storeAction } from '../command.js';
import { apiClientFor, withStore } from '../context.js';
import { CommandError, InputError } from '../../errors.js';
import { printList } from '../format.js';
import { collect } from '../load.js';
import { parseTimeout } from '../wait.js';

function checkSourceName(name: string): void {
  const e = checkName('gitsource name', name);
  if (e) throw new InputError([e]);
}

async function mustGet(store: Store, name: string): Promise<GitSource> {
  const src = await getObject<GitSource>(store, 'GitSource', '', name);
  if (!src) throw new CommandError(`gitsource ${name} not found (stackctl gitops ls lists them)`);
  return src;
}

async function setSuspend(cmd: Command, name: string, suspend: boolean): Promise<void> {
  checkSourceName(name);
  await withStore(cmd, async (store) => {
    const src = await updateGitSourceSpec(store, name, (spec) => ({ ...spec, suspend }));
    if (!src) throw new CommandError(`gitsource ${name} not found (stackctl gitops ls lists them)`);
    process.stdout.write(`gitsource/${name} ${suspend ? 'suspended' : 'resumed'}\n`);
  });
}

export function registerGitOpsCommands(program: Command): void {
  const gitops = program.command('gitops').description('Keep stacks in sync with git repositories');

  gitops
    .command('add')
    .description('Sync the stacks in a git repository')
    .argument('<name>', 'name of the source')
    .option('--repo <url>', 'clone URL (https://, ssh://, git@host:path or file://)')
    .option('--branch <branch>', 'branch to follow', 'main')
    .option('--path <path>', 'folder holding the stacks', '.')
    .option('--interval <duration>', 'how often to poll', '1m')
    .option('--prune', 'remove stacks this source applied once they are gone from git')
    .option('--secret-ref <secret>', 'GitOpsSecret with the fetch credentials')
    .option('--webhook-secret-ref <secret>', 'GitOpsSecret whose token authenticates webhook calls')
    .action(
      storeAction(
        (opts: AddFlags, name: string) => {
          checkSourceName(name);
          const checked = gitSourceSpec(opts);
          if ('errors' in checked) throw new InputError(checked.errors.map((e) => `stackctl gitops add: ${e}`));
          return checked.spec;
        },
        async ({ store, input: spec }, name) => {
          if (!(await createGitSource(store, name, spec))) {
            throw new CommandError(`gitsource ${name} exists already (stackctl gitops rm ${name} first)`);
          }
          process.stdout.write(`gitsource/${name} created\n`);
        },
      ),
    );

  gitops
    .command('ls')
    .description('List git sources')
    .addOption(formatOption())
    .action(
      storeAction<Listing>(async ({ store, opts }) => {
        const { items } = await listObjects<GitSource>(store, 'GitSource');
        printList(opts.format, items.map(sourceRow), SOURCE_HEADERS, sourceCells);
      }),
    );

  gitops
    .command('status')
    .description('Show the conditions, revisions and per-stack results of a source')
    .argument('<name>', 'name of the source')
    .addOption(formatOption(['text', 'json']))
    .action(
      storeAction<{ format: 'text' | 'json' }, [string]>(async ({ store, opts }, name) => {
        const src = await mustGet(store, name);
        process.stdout.write(opts.format === 'json' ? `${JSON.stringify(src, null, 2)}\n` : renderStatus(src));
      }),
    );

  gitops
    .command('sync')
    .description('Sync now and wait for the result')
    .argument('<name>', 'name of the source')
    .option('--timeout <duration>', 'how long to wait', '5m')
    .action(
      storeAction<{ timeout: string }, number, [string]>(
        (opts) => parseTimeout(opts.timeout),
        async ({ store, opts, input: timeoutMs }, name) => {
          const src = await mustGet(store, name);
          if (src.spec.suspend) throw new CommandError(`gitsource ${name} is suspended (stackctl gitops resume ${name})`);
          const at = new Date().toISOString();
          await requestSync(store, name, at);
          const wait = await waitForSyncResult(store, name, at, timeoutMs);
          if (wait.state === 'deleted') throw new CommandError(`gitsource ${name} was removed while waiting`);
          if (wait.state === 'not-handled') throw new CommandError(`gitsource ${name}: no sync finished within ${opts.timeout} (is a manager running?)`);
          process.stdout.write(renderStatus(wait.src));
          if (wait.state === 'rolling') throw new CommandError(`gitsource ${name}: rollouts still going after ${opts.timeout} (stackctl gitops status ${name})`);
          const ready = wait.src.status?.conditions?.find((c) => c.type === 'Ready');
          if (ready?.status !== 'True') throw new CommandError(`gitsource ${name} is not ready: ${ready?.reason ?? 'Unknown'} (see Conditions above)`);
        },
      ),
    );

  gitops
    .command('suspend')
    .description('Stop syncing a source')
    .argument('<name>')
    .action((name: string, _o: unknown, cmd: Command) => setSuspend(cmd, name, true));
  gitops
    .command('resume')
    .description('Sync a suspended source again')
    .argument('<name>')
    .action((name: string, _o: unknown, cmd: Command) => setSuspend(cmd, name, false));

  gitops
    .command('rm')
    .description('Stop syncing a source (with --prune, also remove the stacks it applied)')
    .argument('<name>', 'name of the source')
    .option('--prune', 'also remove the stacks this source applied')
    .action(
      storeAction<{ prune?: boolean }, void, [string]>(
        (_opts, name) => checkSourceName(name),
        async ({ store, opts }, name) => {
          const src = await deleteGitSource(store, name);
          if (!src) throw new CommandError(`gitsource ${name} not found (stackctl gitops ls lists them)`);
          process.stdout.write(`gitsource/${name} removed\n`);
          if (!opts.prune) return;
          for (const stack of await removeOwnedStacks(store, src)) process.stdout.write(`stack/${stack} removed\n`);
        },
      ),
    );

  gitops
    .command('create-secret')
    .description('Store credentials for git sources (username, password, identity, known_hosts, token)')
    .argument('<name>', 'name of the secret')
    .option('--from-literal <key=value>', 'a value given on the command line (repeatable)', collect, [])
    .option('--from-file <key=path>', 'a value read from a file (repeatable)', collect, [])
    .action(async (name: string, opts: { fromLiteral: string[]; fromFile: string[] }, cmd: Command) => {
      const e = checkName('secret name', name);
      if (e) throw new InputError([e]);
      const data: Record<string, Buffer> = {};
      try {
        for (const pair of opts.fromLiteral) {
          const { key, value } = parseSecretPair('--from-literal', pair, SECRET_KEYS);
          data[key] = Buffer.from(value);
        }
        for (const pair of opts.fromFile) {
          const { key, value } = parseSecretPair('--from-file', pair, SECRET_KEYS);
          data[key] = await readFile(value).catch((err: NodeJS.ErrnoException) => {
            throw new Error(`--from-file ${key}: cannot read ${value}: ${err.code ?? err.message}`);
          });
        }
      } catch (err) {
        throw new InputError([`stackctl gitops create-secret: ${(err as Error).message}`]);
      }
      if (Object.keys(data).length === 0) throw new InputError(['stackctl gitops create-secret: give at least one --from-literal or --from-file']);
      const remote = await apiClientFor(cmd);
      if (remote) {
        const { putGitOpsSecret } = await import('../../apiserver-client/gitops-secret.js');
        process.stdout.write(`gitopssecret/${name} ${await putGitOpsSecret(remote.kc, name, data)}\n`);
        return;
      }
      await withStore(cmd, async (store) => {
        const change = await writeGitOpsSecret(store, name, data);
        process.stdout.write(`gitopssecret/${name} ${change}\n`);
      });
    });
}
