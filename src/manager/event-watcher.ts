// The leader records events from the transitions its caches already see (events/transitions.ts),
// so agents need no right to write events and a killed container's event is one watch hop after
// the agent reports the task failed.
import { filter, map, merge, type Observable } from 'rxjs';
import { kindPrefix } from '../api/keys.js';
import type { Resource } from '../api/meta.js';
import type { GitSource, Task } from '../api/objects.js';
import { type CacheChange, Informer } from '../controller/informer.js';
import type { EventSink } from '../events/recorder.js';
import { type EventNote, gitSourceTransition, nodeTransition, serviceTransition, taskTransition } from '../events/transitions.js';
import type { Store } from '../store/store.js';
import type { ManagerCaches } from './caches.js';
import { isTerminal, stateOf } from '../orchestrator/task-state.js';

/** The slot's task that ended before `next` (a restart's replacement): for the restart event's why. */
function endedBefore(caches: ManagerCaches, next: Task): Task | undefined {
  const sameSlot = (t: Task) =>
    t.spec.service === next.spec.service && (next.spec.slot === undefined ? t.spec.nodeName === next.spec.nodeName : t.spec.slot === next.spec.slot);
  return caches.tasks
    .listIn(next.metadata.namespace)
    .filter((t) => t !== next && sameSlot(t) && isTerminal(stateOf(t)))
    .sort((a, b) => (a.status?.timestamp ?? '').localeCompare(b.status?.timestamp ?? ''))
    .at(-1);
}

function notes<T extends Resource>(changes$: Observable<CacheChange<T>>, transition: (old: T | undefined, next: T) => EventNote[]): Observable<EventNote[]> {
  return changes$.pipe(
    filter((c) => c.type === 'upsert' && c.object !== undefined),
    map((c) => transition(c.old, c.object as T)),
  );
}

/** Records until `signal` aborts. Starts after the caches' first list, so a new leader does not
 *  replay what its predecessor already recorded. */
export function eventWatcher(store: Store, caches: ManagerCaches, sink: EventSink) {
  return {
    async start(signal: AbortSignal): Promise<void> {
      const sources = new Informer<GitSource>(store, kindPrefix('GitSource'));
      sources.start();
      await sources.synced;
      const subscription = merge(
        notes(caches.tasks.changes$, (old, next) =>
          taskTransition(old, next, !old && (next.spec.restart?.attempt ?? 0) > 0 ? endedBefore(caches, next) : undefined),
        ),
        notes(caches.services.changes$, serviceTransition),
        notes(caches.nodes.changes$, nodeTransition),
        notes(sources.changes$, gitSourceTransition),
      ).subscribe((list) => {
        for (const n of list) sink.record(n.object, n.type, n.reason, n.message);
      });
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
      subscription.unsubscribe();
      sources.stop();
    },
  };
}
