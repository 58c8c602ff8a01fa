// Task status reports, written in batches: reports arriving together (a burst of container
// events) share one transaction, and a report of a state a task passes through on its way to
// running waits a moment for that task's next one (the latest report of a task wins). Each report is a
// compare-and-swap on the task as this writer last saw it (read once, then its own writes: no read
// per report, which at scale doubled the Store's load); the few that lose to a manager write are
// read again and retried.
import { objectKey } from '../api/keys.js';
import type { Task, TaskState, TaskStatus } from '../api/objects.js';
import { decodeObject, encodeStoredTask } from '../client/codec.js';
import { canAdvance } from '../orchestrator/task-state.js';
import type { Store } from '../store/store.js';
import { reconnectBackoff } from '../controller/backoff.js';
import { asReport, type OnError } from '../controller/outage-log.js';

const MAX_TRIES = 5;

/** States a task usually leaves within a second on its way to running (its container being made,
 *  made, started): a report of one waits up to `lingerMs` for the task's next report, so a task that
 *  starts at once is written once (running), not three times. Swarm's dispatcher batches task
 *  statuses for up to 100 ms the same way; 250 ms here still wrote 0.76 passing states per task on
 *  saturated hollow nodes (bench:scale at 100,000 tasks), 1 s wrote 0.38; a state a task stays in
 *  (an image pull, a health check) shows 1 s late. Any other report (running, ended, failed,
 *  stopped) is written at once, with the waiting reports of other tasks whose time is up; those
 *  still within their linger keep waiting (on a busy node, another task's running report comes
 *  every few ms: taking every waiting report along wrote most passing states after all). */
const PASSING: ReadonlySet<TaskState> = new Set(['accepted', 'preparing', 'ready', 'starting']);
export const DEFAULT_LINGER_MS = 1000;

/** a task as this writer last read or wrote it, and the revision its compare-and-swap needs */
interface Known {
  task: Task;
  revision: number;
}

interface Pending {
  status: TaskStatus;
  done: (ok: boolean) => void;
}

/** A task's reports not written yet, and when they must be (performance.now(), immune to clock
 *  steps; 0: at once). */
interface Waiting {
  reports: Pending[];
  due: number;
}

export class StatusWriter {
  private pending = new Map<string, Waiting>();
  private flushing?: Promise<void>;
  /** ends a linger early (a report that must not wait came) */
  private wake: (() => void) | undefined;
  /** each task as last read or written by this writer; dropped on a conflict or forget() */
  private readonly known = new Map<string, Known>();

  constructor(
    private readonly store: Store,
    private readonly onError?: OnError,
    private readonly lingerMs = DEFAULT_LINGER_MS,
  ) {}

  /** Resolves true once written, false if the task no longer exists. */
  report(namespace: string, name: string, status: TaskStatus): Promise<boolean> {
    const key = objectKey('Task', namespace, name);
    return new Promise((done) => {
      const due = PASSING.has(status.state) ? performance.now() + this.lingerMs : 0;
      const waiting = this.pending.get(key);
      // a task's reports are written when the first of them is due (a linger never grows)
      if (waiting) {
        waiting.reports.push({ status, done });
        waiting.due = Math.min(waiting.due, due);
      } else this.pending.set(key, { reports: [{ status, done }], due });
      if (due === 0) this.wake?.();
      this.schedule();
    });
  }

  /** The task as the caller knows it is stored, at `revision` (saves the writer its own read). */
  seen(task: Task, revision: number): void {
    this.known.set(objectKey('Task', task.metadata.namespace, task.metadata.name), { task, revision });
  }

  /** The task is no longer this node's: nothing of it is kept. */
  forget(namespace: string, name: string): void {
    this.known.delete(objectKey('Task', namespace, name));
  }

  private schedule(): void {
    if (this.flushing) return;
    this.flushing = (async () => {
      for (let failures = 0; this.pending.size > 0; ) {
        await this.gathered();
        const now = performance.now();
        const batch = new Map<string, Pending[]>();
        for (const [key, waiting] of this.pending) {
          if (waiting.due > now) continue;
          batch.set(key, waiting.reports);
          this.pending.delete(key);
        }
        if (batch.size === 0) continue;
        try {
          await this.write(batch);
          if (failures > 0) asReport(this.onError).recovered();
          failures = 0;
        } catch (err) {
          // the Store is unreachable: keep the reports (newer ones for a task stay last) and
          // retry; they have waited, so they are written as soon as the Store answers
          for (const [key, reports] of batch) this.pending.set(key, { reports: [...reports, ...(this.pending.get(key)?.reports ?? [])], due: 0 });
          failures++;
          asReport(this.onError).failed(err);
          await new Promise((r) => setTimeout(r, reconnectBackoff.delayMs(failures)));
        }
      }
    })().finally(() => {
      this.flushing = undefined;
      if (this.pending.size > 0) this.schedule();
    });
  }

  /** A burst of reports gathers for one turn of the event loop; then the writer waits until the
   *  first waiting report is due, or one that must not wait comes. */
  private async gathered(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    let due = Infinity;
    for (const waiting of this.pending.values()) due = Math.min(due, waiting.due);
    const wait = due - performance.now();
    if (wait <= 0) return;
    await new Promise<void>((done) => {
      const timer = setTimeout(done, wait);
      this.wake = () => {
        clearTimeout(timer);
        done();
      };
    });
    this.wake = undefined;
  }

  private async write(batch: Map<string, Pending[]>): Promise<void> {
    let keys = [...batch.keys()];
    for (let attempt = 1; keys.length > 0; attempt++) {
      const current = await Promise.all(keys.map((k) => this.known.get(k) ?? this.read(k)));
      const gone = keys.filter((_, i) => !current[i]);
      for (const k of gone) for (const p of batch.get(k)!) p.done(false);
      for (const k of gone) this.known.delete(k);
      const live = keys.map((k, i) => [k, current[i]] as const).filter(([, kv]) => kv);
      const next = new Map<string, Task>();
      const ops = live.flatMap(([key, known]) => {
        const { task, revision } = known!;
        const reports = batch.get(key)!;
        const status = reports[reports.length - 1].status; // the latest report wins
        const stored = task.status?.state ?? 'new';
        // states only move forward: a task the manager already ended (orphaned) stays so
        if (stored !== status.state && !canAdvance(stored, status.state)) return [];
        const written = { ...task, status };
        next.set(key, written);
        return [{ op: 'update' as const, key, value: encodeStoredTask(written), revision }];
      });
      if (ops.length === 0) {
        for (const [key] of live) for (const p of batch.get(key)!) p.done(true);
        return;
      }
      const res = await this.store.txn(ops);
      const lost = new Set(res.succeeded ? [] : res.conflicts.map((c) => c.key));
      if (res.succeeded) for (const op of ops) this.known.set(op.key, { task: next.get(op.key)!, revision: res.revision });
      // read again what someone else wrote (a failed txn may name only some of its conflicts)
      else for (const op of ops) this.known.delete(op.key);
      if (!res.succeeded && attempt < MAX_TRIES) {
        // the whole txn failed: retry every key (those that did not conflict simply go through)
        keys = live.map(([k]) => k);
        continue;
      }
      for (const [key] of live) for (const p of batch.get(key)!) p.done(!lost.has(key));
      return;
    }
  }

  private async read(key: string): Promise<Known | undefined> {
    const kv = await this.store.get(key);
    return kv && { task: decodeObject<Task>(kv), revision: kv.modRevision };
  }
}
