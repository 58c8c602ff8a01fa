// Leases: the etcd3 client keeps them alive; we translate its 'lost' into lost$ and make sure
// lost$ also fires on revoke and on store close (when the keepalive stops). A lease without
// keepalive reports lost$ when its TTL has run out (etcd deletes its keys then by itself).
import type { Etcd3, Lease as EtcdClientLease } from 'etcd3';
import type { Observable } from 'rxjs';
import { rx } from './rx.js';
import type { Lease } from './store.js';

export class EtcdLease implements Lease {
  private readonly lost = new (rx().AsyncSubject)<string>();
  readonly lost$: Observable<string> = this.lost.asObservable();

  private constructor(
    readonly id: string,
    readonly ttlSeconds: number,
    private readonly inner: EtcdClientLease,
    private readonly revokeCall: (call: () => Promise<void>) => Promise<void>,
  ) {
    inner.on('lost', (err) => this.markLost(`lease ${id} lost: ${err.message}`));
  }

  /** Grants a lease; `retrying` wraps the RPCs in the store's retry policy. */
  static async grant(client: Etcd3, ttlSeconds: number, retrying: <T>(call: () => Promise<T>) => Promise<T>, keepAlive = true): Promise<EtcdLease> {
    const [inner, id] = await retrying(async () => {
      const attempt = client.lease(ttlSeconds, { autoKeepAlive: keepAlive });
      attempt.on('lost', () => undefined); // a failed grant is reported by grant() as well
      try {
        return [attempt, await attempt.grant()] as const;
      } catch (err) {
        attempt.release();
        throw err;
      }
    });
    try {
      // etcd raises TTLs below its minimum (about 2 s): report what was granted
      const { grantedTTL } = await retrying(() => client.leaseClient.leaseTimeToLive({ ID: id, keys: false }));
      const lease = new EtcdLease(id, Math.max(Number(grantedTTL), ttlSeconds), inner, retrying);
      if (!keepAlive) setTimeout(() => lease.release(`lease ${id} expired`), lease.ttlSeconds * 1000).unref();
      return lease;
    } catch (err) {
      inner.release();
      throw err;
    }
  }

  async revoke(): Promise<void> {
    await this.revokeCall(() => this.inner.revoke());
    this.markLost(`lease ${this.id} revoked`);
  }

  /** Stops the keepalive; etcd lets the lease expire after its TTL. */
  release(reason: string): void {
    this.inner.release();
    this.markLost(reason);
  }

  private markLost(reason: string): void {
    if (this.lost.isStopped) return;
    this.lost.next(reason);
    this.lost.complete();
  }
}
