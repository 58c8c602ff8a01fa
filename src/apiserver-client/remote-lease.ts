// The agent's heartbeat lease through the API (the server's half: apiserver/leases.ts). Granting
// one costs nothing; writing the heartbeat key on it (a PUT of leases/NODE) binds it, and from then
// on it renews itself by merge patch every third of its TTL. It is lost when the server refuses a
// renewal (409: the server restarted or another agent took the node) or when no renewal got
// through for a whole TTL; the agent's heartbeat loop then claims the node again.
import { randomUUID } from 'node:crypto';
import { ReplaySubject, type Observable } from 'rxjs';
import type { Lease } from '../store/store.js';

export interface LeaseCalls {
  renew(node: string, holder: string): Promise<void>;
  release(node: string): Promise<void>;
}

export class RemoteLease implements Lease {
  readonly id = randomUUID();
  private readonly lost = new ReplaySubject<string>(1);
  readonly lost$: Observable<string> = this.lost.asObservable();
  private timer?: NodeJS.Timeout;
  private bound?: { node: string; holder: string };
  private over = false;

  constructor(
    readonly ttlSeconds: number,
    private readonly calls: LeaseCalls,
  ) {}

  /** The heartbeat key `holder` was written on this lease for `node`. */
  bind(node: string, holder: string): void {
    this.bound = { node, holder };
    let lastRenewed = Date.now();
    clearInterval(this.timer);
    this.timer = setInterval(
      () => {
        if (this.over) return;
        this.calls.renew(node, holder).then(
          () => (lastRenewed = Date.now()),
          (err: Error & { code?: number }) => {
            if (err.code === 409 || err.code === 404) this.lose(`the server no longer holds it (${err.code})`);
            else if (Date.now() - lastRenewed > this.ttlSeconds * 1000) this.lose(`no renewal got through for ${this.ttlSeconds}s: ${err.message}`);
          },
        );
      },
      Math.max(200, (this.ttlSeconds * 1000) / 3),
    );
  }

  holds(node: string, holder: string): boolean {
    return !this.over && this.bound?.node === node && this.bound.holder === holder;
  }

  async revoke(): Promise<void> {
    this.stop();
    if (this.bound) await this.calls.release(this.bound.node);
  }

  /** The process stops: no more renewals (the server lets the heartbeat lapse). */
  stop(): void {
    this.over = true;
    clearInterval(this.timer);
    // lost$ stays silent: the lease was given up, not lost (a direct Store's revoke does the same)
  }

  private lose(reason: string): void {
    this.over = true;
    clearInterval(this.timer);
    this.lost.next(reason);
    this.lost.complete();
  }
}
