// `stackctl events`: what happened in the cluster (task failures, rollouts, nodes, GitOps syncs),
// as `kubectl get events [-w]` and `docker events`. Read-only; events are written by the manager.
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { EventType } from '../../events/event.js';
import { type EventFilter, parseEventType } from '../../events/filter.js';
import { followEvents, listEvents } from '../../events/read.js';
import { EVENT_HEADERS, eventCells, eventLine } from '../../events/view.js';
import { parseDuration } from '../../stackfile/units.js';
import { formatOption, storeAction } from '../command.js';
import type { OutputFormat } from '../format.js';
import { printList } from '../format.js';

interface EventsFlags {
  since?: number;
  stack?: string;
  type?: EventType;
  follow?: boolean;
  format: OutputFormat;
}

function sinceOption(value: string): number {
  try {
    return parseDuration(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function typeOption(value: string): EventType {
  const t = parseEventType(value);
  if (!t) throw new InvalidArgumentError(`expected "warning" or "normal", got "${value}"`);
  return t;
}

export function registerEventsCommand(program: Command): void {
  program
    .command('events')
    .description('List events (task failures and restarts, rollouts, nodes, GitOps syncs), oldest first; -f follows new ones')
    .option('--since <duration>', 'only events whose last occurrence is within this long (e.g. 10m, 1h)', sinceOption)
    .option('--stack <stack>', "only this stack's objects' events")
    .addOption(new Option('--type <type>', 'only Warning or Normal events (warning|normal)').argParser(typeOption))
    .option('-f, --follow', 'keep printing new and repeated events until interrupted')
    .addOption(formatOption())
    .action(
      storeAction<EventsFlags>(async ({ store, opts }) => {
        const filter: EventFilter = {
          since: opts.since === undefined ? undefined : new Date(Date.now() - opts.since),
          stack: opts.stack,
          type: opts.type,
        };
        if (!opts.follow) {
          const { events } = await listEvents(store, filter);
          const now = new Date();
          printList(opts.format, events, EVENT_HEADERS, (e) => eventCells(e, now));
          return;
        }
        // one JSON object per line (as `docker events --format json`), or one text line per event
        const stop = new AbortController();
        const onSignal = () => stop.abort();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        let failure: unknown;
        // a reader that went away (`| head -1`) ends the follow as an interrupt does, not with
        // EPIPE's stack trace; the listener stays (a write already queued may fail the same way)
        process.stdout.on('error', (err: NodeJS.ErrnoException) => {
          if (err.code !== 'EPIPE') failure ??= err;
          stop.abort();
        });
        const sub = followEvents(store, filter).subscribe({
          next: (e) => stop.signal.aborted || process.stdout.write(opts.format === 'json' ? `${JSON.stringify(e)}\n` : `${eventLine(e)}\n`),
          error: (err: unknown) => {
            failure = err;
            stop.abort();
          },
        });
        // the embedded store's watch polls on unref'd timers: hold the process open until interrupted
        const keepAlive = setInterval(() => undefined, 1 << 30);
        await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
        clearInterval(keepAlive);
        sub.unsubscribe();
        if (failure) throw failure;
      }),
    );
}
