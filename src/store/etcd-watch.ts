// Watch as an Observable over the etcd3 client's Watcher, with our own resume logic: the client
// resumes from the header revision + 1 of the last response, which skips events when a response
// carried only part of the history. We resume from the last *delivered* revision + 1 instead.
import type { Etcd3, IEvent } from 'etcd3';
import type { Observable } from 'rxjs';
import { rx } from './rx.js';
import { fromEtcdKv } from './etcd-txn.js';
import type { WatchEvent, WatchMessage } from './store.js';

export interface WatchDeps {
  client: Etcd3;
  closed$: Observable<unknown>;
  /** why a canceled watch was canceled; undefined when the history is still there */
  compactedReason(fromRevision: number): Promise<string | undefined>;
  /** backoff before reconnect attempt n (1-based) */
  reconnectDelayMs(attempt: number): number;
}

/** Backoff from 1 s doubling up to 30 s. */
export const reconnectDelayMs = (attempt: number): number => Math.min(1000 * 2 ** (attempt - 1), 30_000);

class WatchDisconnected extends Error {}

export function watchPrefix(deps: WatchDeps, prefix: string, fromRevision: number): Observable<WatchMessage> {
  const { defer, retry, takeUntil, tap, timer } = rx();
  return defer(() => {
    let next = fromRevision;
    return defer(() => watchOnce(deps, prefix, next)).pipe(
      tap((m) => {
        if (m.type === 'events') next = m.revision + 1;
      }),
      retry({
        delay: (err, attempt) => {
          if (!(err instanceof WatchDisconnected)) throw err;
          return timer(deps.reconnectDelayMs(attempt));
        },
        resetOnSuccess: true,
      }),
      takeUntil(deps.closed$),
    );
  });
}

/** One etcd watcher: events until a disconnect (error) or a cancel (relist, then complete). */
function watchOnce(deps: WatchDeps, prefix: string, fromRevision: number): Observable<WatchMessage> {
  const { Observable } = rx();
  return new Observable<WatchMessage>((subscriber) => {
    let delivered = fromRevision - 1;
    let canceledByServer = false;
    const watcher = deps.client.watch().prefix(prefix).startRevision(String(fromRevision)).watcher();
    watcher.on('data', (res) => {
      const events = res.events.map(toWatchEvent).filter((e) => e.kv.modRevision > delivered);
      if (events.length === 0) return; // progress notification, or a replay we already delivered
      delivered = events[events.length - 1].kv.modRevision;
      subscriber.next({ type: 'events', revision: delivered, events });
    });
    watcher.on('disconnected', (err) => subscriber.error(new WatchDisconnected(err.message)));
    watcher.on('error', (err) => {
      // the client reports compaction (and any other server cancel) as "Watcher canceled"
      canceledByServer = true;
      deps
        .compactedReason(delivered + 1)
        .catch(() => undefined)
        .then((reason) => {
          subscriber.next({ type: 'relist', reason: reason ?? err.message });
          subscriber.complete();
        });
    });
    return () => {
      if (!canceledByServer) watcher.cancel().catch(() => undefined);
    };
  });
}

function toWatchEvent(event: IEvent): WatchEvent {
  const kv = fromEtcdKv(event.kv);
  if (event.type === 'Put') return { type: 'put', kv };
  return { type: 'delete', kv: { ...kv, value: '' } };
}
