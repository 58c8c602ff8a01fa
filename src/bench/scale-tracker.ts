// A scale run's view of every task: a list-then-watch of the tasks' keys (the informers' own
// listWatch), kept as small records, and the watch lag of each status write (the time from the
// state's timestamp, written by the agent or the scheduler, to this watch seeing it).
import type { Subscription } from 'rxjs';
import { heartbeatKey, kindPrefix } from '../api/keys.js';
import type { Task, TaskState } from '../api/objects.js';
import { decodeObject } from '../client/codec.js';
import { listWatch } from '../controller/informer.js';
import type { Store } from '../store/store.js';

export interface TaskRecord {
  stack: string;
  service: string;
  slot?: number;
  node?: string;
  desired: Task['spec']['desiredState'];
  state: TaskState;
  specHash: string;
}

export class TaskTracker {
  readonly tasks = new Map<string, TaskRecord>();
  /** ms from a status timestamp to its arrival here, one sample per state change seen */
  readonly lagMs: number[] = [];
  /** task writes seen since the sync, by the state written (where the store's puts go) */
  readonly writes = new Map<TaskState, number>();
  private sub?: Subscription;
  private synced = false;

  constructor(private readonly store: Store) {}

  start(): Promise<void> {
    return new Promise((resolve) => {
      this.sub = listWatch(this.store, kindPrefix('Task')).subscribe((msg) => {
        const now = Date.now();
        if (msg.type === 'sync') {
          this.tasks.clear();
          for (const kv of msg.items) this.tasks.set(kv.key, record(decodeObject<Task>(kv)));
          this.synced = true;
          resolve();
          return;
        }
        for (const ev of msg.events) {
          if (ev.type === 'delete') {
            this.tasks.delete(ev.kv.key);
            continue;
          }
          // the stored value without its template (shared, parsed once): most of a task's bytes
          const task = decodeObject<Task>(ev.kv);
          const prev = this.tasks.get(ev.kv.key);
          const next = record(task);
          this.tasks.set(ev.kv.key, next);
          if (this.synced) this.writes.set(next.state, (this.writes.get(next.state) ?? 0) + 1);
          if (this.synced && prev?.state !== next.state && task.status?.timestamp) this.lagMs.push(now - Date.parse(task.status.timestamp));
        }
      });
    });
  }

  /** the writes seen since `since` (a copy of `writes` taken then), per task, by state */
  writesPerTask(since: Map<TaskState, number>, tasks: number): string {
    const per = [...this.writes].map(([state, n]) => [state, (n - (since.get(state) ?? 0)) / tasks] as const).filter(([, r]) => r >= 0.005);
    const total = per.reduce((sum, [, r]) => sum + r, 0);
    return `${total.toFixed(2)} (${per.map(([state, r]) => `${state} ${r.toFixed(2)}`).join(', ')})`;
  }

  stop(): void {
    this.sub?.unsubscribe();
  }

  /** tasks the manager wants running, by what they are at */
  count(where: (t: TaskRecord) => boolean): number {
    let n = 0;
    for (const t of this.tasks.values()) if (where(t)) n++;
    return n;
  }

  /** polls `done` until it holds; resolves with the ms it took, or -1 after timeoutMs. Every 100 ms,
   *  or every 0.5% of the time so far once that is longer: each poll is a pass over every task
   *  (200,000 after the full-size update), and the benchmark's CPU is taken from the system it
   *  measures (70 s of 726 during that update), so the figure is late by at most 0.5%. */
  async until(done: () => boolean, timeoutMs: number, since = Date.now()): Promise<number> {
    for (;;) {
      if (done()) return Date.now() - since;
      const elapsed = Date.now() - since;
      if (elapsed > timeoutMs) return -1;
      await new Promise((r) => setTimeout(r, Math.max(100, elapsed / 200)));
    }
  }
}

function record(task: Task): TaskRecord {
  return {
    stack: task.spec.stack,
    service: task.spec.service,
    slot: task.spec.slot,
    node: task.spec.nodeName,
    desired: task.spec.desiredState,
    state: task.status?.state ?? 'new',
    specHash: task.spec.specHash,
  };
}

/** Heartbeat leases that lapsed (their keys deleted by etcd) other than the nodes crashed on
 *  purpose: a hollow node starved of CPU misses its renewals, its node goes down after the grace
 *  and its tasks are placed again, so a run with lapses measured a starved simulation too. */
export class LeaseLapses {
  private readonly byNode = new Map<string, number>();
  private readonly excluded = new Set<string>();
  private sub?: Subscription;

  constructor(private readonly store: Store) {}

  async start(): Promise<void> {
    const prefix = heartbeatKey('');
    this.sub = this.store.watch(prefix, (await this.store.list(prefix)).revision + 1).subscribe((msg) => {
      if (msg.type !== 'events') return;
      for (const ev of msg.events) {
        const node = ev.kv.key.slice(prefix.length);
        if (ev.type === 'delete' && !this.excluded.has(node)) this.byNode.set(node, (this.byNode.get(node) ?? 0) + 1);
      }
    });
  }

  /** nodes whose lapses from now on are the benchmark's doing (the crash) */
  exclude(nodes: Iterable<string>): void {
    for (const n of nodes) this.excluded.add(n);
  }

  /** "none", or "N (on M nodes)" so far */
  summary(): string {
    const n = [...this.byNode.values()].reduce((a, b) => a + b, 0);
    return n === 0 ? 'none' : `${n} (on ${this.byNode.size} nodes)`;
  }

  stop(): void {
    this.sub?.unsubscribe();
  }
}

/** placed: has a node and is past pending (assigned or any later state, not ended) */
export const PLACED: ReadonlySet<TaskState> = new Set<TaskState>(['assigned', 'accepted', 'preparing', 'ready', 'starting', 'running']);

export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
