// Which keys exist under a prefix (values ignored), kept current by list + watch.
import { Subject, type Subscription } from 'rxjs';
import type { Store } from '../store/store.js';
import { listWatch } from './informer.js';
import type { OnError } from './outage-log.js';

export class KeySet {
  private readonly keys = new Set<string>();
  private readonly changes = new Subject<string>();
  private subscription?: Subscription;
  private syncedResolve!: () => void;
  readonly synced = new Promise<void>((r) => (this.syncedResolve = r));
  /** each key added or removed */
  readonly changes$ = this.changes.asObservable();

  constructor(
    private readonly store: Store,
    readonly prefix: string,
    private readonly onError?: OnError,
  ) {}

  start(): void {
    this.subscription = listWatch(this.store, this.prefix, undefined, this.onError).subscribe((msg) => {
      if (msg.type === 'sync') {
        const now = new Set(msg.items.map((kv) => kv.key));
        for (const k of [...this.keys]) if (!now.has(k)) this.delete(k);
        for (const k of now) if (!this.keys.has(k)) this.add(k);
        this.syncedResolve();
      } else {
        for (const ev of msg.events) (ev.type === 'put' ? this.add : this.delete).call(this, ev.kv.key);
      }
    });
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.changes.complete();
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  private add(key: string): void {
    if (this.keys.has(key)) return;
    this.keys.add(key);
    this.changes.next(key);
  }

  private delete(key: string): void {
    if (this.keys.delete(key)) this.changes.next(key);
  }
}
