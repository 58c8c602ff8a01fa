// A work queue in controller-runtime's manner: keys are deduplicated, one reconcile per key runs at
// a time (a key added while it is processing runs again afterwards), failures requeue with per-key
// exponential backoff, and `addAfter` schedules a key for later. With `minGapMs`, a key is
// reconciled again no sooner than that long after its last reconcile ended: a reconcile that reads
// thousands of objects, woken by each of their changes, then runs a few times a second instead of
// back to back (the service controller at scale: every task change re-planned its service).
import { requeueBackoff, type Backoff } from './backoff.js';

export class WorkQueue {
  private readonly queue: string[] = [];
  /** key → when it was queued (Date.now()); insertion order is queue order */
  private readonly queued = new Map<string, number>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  /** key → when it may run again (its last reconcile's end + the gap; kept until then) */
  private readonly notBefore = new Map<string, number>();
  private waiters: (() => void)[] = [];
  private shutDown = false;

  constructor(
    private readonly backoff: Backoff = requeueBackoff,
    private readonly minGapMs = 0,
  ) {}

  add(key: string): void {
    if (this.shutDown) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    const notBefore = this.notBefore.get(key);
    if (notBefore !== undefined) {
      const wait = notBefore - Date.now();
      if (wait > 0) {
        this.addAfter(key, wait);
        return;
      }
      this.notBefore.delete(key);
    }
    this.queued.set(key, Date.now());
    this.queue.push(key);
    this.waiters.shift()?.();
  }

  /** Add `key` after `ms`; of two pending delays for one key, the sooner wins. */
  addAfter(key: string, ms: number): void {
    if (this.shutDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + ms;
    const pending = this.timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    timer.unref?.();
    this.timers.set(key, { at, timer });
  }

  /** Requeue after a failure, waiting longer each consecutive time. */
  addRateLimited(key: string): number {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    const delay = this.backoff.delayMs(n);
    this.addAfter(key, delay);
    return delay;
  }

  /** The key reconciled cleanly: reset its backoff. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Next key to process, or undefined once shut down. Call done(key) when finished. */
  async get(): Promise<string | undefined> {
    return (await this.getTimed())?.key;
  }

  /** get(), with how long the key waited in the queue. */
  async getTimed(): Promise<{ key: string; waitedMs: number } | undefined> {
    while (this.queue.length === 0) {
      if (this.shutDown) return undefined;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    const key = this.queue.shift()!;
    const since = this.queued.get(key) ?? Date.now();
    this.queued.delete(key);
    this.processing.add(key);
    return { key, waitedMs: Date.now() - since };
  }

  /** How long the key at the head of the queue has waited (0 when the queue is empty). */
  oldestAgeMs(now = Date.now()): number {
    const head = this.queue[0];
    return head === undefined ? 0 : now - (this.queued.get(head) ?? now);
  }

  /** @param gapMs this key runs again no sooner than this (when longer than minGapMs): a
   *  reconcile that knows it is costly spaces itself out */
  done(key: string, gapMs = 0): void {
    this.processing.delete(key);
    const gap = Math.max(this.minGapMs, gapMs);
    if (gap > 0) this.notBefore.set(key, Date.now() + gap);
    if (this.notBefore.size > 4096) for (const [k, at] of this.notBefore) if (at <= Date.now()) this.notBefore.delete(k);
    if (this.dirty.delete(key)) this.add(key);
  }

  get length(): number {
    return this.queue.length;
  }

  shutdown(): void {
    this.shutDown = true;
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
    for (const w of this.waiters.splice(0)) w();
  }
}
