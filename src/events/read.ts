// Reading events from the Store: a list (filtered, oldest first), and a follow that lists then
// watches. Only the prefix a filter allows is read (one stack's events when --stack is given).
import { type Observable, concat, defer, filter, from, mergeMap } from 'rxjs';
import type { Store } from '../store/store.js';
import { EVENT_PREFIX, type StackdEvent, decodeEvent, eventStackPrefix } from './event.js';
import { type EventFilter, matches, sortEvents } from './filter.js';

function prefixFor(f: EventFilter): string {
  const stack = f.object?.stack ?? f.stack;
  return stack === undefined ? EVENT_PREFIX : eventStackPrefix(stack);
}

export interface EventList {
  events: StackdEvent[];
  /** the Store revision of the list: watch from revision + 1 */
  revision: number;
}

export async function listEvents(store: Pick<Store, 'list'>, f: EventFilter = {}): Promise<EventList> {
  const res = await store.list(prefixFor(f));
  const events = res.items.flatMap((kv) => {
    const ev = decodeEvent(kv.value, kv.modRevision);
    return ev && matches(ev, f) ? [ev] : [];
  });
  return { events: sortEvents(events), revision: res.revision };
}

/** The matching events there are, then each new or repeated one as it is written (expiries are
 *  not reported). After a compaction of the watched history, it lists again and carries on from
 *  there (events seen before may come again, with their current count). */
export function followEvents(store: Pick<Store, 'list' | 'watch'>, f: EventFilter = {}): Observable<StackdEvent> {
  const round = (): Observable<StackdEvent> =>
    defer(() => from(listEvents(store, f))).pipe(
      mergeMap((list) =>
        concat(
          from(list.events),
          store.watch(prefixFor(f), list.revision + 1).pipe(
            mergeMap((msg) => {
              if (msg.type === 'relist') return round();
              return from(msg.events.flatMap((e) => (e.type === 'put' ? [decodeEvent(e.kv.value, e.kv.modRevision)] : [])));
            }),
            filter((ev): ev is StackdEvent => ev !== undefined && matches(ev, { ...f, since: undefined })),
          ),
        ),
      ),
    );
  return round();
}
