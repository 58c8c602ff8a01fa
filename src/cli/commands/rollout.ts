// rollout status | history | undo | pause | resume, as kubectl users expect.
import type { Command } from 'commander';
import { specHash } from '../../orchestrator/spec-hash.js';
import { type Listing, formatOption, serviceAction, storeAction } from '../command.js';
import { InputError } from '../../errors.js';
import { printList } from '../format.js';
import { findService, findStack } from '../resolve.js';
import { undoService } from '../../actions/service-write.js';
import { setRolloutPaused } from '../../actions/service-actions.js';
import { ago } from '../../views/rows.js';
import { awaitConvergence, parseTimeout } from '../wait.js';
import { eventsSection, latestEvents } from '../object-events.js';

/** STACK_SERVICE or STACK → the stack and, for a service, its name. */
async function target(store: Parameters<typeof findStack>[0], name: string): Promise<{ stack: string; service?: string }> {
  const stack = await findStack(store, name).catch(() => undefined);
  if (stack) return { stack: name };
  const svc = await findService(store, name);
  return { stack: svc.metadata.namespace, service: svc.metadata.name };
}

/** `--to-revision N`: a bad N is bad input (exit 2), before the Store is opened. */
export function revisionNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new InputError([`--to-revision: expected a number, got "${value}"`]);
  return Number(value);
}

export function registerRolloutCommands(program: Command): void {
  const rollout = program.command('rollout').description('Follow and steer rolling updates');

  rollout
    .command('status')
    .description('Wait for the rollout of a service or of every service of a stack (then show their latest events); non-zero if it paused, rolled back or timed out')
    .argument('<name>', 'STACK_SERVICE or STACK')
    .option('--timeout <duration>', 'how long to wait', '10m')
    .action(
      storeAction<{ timeout: string }, number, [string]>(
        (opts) => parseTimeout(opts.timeout),
        async ({ store, input: timeoutMs }, name) => {
          const { stack, service } = await target(store, name);
          // the verdict first, then the latest events of the service (of the stack's services):
          // after a pause or a rollback they say which task failed and how
          const showEvents = async () => {
            const events = await latestEvents(store, service ? { object: { kind: 'Service', stack, name: service } } : { stack });
            if (events) process.stdout.write(`\n${eventsSection(events, new Date())}`);
          };
          try {
            // any rollout's pause or rollback counts (since the epoch), not only one this command started
            await awaitConvergence(store, `${name} rollout`, stack, { timeoutMs, since: new Date(0), service });
          } catch (err) {
            await showEvents();
            throw err;
          }
          process.stdout.write(`${name}: rollout complete\n`);
          await showEvents();
        },
      ),
    );

  rollout
    .command('history')
    .description("List a service's revisions, newest first")
    .argument('<service>', 'STACK_SERVICE')
    .addOption(formatOption())
    .action(
      serviceAction<Listing>(async ({ opts, svc }) => {
        const current = specHash(svc.spec.template);
        const rows = (svc.status?.revisions ?? []).map((r) => ({
          revision: r.revision,
          current: r.hash === current,
          hash: r.hash,
          created: r.createdAt,
          change: r.change,
          image: r.template.image ?? '',
        }));
        printList(opts.format, rows, ['REVISION', 'IMAGE', 'CREATED', 'CHANGE'], (r) => [
          `${r.revision}${r.current ? ' (current)' : ''}`,
          r.image,
          ago(r.created),
          r.change,
        ]);
      }),
    );

  rollout
    .command('undo')
    .description('Roll a service back to its previous revision, or to --to-revision N')
    .argument('<service>', 'STACK_SERVICE')
    .option('--to-revision <n>', 'revision number (see rollout history)')
    .action(
      storeAction<{ toRevision?: string }, number | undefined, [string]>(
        (opts) => revisionNumber(opts.toRevision),
        async ({ store, input: toRevision }, name) => {
          const { revision } = await undoService(store, name, toRevision);
          process.stdout.write(`${name} rolled back to revision ${revision}\n`);
        },
      ),
    );

  for (const [verb, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    rollout
      .command(verb)
      .description(paused ? 'Stop replacing tasks of a rolling update' : 'Carry on with a paused rolling update')
      .argument('<service>', 'STACK_SERVICE')
      .action(
        storeAction<unknown, [string]>(async ({ store }, name) => {
          await setRolloutPaused(store, name, paused);
          process.stdout.write(`${name} ${paused ? 'paused' : 'resumed'}\n`);
        }),
      );
  }
}
