// The latest events of a service (or of a stack's services), as kubectl describe's "Events:"
// section: `service inspect` adds them to its JSON, `rollout status` prints them after its verdict.
// Reading them never fails the command: events that cannot be read (a node identity's, refused by
// the API server) are left out with one line on stderr.
import type { StackdEvent } from '../events/event.js';
import type { EventFilter } from '../events/filter.js';
import { listEvents } from '../events/read.js';
import { EVENT_HEADERS, eventCells } from '../events/view.js';
import type { Store } from '../store/store.js';
import { renderTable } from './format.js';

/** as many as kubectl describe shows in practice: the story of the last rollout or crash loop */
export const LATEST_EVENTS = 10;

/** The last `n` matching events, oldest first; undefined when they cannot be read. */
export async function latestEvents(store: Pick<Store, 'list'>, f: EventFilter, n = LATEST_EVENTS): Promise<StackdEvent[] | undefined> {
  try {
    return (await listEvents(store, f)).events.slice(-n);
  } catch (err) {
    process.stderr.write(`stackctl: events not shown: ${(err as Error).message}\n`);
    return undefined;
  }
}

/** "Events:" and an indented table, or "Events: <none>". Pure. */
export function eventsSection(events: readonly StackdEvent[], now: Date): string {
  if (events.length === 0) return 'Events: <none>\n';
  const table = renderTable(
    EVENT_HEADERS,
    events.map((e) => eventCells(e, now)),
  );
  return `Events:\n${table
    .split('\n')
    .map((l) => (l ? `  ${l}` : l))
    .join('\n')}`;
}
