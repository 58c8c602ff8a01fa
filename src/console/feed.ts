// What the console shows, kept in memory from one list + watch of the Store (no polling): stacks,
// services, tasks, nodes, GitOps sources and events. Browsers get a snapshot, then each change
// as it arrives (Server-Sent Events). After a compaction the feed lists again and sends a new
// snapshot.
import type { Subscription } from 'rxjs';
import { ROOT } from '../api/keys.js';
import type { Task } from '../api/objects.js';
import { occupiesNode } from '../orchestrator/task-state.js';
import type { KeyValue, Store, WatchEvent } from '../store/store.js';

const SHOWN = ['stacks/', 'services/', 'tasks/', 'nodes/', 'gitsources/', 'events/'].map((p) => ROOT + p);

export type Change = { type: 'put'; key: string; obj: unknown } | { type: 'delete'; key: string };
export type FeedMessage = { type: 'snapshot'; revision: number; objects: Record<string, unknown> } | { type: 'changes'; revision: number; changes: Change[] };

const shown = (key: string) => SHOWN.some((p) => key.startsWith(p));

/** What a browser needs of an object. A task's template is big: only its image and reservations
 *  are shown, plus whether it holds its node's resources (the scheduler's rule, occupiesNode),
 *  so the nodes page sums reservations the way the scheduler does. */
export function slim(key: string, value: string): unknown {
  const obj = JSON.parse(value) as Task;
  if (!key.startsWith(`${ROOT}tasks/`) || !obj.spec?.template) return obj;
  const reservations = obj.spec.template.deploy?.resources?.reservations ?? {};
  const template = { image: obj.spec.template.image, reservations: { cpus: reservations.cpus, memory: reservations.memory } };
  // of a task's metadata the pages use its name and age only (5,000 tasks: half the snapshot)
  const { name, namespace, creationTimestamp } = obj.metadata;
  const { restart: _restart, ...spec } = obj.spec;
  return { kind: 'Task', metadata: { name, namespace, creationTimestamp }, spec: { ...spec, template }, status: obj.status, occupies: occupiesNode(obj) };
}

export function toChanges(events: WatchEvent[]): Change[] {
  return events
    .filter((e) => shown(e.kv.key))
    .map((e) => (e.type === 'put' ? { type: 'put', key: e.kv.key, obj: slim(e.kv.key, e.kv.value) } : { type: 'delete', key: e.kv.key }));
}

export class ConsoleFeed {
  private objects = new Map<string, unknown>();
  private revision = 0;
  private readonly listeners = new Set<(m: FeedMessage) => void>();
  private sub?: Subscription;
  private closed = false;

  constructor(private readonly store: Store) {}

  async start(): Promise<void> {
    const { items, revision } = await this.store.list(ROOT);
    this.objects = new Map(items.filter((kv: KeyValue) => shown(kv.key)).map((kv) => [kv.key, slim(kv.key, kv.value)]));
    this.revision = revision;
    this.emit(this.snapshot());
    this.sub = this.store.watch(ROOT, revision + 1).subscribe({
      next: (m) => {
        if (m.type === 'relist') return;
        const changes = toChanges(m.events);
        this.revision = m.revision;
        for (const c of changes) c.type === 'put' ? this.objects.set(c.key, c.obj) : this.objects.delete(c.key);
        if (changes.length > 0) this.emit({ type: 'changes', revision: m.revision, changes });
      },
      // a compaction (relist) or a broken watch: list again after a short pause
      complete: () => this.restart(),
      error: () => this.restart(),
    });
  }

  private restart(): void {
    if (this.closed) return;
    setTimeout(() => void this.start().catch(() => this.restart()), 1000).unref();
  }

  snapshot(): FeedMessage {
    return { type: 'snapshot', revision: this.revision, objects: Object.fromEntries(this.objects) };
  }

  private cached?: { revision: number; text: string };
  /** The snapshot as JSON, built once per revision however many browsers connect. */
  snapshotText(): string {
    if (this.cached?.revision !== this.revision) this.cached = { revision: this.revision, text: JSON.stringify(this.snapshot()) };
    return this.cached.text;
  }

  subscribe(fn: (m: FeedMessage) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(m: FeedMessage): void {
    for (const fn of this.listeners) fn(m);
  }

  close(): void {
    this.closed = true;
    this.sub?.unsubscribe();
  }
}
