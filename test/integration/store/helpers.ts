// Small tools for the Store conformance suite: unique prefixes, polling, watch recorders.
import type { Observable, Subscription } from 'rxjs';
import type { WatchEvent, WatchMessage } from '../../../src/store/store.js';

let counter = 0;

/** A key prefix no other test (or earlier run against the same backend) uses. */
export function uniquePrefix(label: string): string {
  counter += 1;
  return `/conformance/${label}-${process.pid}-${Date.now().toString(36)}-${counter}/`;
}

/** Polls `check` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function eventually<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Subscribes to a watch and keeps everything it delivers. */
export class WatchRecorder {
  readonly messages: WatchMessage[] = [];
  error: unknown;
  completed = false;
  private readonly subscription: Subscription;

  constructor(watch$: Observable<WatchMessage>) {
    this.subscription = watch$.subscribe({
      next: (m) => this.messages.push(m),
      error: (e) => (this.error = e),
      complete: () => (this.completed = true),
    });
  }

  get events(): WatchEvent[] {
    return this.messages.flatMap((m) => (m.type === 'events' ? m.events : []));
  }

  /** "put a=1", "delete a": easy to compare in order */
  get summary(): string[] {
    return this.events.map(describeEvent);
  }

  async waitForEvents(count: number): Promise<WatchEvent[]> {
    await eventually(
      () => {
        if (this.error) throw this.error;
        return this.events.length >= count;
      },
      `${count} watch events (have ${this.events.length}: ${this.summary.join(', ')})`,
    );
    return this.events;
  }

  stop(): void {
    this.subscription.unsubscribe();
  }
}

export function describeEvent(e: WatchEvent): string {
  const name = e.kv.key.slice(e.kv.key.lastIndexOf('/') + 1);
  return e.type === 'put' ? `put ${name}=${e.kv.value}` : `delete ${name}`;
}
