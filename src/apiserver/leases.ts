// Node heartbeats through the API: a Lease per node (coordination.k8s.io's shape, served as
// stackd.io/v1 leases/NAME). The manager's node controller reads the Store's heartbeat key, which
// lives on a Store lease that only a process with an etcd connection can keep alive. So the API
// server holds that Store lease for the agent: acquiring (PUT) writes the heartbeat key on a Store
// lease of the server's, each renewal (merge PATCH) pushes back a timer, and once renewals stop for
// leaseDurationSeconds the server revokes the Store lease: the key vanishes exactly as when a
// direct agent's own lease lapses, and no controller changes. A server that dies takes its Store
// leases with it (etcd expires them); the agent's next renewal, to whichever server answers, is
// refused with 409 and the agent claims its node again (agent/node-claim.ts, unchanged).
import { heartbeatKey } from '../api/keys.js';
import type { Lease, Store, TxnOp } from '../store/store.js';
import { ApiError } from './http.js';
import { GROUP_VERSION } from './resources.js';
import type { Identity } from './tokens.js';

export interface LeaseObject {
  apiVersion: string;
  kind: 'Lease';
  metadata: { name: string; resourceVersion: string };
  spec: { holderIdentity: string; leaseDurationSeconds?: number; renewTime?: string };
}

interface Held {
  storeLease: Lease;
  holder: string;
  ttlSeconds: number;
  revision: number;
  timer: NodeJS.Timeout;
}

const MAX_TTL = 300;

export function leaseObject(name: string, holder: string, revision: number, ttlSeconds?: number): LeaseObject {
  return {
    apiVersion: GROUP_VERSION,
    kind: 'Lease',
    metadata: { name, resourceVersion: String(revision) },
    spec: { holderIdentity: holder, ...(ttlSeconds ? { leaseDurationSeconds: ttlSeconds } : {}), renewTime: new Date().toISOString() },
  };
}

/** admin: any lease; viewer: read; node N: its own lease only. Pure. */
export function leaseAccess(who: Identity, method: string, name: string): void {
  if (who.role === 'admin') return;
  if (who.role === 'viewer' && method === 'GET') return;
  if (who.role === 'node' && who.node === name) return;
  throw new ApiError(
    'Forbidden',
    `leases.stackd.io "${name}" is forbidden: ${who.role === 'node' ? `node ${who.node} may hold only lease ${who.node}` : 'viewer may only read'}`,
  );
}

function holderOf(body: unknown): string {
  const holder = (body as LeaseObject | undefined)?.spec?.holderIdentity;
  if (typeof holder !== 'string' || holder === '') throw new ApiError('Invalid', 'Lease: spec.holderIdentity must be a non-empty string');
  return holder;
}

/** The heartbeat Store leases this API server holds for agents, by node. */
export class NodeLeases {
  private readonly held = new Map<string, Held>();

  constructor(private readonly store: Store) {}

  async get(name: string): Promise<LeaseObject> {
    const kv = await this.store.get(heartbeatKey(name));
    if (!kv) throw new ApiError('NotFound', `leases.stackd.io "${name}" not found`, { name, kind: 'leases' });
    return leaseObject(name, kv.value, kv.modRevision, this.held.get(name)?.ttlSeconds);
  }

  /** PUT: write the heartbeat key on a new Store lease; without resourceVersion only if there is
   *  none (create), with one only if it is unchanged (compare-and-swap): 409 otherwise. */
  async acquire(name: string, body: unknown): Promise<LeaseObject> {
    const holder = holderOf(body);
    const ttl = (body as LeaseObject).spec.leaseDurationSeconds ?? 10;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL)
      throw new ApiError('Invalid', `Lease: spec.leaseDurationSeconds must be a whole number from 1 to ${MAX_TTL}`);
    const rv = (body as LeaseObject).metadata?.resourceVersion;
    const key = heartbeatKey(name);
    const storeLease = await this.store.grantLease(ttl);
    const op: TxnOp = rv
      ? { op: 'update', key, value: holder, lease: storeLease.id, revision: Number(rv) }
      : { op: 'create', key, value: holder, lease: storeLease.id };
    const res = await this.store.txn([op]).catch(async (err) => {
      await storeLease.revoke().catch(() => undefined);
      throw err;
    });
    if (!res.succeeded) {
      await storeLease.revoke().catch(() => undefined);
      throw new ApiError('Conflict', `Operation cannot be fulfilled on leases.stackd.io "${name}": held by another, or changed since it was read`, {
        name,
        kind: 'leases',
      });
    }
    const prev = this.held.get(name);
    this.held.set(name, { storeLease, holder, ttlSeconds: ttl, revision: res.revision, timer: this.expiry(name, storeLease, ttl) });
    // the key is on the new Store lease now: the old one holds nothing
    if (prev) this.drop(prev);
    storeLease.lost$.subscribe(() => this.forget(name, storeLease));
    return leaseObject(name, holder, res.revision, ttl);
  }

  /** PATCH: a renewal by the holder, through the server that holds its Store lease; 409 if this
   *  server does not (restarted, or the agent moved): the agent then acquires again. */
  renew(name: string, body: unknown): LeaseObject {
    const holder = holderOf(body);
    const h = this.held.get(name);
    if (!h || h.holder !== holder) {
      throw new ApiError('Conflict', `lease ${name} is not held by this holder through this server: acquire it again (PUT)`, { name, kind: 'leases' });
    }
    clearTimeout(h.timer);
    h.timer = this.expiry(name, h.storeLease, h.ttlSeconds);
    return leaseObject(name, holder, h.revision, h.ttlSeconds);
  }

  /** DELETE: the node goes down now (its engine stopped answering, or the agent stops). */
  async release(name: string): Promise<void> {
    const h = this.held.get(name);
    if (h) {
      this.held.delete(name);
      clearTimeout(h.timer);
      await h.storeLease.revoke();
      return;
    }
    await this.store.txn([{ op: 'delete', key: heartbeatKey(name) }]);
  }

  /** Server shutdown: timers go, Store leases lapse with the process (agents renew elsewhere). */
  close(): void {
    for (const h of this.held.values()) clearTimeout(h.timer);
    this.held.clear();
  }

  private expiry(name: string, storeLease: Lease, ttl: number): NodeJS.Timeout {
    const t = setTimeout(() => {
      if (this.held.get(name)?.storeLease !== storeLease) return;
      this.held.delete(name);
      void storeLease.revoke().catch(() => undefined);
    }, ttl * 1000);
    t.unref();
    return t;
  }

  private forget(name: string, storeLease: Lease): void {
    const h = this.held.get(name);
    if (h?.storeLease !== storeLease) return;
    clearTimeout(h.timer);
    this.held.delete(name);
  }

  private drop(h: Held): void {
    clearTimeout(h.timer);
    void h.storeLease.revoke().catch(() => undefined);
  }
}
