// Watch a stack's Services and Tasks (no polling) until a judgement of them settles, or a timeout.
// Shared by every client that waits on a stack: `deploy`, `rollout`, Compose `up` / `stop`.
import { auditTime, firstValueFrom, from, last, map, merge, race, startWith, takeWhile, timer } from 'rxjs';
import { kindPrefix } from '../api/keys.js';
import type { Service, Task } from '../api/objects.js';
import { Informer } from '../controller/informer.js';
import type { Store } from '../store/store.js';

/**
 * Watches until `settled(evaluate(services, tasks))`, or `timeoutMs` (which covers the first list
 * too); `progress` is the last evaluation (none when the Store never answered).
 */
export async function watchStack<P>(
  store: Store,
  stack: string,
  timeoutMs: number,
  evaluate: (services: Service[], tasks: Task[]) => P,
  settled: (p: P) => boolean,
  onProgress: (p: P) => void = () => undefined,
): Promise<{ progress?: P; timedOut: boolean }> {
  const services = new Informer<Service>(store, kindPrefix('Service', stack));
  const tasks = new Informer<Task>(store, kindPrefix('Task', stack));
  services.start();
  tasks.start();
  try {
    const deadline = Date.now() + timeoutMs;
    // the timeout covers the first list too (a store gone after the write)
    // (race unsubscribes the loser: a pending timer would keep the CLI alive)
    const synced = await firstValueFrom(race(from(Promise.all([services.synced, tasks.synced])).pipe(map(() => true)), timer(timeoutMs).pipe(map(() => false))));
    if (!synced) return { timedOut: true };
    timeoutMs = Math.max(0, deadline - Date.now());
    const now = () => evaluate(services.list(), tasks.list());
    const progress$ = merge(services.changes$, tasks.changes$).pipe(
      auditTime(50), // a burst of task changes makes one update
      startWith(0),
      map(now),
    );
    const settled$ = progress$.pipe(
      takeWhile((p) => {
        onProgress(p);
        return !settled(p);
      }, true),
      last(),
      map((progress) => ({ progress, timedOut: false })),
    );
    const timeout$ = timer(timeoutMs).pipe(map(() => ({ progress: now(), timedOut: true })));
    return await firstValueFrom(race(settled$, timeout$));
  } finally {
    services.stop();
    tasks.stop();
  }
}
