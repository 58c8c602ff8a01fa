// The EventRecorder: `record(object, type, reason, message)` from any controller, never throwing
// and never waiting (events are for people; a Store hiccup must not slow a reconcile). Repeats are
// correlated in memory (correlate.ts) and written at most once per throttle window per event;
// writes go on shared, unkept leases (lease-plan.ts) so they expire without deletes.
import { reconnectBackoff } from '../controller/backoff.js';
import type { Logger } from '../log.js';
import { LeadershipLostError } from '../store/fenced.js';
import type { Store } from '../store/store.js';
import { type Occurrence, type Tracked, decide, mergeStored, observe } from './correlate.js';
import { type EventSource, type EventType, type InvolvedObject, decodeEvent, encodeEvent, keyOfEvent } from './event.js';
import { type HeldLease, planLease } from './lease-plan.js';

export const DEFAULT_EVENT_TTL_MS = 60 * 60_000;

export interface EventRecorderOptions {
  /** how long an event outlives its last occurrence (--event-ttl) */
  ttlMs?: number;
  /** at most one write per event per this long (default 1 s); the first occurrence is written at once */
  throttleMs?: number;
  /** events remembered for correlation (default 4096, as client-go's cache); older ones are
   *  re-read from the Store when they happen again */
  maxTracked?: number;
  source: EventSource;
  log?: Logger;
  now?: () => number;
}

/** What controllers are given: record and forget. */
export interface EventSink {
  record(object: InvolvedObject, type: EventType, reason: string, message: string): void;
}

export class EventRecorder implements EventSink {
  private readonly tracked = new Map<string, Tracked>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly writing = new Map<string, Promise<void>>();
  /** events whose last write failed: how many times in a row, and when to try next (reconnectBackoff) */
  private readonly failures = new Map<string, { count: number; retryAt: number }>();
  private lease: (HeldLease & { valid: boolean }) | undefined;
  private granting: Promise<string> | undefined;
  private readonly ttlMs: number;
  private readonly throttleMs: number;
  private readonly maxTracked: number;
  private readonly now: () => number;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly opts: EventRecorderOptions,
  ) {
    this.ttlMs = opts.ttlMs ?? DEFAULT_EVENT_TTL_MS;
    this.throttleMs = opts.throttleMs ?? 1000;
    this.maxTracked = opts.maxTracked ?? 4096;
    this.now = opts.now ?? Date.now;
  }

  record(object: InvolvedObject, type: EventType, reason: string, message: string): void {
    if (this.closed) return;
    const occurrence: Occurrence = { object, type, reason, message, source: this.opts.source };
    const now = this.now();
    const probe = observe(undefined, occurrence, now, this.ttlMs);
    const key = keyOfEvent(probe.event);
    const prev = this.tracked.get(key);
    const next = prev ? observe(prev, occurrence, now, this.ttlMs) : probe;
    this.tracked.delete(key); // re-insert: Map order is the LRU order
    this.tracked.set(key, next);
    this.evict();
    this.schedule(key);
  }

  /** Writes every event with unwritten occurrences now, and waits for writes in flight. */
  async flush(): Promise<void> {
    for (const [key, timer] of this.timers) {
      clearTimeout(timer);
      this.timers.delete(key);
      this.startWrite(key);
    }
    await Promise.all([...this.writing.values()]);
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  private schedule(key: string): void {
    if (this.closed || this.writing.has(key) || this.timers.has(key)) return; // the write's end or the timer reschedules
    const tracked = this.tracked.get(key);
    if (!tracked) return;
    const decision = decide(tracked, this.now(), this.throttleMs);
    // after a failure the next try waits: a write retried at once, forever, was a hot loop that
    // starved the manager that had just lost its leadership (every write refused)
    const at = Math.max(decision.kind === 'write' ? this.now() : decision.at, this.failures.get(key)?.retryAt ?? 0);
    if (at <= this.now()) this.startWrite(key);
    else if (Number.isFinite(at)) {
      const timer = setTimeout(
        () => {
          this.timers.delete(key);
          this.schedule(key);
        },
        Math.max(0, at - this.now()),
      );
      timer.unref();
      this.timers.set(key, timer);
    }
  }

  private startWrite(key: string): void {
    if (this.writing.has(key)) return;
    const done = this.write(key)
      .then(() => void this.failures.delete(key))
      .catch((err: Error) => {
        this.opts.log?.warn('event not recorded', { err: err.message, key });
        // a deposed leader's events are the next leader's to record: drop, never retry
        if (err instanceof LeadershipLostError) this.tracked.delete(key);
        else {
          const count = (this.failures.get(key)?.count ?? 0) + 1;
          this.failures.set(key, { count, retryAt: this.now() + reconnectBackoff.delayMs(count) });
        }
      })
      .finally(() => {
        this.writing.delete(key);
        this.schedule(key);
      });
    this.writing.set(key, done);
  }

  private async write(key: string): Promise<void> {
    const snapshot = this.tracked.get(key);
    if (!snapshot) return;
    let event = snapshot.event;
    if (snapshot.writtenAt === undefined) {
      const kv = await this.store.get(key);
      const stored = kv && decodeEvent(kv.value);
      if (stored) event = mergeStored(stored, snapshot);
    }
    const lease = await this.currentLease();
    const res = await this.store.txn([{ op: 'put', key, value: encodeEvent(event), lease }]).catch((err: Error) => {
      this.lease = undefined; // perhaps the lease is gone (revoked, a store restored from backup): grant anew next time
      throw err;
    });
    if (!res.succeeded) throw new Error(`event write refused: ${res.conflicts.map((c) => c.reason).join(', ')}`);
    const current = this.tracked.get(key);
    if (!current) return;
    // occurrences recorded while writing stay unwritten; the Store's earlier count is added on
    const added = event.count - snapshot.event.count;
    this.tracked.set(key, {
      event: { ...current.event, count: current.event.count + added, firstTimestamp: event.firstTimestamp, metadata: event.metadata },
      writtenAt: this.now(),
      writtenCount: event.count,
    });
  }

  private async currentLease(): Promise<string> {
    const now = this.now();
    const held = this.lease?.valid ? this.lease : undefined;
    if (planLease(held, now, this.ttlMs).kind === 'reuse' && held) return held.id;
    this.granting ??= this.grant(now).finally(() => {
      this.granting = undefined;
    });
    return this.granting;
  }

  private async grant(now: number): Promise<string> {
    const plan = planLease(undefined, now, this.ttlMs);
    const ttlSeconds = plan.kind === 'grant' ? plan.ttlSeconds : Math.ceil(this.ttlMs / 1000);
    const lease = await this.store.grantLease(ttlSeconds, { keepAlive: false });
    const held = { id: lease.id, grantedAt: now, valid: true };
    lease.lost$.subscribe(() => {
      held.valid = false;
    });
    this.lease = held;
    return lease.id;
  }

  private evict(): void {
    for (const key of this.tracked.keys()) {
      if (this.tracked.size <= this.maxTracked) return;
      if (this.timers.has(key) || this.writing.has(key)) continue;
      this.tracked.delete(key);
      this.failures.delete(key);
    }
  }
}
