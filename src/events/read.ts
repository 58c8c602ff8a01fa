// Reading events from the Store: a list (filtered, oldest first), and a follow that lists then
// watches. Only the prefix a filter allows is read (one stack's events when --stack is given), and
// through the API only the matching events are sent (readFilter): the server applies the rest.
import { type Observable, concat, defer, filter, from, mergeMap } from 'rxjs';
import type { ReadFilter, Store } from '../store/store.js';
import { EVENT_PREFIX, type StackdEvent, decodeEvent, eventStackPrefix } from './event.js';
import { type EventFilter, matches, sortEvents } from './filter.js';

function prefixFor(f: EventFilter): string {
  const stack = f.object?.stack ?? f.stack;
  return stack === undefined ? EVENT_PREFIX : eventStackPrefix(stack);
}

/** The filter, less its stack (the prefix), as the API server applies it: a field selector on
 *  `type` and `involvedObject.*`, and `sinceTime`. Pure. */
export function readFilter(f: EventFilter): ReadFilter {
  const o = f.object;
  const fields = [
    ...(f.type ? [`type=${f.type}`] : []),
    ...(o ? [`involvedObject.kind=${o.kind}`, `involvedObject.stack=${o.stack}`, `involvedObject.name=${o.name}`] : []),
  ];
  return { ...(fields.length ? { fieldSelector: fields.join(',') } : {}), ...(f.since ? { sinceTime: f.since.toISOString() } : {}) };
}

export interface EventList {
  events: StackdEvent[];
  /** the Store revision of the list: watch from revision + 1 */
  revision: number;
}

export async function listEvents(store: Pick<Store, 'list'>, f: EventFilter = {}): Promise<EventList> {
  const res = await store.list(prefixFor(f), readFilter(f));
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
          store.watch(prefixFor(f), list.revision + 1, readFilter({ ...f, since: undefined })).pipe(
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
