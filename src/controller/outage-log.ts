// Logging a retry loop whose dependency (the Store, an engine) stays unreachable: the first failure
// is logged, then at most one "still failing" line every 30 s with how long and how many attempts,
// then the recovery once. Retries keep their own backoff; only what is logged is thinned, so a
// 30 s etcd outage is three lines per loop, not one per attempt.

/** What a retry loop tells about its failures and its first success after them. */
export interface ErrorReport {
  failed(err: unknown): void;
  recovered(): void;
}

/** A plain error callback, or a report that also hears of the recovery. */
export type OnError = ((err: unknown) => void) | ErrorReport;

export function asReport(onError: OnError | undefined): ErrorReport {
  if (onError === undefined) return { failed: () => undefined, recovered: () => undefined };
  if (typeof onError === 'function') return { failed: onError, recovered: () => undefined };
  return onError;
}

export const STILL_FAILING_EVERY_MS = 30_000;

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class OutageLog implements ErrorReport {
  private since: number | undefined;
  private lastLogged = 0;
  private failures = 0;

  constructor(
    private readonly what: string,
    private readonly log: (msg: string) => void,
    private readonly now: () => number = Date.now,
    private readonly everyMs = STILL_FAILING_EVERY_MS,
  ) {}

  get failing(): boolean {
    return this.since !== undefined;
  }

  failed(err: unknown): void {
    const now = this.now();
    this.failures++;
    if (this.since === undefined) {
      this.since = this.lastLogged = now;
      this.log(`${this.what}: ${messageOf(err)}; retrying with backoff (logged again every ${this.everyMs / 1000}s while it lasts)`);
      return;
    }
    if (now - this.lastLogged < this.everyMs) return;
    this.lastLogged = now;
    this.log(`${this.what}: still failing after ${seconds(now - this.since)} (${this.failures} attempts): ${messageOf(err)}`);
  }

  recovered(): void {
    if (this.since === undefined) return;
    this.log(`${this.what}: recovered after ${seconds(this.now() - this.since)} (${this.failures} failed attempts)`);
    this.since = undefined;
    this.failures = 0;
  }
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10}s`;

/** An OutageLog for `what` that writes warnings through `warn`. */
export function outageLog(what: string, warn: (msg: string) => void): OutageLog {
  return new OutageLog(what, warn);
}
