// One Store watch per prefix, shared by every API watcher of it (Kubernetes' apiserver keeps a watch
// cache for the same reason): a hundred `kubectl get tasks -w` cost one etcd watch and one decode of
// each event, not a hundred. A watcher joins the prefix's stream when the stream covers its start
// revision (live, or from the recent messages kept for late joiners: a watch starts just after its
// list, which may be a little behind or ahead of the stream); otherwise it gets its own Store watch.
import type { Observable, Subscriber, Subscription } from 'rxjs';
import { rx } from '../store/rx.js';
import type { Store, WatchMessage } from '../store/store.js';

/** messages kept per prefix for watchers whose list was a little behind the stream */
const KEPT_MESSAGES = 256;

interface Joiner {
  from: number;
  subscriber: Subscriber<WatchMessage>;
}

interface Stream {
  joiners: Set<Joiner>;
  /** the stream holds every event from this revision on (its start, then the oldest kept) */
  completeFrom: number;
  /** the last revision it delivered */
  last: number;
  kept: Array<Extract<WatchMessage, { type: 'events' }>>;
  upstream?: Subscription;
}

export class SharedWatches {
  private readonly streams = new Map<string, Stream>();

  constructor(private readonly store: Store) {}

  watch(prefix: string, fromRevision: number): Observable<WatchMessage> {
    return new (rx().Observable)<WatchMessage>((subscriber) => {
      const stream = this.streams.get(prefix) ?? this.open(prefix, fromRevision);
      if (fromRevision < stream.completeFrom) return this.store.watch(prefix, fromRevision).subscribe(subscriber);
      const joiner: Joiner = { from: fromRevision, subscriber };
      for (const msg of stream.kept) deliver(joiner, msg);
      stream.joiners.add(joiner);
      return () => {
        stream.joiners.delete(joiner);
        if (stream.joiners.size === 0) this.close(prefix, stream);
      };
    });
  }

  private open(prefix: string, from: number): Stream {
    const stream: Stream = { joiners: new Set(), completeFrom: from, last: from - 1, kept: [] };
    this.streams.set(prefix, stream);
    // subscribed after the first joiner is added (watch() runs on), so nothing is missed: the
    // Store delivers asynchronously
    queueMicrotask(() => {
      if (this.streams.get(prefix) !== stream) return;
      stream.upstream = this.store.watch(prefix, from).subscribe({
        next: (msg) => {
          if (msg.type === 'relist') {
            this.end(prefix, stream, (j) => {
              j.subscriber.next(msg);
              j.subscriber.complete();
            });
            return;
          }
          stream.last = msg.revision;
          stream.kept.push(msg);
          if (stream.kept.length > KEPT_MESSAGES) stream.completeFrom = stream.kept.shift()!.revision + 1;
          for (const j of stream.joiners) deliver(j, msg);
        },
        error: (err: unknown) => this.end(prefix, stream, (j) => j.subscriber.error(err)),
        complete: () => this.end(prefix, stream, (j) => j.subscriber.complete()),
      });
    });
    return stream;
  }

  /** The upstream ended: tell every joiner, and the next watcher opens a new stream. */
  private end(prefix: string, stream: Stream, tell: (j: Joiner) => void): void {
    if (this.streams.get(prefix) === stream) this.streams.delete(prefix);
    for (const j of [...stream.joiners]) tell(j);
    stream.joiners.clear();
  }

  private close(prefix: string, stream: Stream): void {
    if (this.streams.get(prefix) === stream) this.streams.delete(prefix);
    stream.upstream?.unsubscribe();
  }
}

/** A joiner gets the events at or after its start revision (usually the whole message, as is). */
function deliver(j: Joiner, msg: Extract<WatchMessage, { type: 'events' }>): void {
  if (msg.revision < j.from) return;
  const first = msg.events[0]?.kv.modRevision ?? msg.revision;
  j.subscriber.next(first >= j.from ? msg : { ...msg, events: msg.events.filter((e) => e.kv.modRevision >= j.from) });
}

const perStore = new WeakMap<Store, SharedWatches>();

/** The shared watches of a Store (one set per Store object, made on first use). */
export function sharedWatches(store: Store): SharedWatches {
  let shared = perStore.get(store);
  if (!shared) perStore.set(store, (shared = new SharedWatches(store)));
  return shared;
}
