// Token records kept in memory, so a request costs no Store read (a read per request held API
// writes to 250-400/s against 640-1,150 direct). A list+watch of the token prefix keeps the map
// exact: `stackctl token revoke` deletes the key, the watch drops the record within the watch's
// delivery time. While the watch is down (Store outage, relist) the cache is not trusted and every
// lookup reads the Store, as before: a revocation is never missed because a watch was.
import type { Subscription } from 'rxjs';
import { API_TOKEN_PREFIX } from '../api/keys.js';
import { listWatch, type InformerMessage } from '../controller/informer.js';
import type { Store } from '../store/store.js';
import { readToken, splitToken, verifySecret, type Identity, type TokenRecord } from './tokens.js';

export class TokenCache {
  private readonly records = new Map<string, TokenRecord>();
  /** true from a full list until the watch fails */
  private live = false;
  private subscription?: Subscription;

  constructor(private readonly store: Store) {}

  start(): this {
    const report = { failed: () => (this.live = false), recovered: () => undefined };
    this.subscription = listWatch(this.store, API_TOKEN_PREFIX, undefined, report).subscribe((msg) => this.apply(msg));
    return this;
  }

  close(): void {
    this.subscription?.unsubscribe();
    this.live = false;
  }

  /** The identity a bearer token stands for, or undefined (unknown, revoked or wrong secret). */
  async authenticate(token: string): Promise<Identity | undefined> {
    const parts = splitToken(token);
    if (!parts) return undefined;
    const rec = await this.lookup(parts.id);
    return rec ? verifySecret(rec, parts.secret) : undefined;
  }

  private async lookup(id: string): Promise<TokenRecord | undefined> {
    if (!this.live) return readToken(this.store, id);
    // a miss reads the Store: a token made a moment ago may not have come through the watch yet.
    // What it reads is not cached (the watch brings it): caching a read could resurrect a token
    // whose deletion the watch has already applied.
    return this.records.get(id) ?? readToken(this.store, id);
  }

  private apply(msg: InformerMessage): void {
    if (msg.type === 'sync') {
      this.records.clear();
      for (const kv of msg.items) this.put(kv.key, kv.value);
      this.live = true;
      return;
    }
    for (const ev of msg.events) {
      if (ev.type === 'delete') this.records.delete(ev.kv.key.slice(API_TOKEN_PREFIX.length));
      else this.put(ev.kv.key, ev.kv.value);
    }
  }

  private put(key: string, value: string): void {
    try {
      const rec = JSON.parse(value) as TokenRecord;
      this.records.set(key.slice(API_TOKEN_PREFIX.length), rec);
    } catch {
      // not a record of ours: lookups of that id read the Store and fail there the same way
      this.records.delete(key.slice(API_TOKEN_PREFIX.length));
    }
  }
}
