// A controller: keys from informers (and a periodic resync) → a work queue → reconcile(key).
// Reconcilers are plain async functions that re-read what they need; they never see events.
import { merge, timer, type Observable, type Subscription } from 'rxjs';
import { mergeMap } from 'rxjs';
import type { Backoff } from './backoff.js';
import { WorkQueue } from './workqueue.js';
import { OutageLog } from './outage-log.js';
import { reconcileDuration, reconcileTotal, trackQueue, workqueueWait } from '../metrics/metrics.js';

export interface ReconcileResult {
  /** look again after this long even if nothing changes (delayed restarts, dependency waits) */
  requeueAfterMs?: number;
  /** run this key again no sooner than this long from now, whatever changes (a costly reconcile
   *  spacing itself out; the controller's minGapMs applies when longer) */
  minGapMs?: number;
}

/** A bad spec: report it and do not requeue (controller-runtime's TerminalError). */
export class TerminalError extends Error {
  override name = 'TerminalError';
}

export interface ControllerOptions {
  name: string;
  /** keys to reconcile, e.g. informer changes mapped to the owning object's key */
  keys$: Observable<string>;
  /** every key that exists, for the periodic resync (level-triggered safety net); a controller
   *  that can tell settled keys cheaply may leave them out (the agent's task controller) */
  allKeys: () => string[] | Promise<string[]>;
  reconcile: (key: string) => Promise<ReconcileResult | void>;
  concurrency?: number;
  resyncMs?: number;
  /** per-key requeue delays after failures (default 5 ms doubling to 1000 s) */
  backoff?: Backoff;
  /** a key is reconciled again no sooner than this long after its last reconcile ended (default 0) */
  minGapMs?: number;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

export interface Runnable {
  start(signal: AbortSignal): Promise<void>;
}

export class Controller implements Runnable {
  readonly queue: WorkQueue;
  /** failing reconciles (a Store that is down fails them all, each retried with backoff): the
   *  first is logged, then one line every 30 s, then the first success after them */
  private readonly trouble: OutageLog;

  constructor(private readonly opts: ControllerOptions) {
    this.queue = new WorkQueue(opts.backoff, opts.minGapMs);
    this.trouble = new OutageLog(opts.name, (m) => opts.log?.(m));
  }

  async start(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return; // an abort listener added now would never fire
    const { keys$, allKeys, resyncMs = 30_000, concurrency = 1 } = this.opts;
    // every key at once, then every resyncMs: the informers' first lists were delivered before this
    // subscribes, so a new leader (or a restarted agent) would otherwise wait a whole resync period
    const resync$ = timer(0, resyncMs).pipe(
      mergeMap(async () => allKeys()),
      mergeMap((keys) => keys),
    );
    const feed: Subscription = merge(keys$, resync$).subscribe((key) => this.queue.add(key));
    const stop = () => this.queue.shutdown();
    signal.addEventListener('abort', stop, { once: true });
    const untrack = trackQueue(this.opts.name, { depth: () => this.queue.length, oldestAgeMs: () => this.queue.oldestAgeMs() });
    try {
      await Promise.all(Array.from({ length: concurrency }, () => this.worker()));
    } finally {
      untrack();
      feed.unsubscribe();
      signal.removeEventListener('abort', stop);
    }
  }

  private async worker(): Promise<void> {
    for (;;) {
      const next = await this.queue.getTimed();
      if (next === undefined) return;
      const { key } = next;
      const controller = this.opts.name;
      workqueueWait.observe({ controller }, next.waitedMs / 1000);
      const end = reconcileDuration.startTimer({ controller });
      let gapMs = 0;
      try {
        const result = await this.opts.reconcile(key);
        gapMs = result?.minGapMs ?? 0;
        reconcileTotal.inc({ controller, result: 'success' });
        this.trouble.recovered();
        this.queue.forget(key);
        if (result?.requeueAfterMs !== undefined) this.queue.addAfter(key, result.requeueAfterMs);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        reconcileTotal.inc({ controller, result: err instanceof TerminalError ? 'terminal' : 'error' });
        if (err instanceof TerminalError) {
          this.opts.log?.(`${this.opts.name}: ${key}: ${message}`, { terminal: true });
        } else {
          const delay = this.queue.addRateLimited(key);
          this.trouble.failed(new Error(`${key}: ${message} (retry in ${delay} ms)`));
        }
      } finally {
        end();
        this.queue.done(key, gapMs);
      }
    }
  }
}
