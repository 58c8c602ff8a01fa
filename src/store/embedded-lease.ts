// Leases on the embedded store. A lease is a row with an expiry; this process renews the leases it
// holds, and every process that opens the file sweeps expired ones (deleting their keys), so a
// holder that was killed loses its keys within a sweep interval of the expiry. A lease granted
// without keepalive is never renewed: the sweep ends it at its TTL.
import type { AsyncSubject } from 'rxjs';
import { rx } from './rx.js';
import type { Lease } from './store.js';
import type { KvDb } from './embedded-db.js';

type LeaseDb = Pick<KvDb, 'grantLease' | 'renewLease' | 'leaseExists' | 'revokeLeases' | 'sweepExpiredLeases'>;

interface Held {
  ttlSeconds: number;
  lost$: AsyncSubject<string>;
  keepalive: NodeJS.Timeout | undefined;
}

export class LeaseKeeper {
  private readonly held = new Map<number, Held>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly db: LeaseDb,
    sweepIntervalMs: number,
    /** called after a sweep deleted keys, so local watches see it at once */
    private readonly onWrite: () => void,
    private readonly now: () => number = Date.now,
  ) {
    this.sweep();
    this.sweeper = setInterval(() => this.sweep(), sweepIntervalMs).unref();
  }

  grant(ttl: number, keepAlive = true): Lease {
    const ttlSeconds = Math.max(1, Math.ceil(ttl));
    const id = this.db.grantLease(ttlSeconds, this.now());
    const lost$ = new (rx().AsyncSubject)<string>();
    const keepalive = keepAlive ? setInterval(() => this.renew(id), (ttlSeconds * 1000) / 3).unref() : undefined;
    this.held.set(id, { ttlSeconds, lost$, keepalive });
    return {
      id: String(id),
      ttlSeconds,
      lost$: lost$.asObservable(),
      revoke: async () => {
        this.db.revokeLeases([id]);
        this.onWrite();
        this.lose(id, 'revoked');
      },
    };
  }

  /** Stop renewing; the leases expire on their own (as an etcd client's do when it closes). */
  close(): void {
    clearInterval(this.sweeper);
    for (const id of [...this.held.keys()]) this.lose(id, 'store closed');
  }

  private renew(id: number): void {
    const held = this.held.get(id);
    if (!held) return;
    try {
      if (!this.db.renewLease(id, held.ttlSeconds, this.now())) this.lose(id, 'expired');
    } catch {
      // busy or I/O trouble: try again at the next tick; the expiry check in renewLease decides
    }
  }

  private sweep(): void {
    try {
      if (this.db.sweepExpiredLeases(this.now()).length > 0) this.onWrite();
      for (const id of this.held.keys()) {
        if (!this.db.leaseExists(id)) this.lose(id, 'expired or revoked elsewhere');
      }
    } catch {
      // the next sweep retries
    }
  }

  private lose(id: number, reason: string): void {
    const held = this.held.get(id);
    if (!held) return;
    this.held.delete(id);
    clearInterval(held.keepalive);
    held.lost$.next(`lease ${id} ${reason}`);
    held.lost$.complete();
  }
}
