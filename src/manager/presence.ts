// Each manager announces itself under /stackd/managers/<identity> on a lease of its own, so
// `stackctl cluster status` can list the standbys too (the election keys say only who campaigns)
// and tell since when the leader leads. The key goes with the process: a lease, not a record.
import { firstValueFrom } from 'rxjs';
import { MANAGER_PREFIX } from '../api/keys.js';
import type { Lease, Store } from '../store/store.js';
import { asReport, type OnError } from '../controller/outage-log.js';

export interface ManagerRecord {
  identity: string;
  host: string;
  pid: number;
  /** where its /healthz, /readyz and /metrics answer (--metrics-listen), if anywhere */
  address?: string;
  startedAt: string;
  /** set while it leads */
  leaderSince?: string;
}

export class ManagerPresence {
  private lease: Lease | undefined;

  constructor(
    private readonly store: Store,
    private record: ManagerRecord,
    private readonly ttlSeconds: number,
    private readonly onError?: OnError,
  ) {}

  /** Keeps the key there until `signal` aborts, renewing it after a lost lease; store errors wait
   *  and retry (the manager's other loops report them). */
  async run(signal: AbortSignal): Promise<void> {
    const report = asReport(this.onError);
    const stopped = new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
    while (!signal.aborted) {
      try {
        this.lease = await this.store.grantLease(this.ttlSeconds);
        await this.write();
        report.recovered();
        await Promise.race([firstValueFrom(this.lease.lost$), stopped]);
      } catch (err) {
        if (!signal.aborted) report.failed(err);
        void this.lease?.revoke().catch(() => undefined);
        await Promise.race([new Promise((r) => setTimeout(r, 1000)), stopped]);
      }
    }
    await this.lease?.revoke().catch(() => undefined);
  }

  /** Marks the record leading (or not); best effort, since the key is informational. */
  async setLeading(leading: boolean): Promise<void> {
    const { leaderSince: _was, ...rest } = this.record;
    this.record = leading ? { ...rest, leaderSince: new Date().toISOString() } : rest;
    await this.write().catch(() => undefined);
  }

  private async write(): Promise<void> {
    if (!this.lease) return;
    await this.store.txn([{ op: 'put', key: MANAGER_PREFIX + this.record.identity, value: JSON.stringify(this.record), lease: this.lease.id }]);
  }
}
