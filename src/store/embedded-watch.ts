// Watches on the embedded store. One poller per store reads `rows with revision > cursor` (an
// indexed range) while anyone watches: at once after a write by this process, at once when the
// write-ahead log changes (another process wrote), and every few milliseconds besides.
import type { Observable, Subscriber } from 'rxjs';
import { rx } from './rx.js';
import { StoreUnavailableError, type WatchEvent, type WatchMessage } from './store.js';
import { toKeyValue, type Row } from './embedded-schema.js';

/** Consistent reads the hub needs; each runs in one SQLite read transaction. */
export interface WatchSource {
  /** the compaction point, and unless compacted past `from`: the rows from `from` up to `upTo`
   *  (the store's current revision when undefined) */
  start(from: number, upTo: number | undefined): { compactRevision: number; revision: number; rows: Row[] };
  /** whether another connection committed since the last call (this one's writes kick instead) */
  changedElsewhere(): boolean;
  /** rows after `cursor`, and the compaction point */
  poll(cursor: number): { compactRevision: number; rows: Row[] };
}

interface Watcher {
  prefix: string;
  from: number;
  subscriber: Subscriber<WatchMessage>;
}

/** consecutive failed polls before watchers get an error (a few seconds of a broken file) */
const MAX_FAILURES = 250;
const FOLLOW_UP_MS = 2;

export class WatchHub {
  private readonly watchers = new Set<Watcher>();
  /** the last revision delivered to every watcher */
  private cursor = 0;
  private timer: NodeJS.Timeout | undefined;
  private followUp: NodeJS.Timeout | undefined;
  /** a poll is queued; `force` when this process wrote (its own writes leave data_version alone) */
  private queued: { force: boolean } | undefined;
  private failures = 0;

  constructor(
    private readonly source: WatchSource,
    private readonly endpoint: string,
    private readonly intervalMs: number,
  ) {}

  watch(prefix: string, fromRevision: number): Observable<WatchMessage> {
    const { Observable } = rx();
    return new Observable<WatchMessage>((subscriber) => {
      const from = Math.max(1, fromRevision);
      const start = this.source.start(from, this.watchers.size > 0 ? this.cursor : undefined);
      if (from < start.compactRevision) {
        subscriber.next(relist(from, start.compactRevision));
        subscriber.complete();
        return;
      }
      this.cursor = start.revision;
      const watcher: Watcher = { prefix, from, subscriber };
      deliver(watcher, start.rows);
      this.watchers.add(watcher);
      this.schedule();
      return () => this.watchers.delete(watcher);
    });
  }

  /** Poll now rather than at the next tick: after a write by this process (`force`), or when
   *  another process may have written. */
  kick(force = true): void {
    if (this.watchers.size === 0) return;
    if (this.queued) {
      this.queued.force ||= force;
      return;
    }
    const queued = (this.queued = { force });
    setImmediate(() => {
      this.queued = undefined;
      this.poll(queued.force);
    });
  }

  /** Another process wrote to the log. Its commit may become visible a moment after the write
   *  (the wal-index is updated last), so look again shortly too. */
  wake(): void {
    this.kick(false);
    if (this.followUp || this.watchers.size === 0) return;
    this.followUp = setTimeout(() => {
      this.followUp = undefined;
      this.kick(false);
    }, FOLLOW_UP_MS).unref();
  }

  close(): void {
    clearTimeout(this.followUp);
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.take()) w.subscriber.complete();
  }

  private schedule(): void {
    if (this.timer || this.watchers.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.poll(false);
      this.schedule();
    }, this.intervalMs);
    this.timer.unref();
  }

  private poll(kicked: boolean): void {
    if (this.watchers.size === 0) return;
    let polled: ReturnType<WatchSource['poll']>;
    try {
      if (!this.source.changedElsewhere() && !kicked) return;
      polled = this.source.poll(this.cursor);
      this.failures = 0;
    } catch (err) {
      if (++this.failures >= MAX_FAILURES) {
        const error = new StoreUnavailableError(this.endpoint, (err as Error).message);
        for (const w of this.take()) w.subscriber.error(error);
      }
      return;
    }
    // another process compacted rows this poller had not read yet
    if (polled.compactRevision > this.cursor + 1) {
      for (const w of this.take()) {
        w.subscriber.next(relist(this.cursor + 1, polled.compactRevision));
        w.subscriber.complete();
      }
      return;
    }
    if (polled.rows.length === 0) return;
    this.cursor = polled.rows[polled.rows.length - 1].revision;
    for (const w of [...this.watchers]) deliver(w, polled.rows);
  }

  private take(): Watcher[] {
    const all = [...this.watchers];
    this.watchers.clear();
    return all;
  }
}

function deliver(watcher: Watcher, rows: Row[]): void {
  const events: WatchEvent[] = [];
  for (const row of rows) {
    if (row.revision < watcher.from || !row.name.startsWith(watcher.prefix)) continue;
    events.push(
      row.deleted ? { type: 'delete', kv: { key: row.name, value: '', createRevision: 0, modRevision: row.revision } } : { type: 'put', kv: toKeyValue(row) },
    );
  }
  if (events.length === 0) return;
  watcher.subscriber.next({ type: 'events', revision: events[events.length - 1].kv.modRevision, events });
}

function relist(from: number, compactRevision: number): WatchMessage {
  return { type: 'relist', reason: `revision ${from} is compacted (history starts at ${compactRevision})` };
}
