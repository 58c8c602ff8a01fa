// Which Store lease a new event write goes on. Kubernetes' API server attaches events to etcd
// leases and reuses one lease for the events of a short window (--lease-reuse-duration-seconds,
// 60 s): here too, so expiry costs one lease per window instead of one delete per event. An event
// written in a window lives from ttl to ttl + window after that write. Pure.

export interface HeldLease {
  id: string;
  /** when it was granted (ms) */
  grantedAt: number;
}

/** How long one lease takes new events: a tenth of the TTL, within 1 s .. 60 s. */
export function reuseWindowMs(ttlMs: number): number {
  return Math.min(60_000, Math.max(1_000, Math.floor(ttlMs / 10)));
}

export type LeaseDecision = { kind: 'reuse' } | { kind: 'grant'; ttlSeconds: number };

export function planLease(current: HeldLease | undefined, now: number, ttlMs: number): LeaseDecision {
  const window = reuseWindowMs(ttlMs);
  if (current && now >= current.grantedAt && now < current.grantedAt + window) return { kind: 'reuse' };
  return { kind: 'grant', ttlSeconds: Math.ceil((ttlMs + window) / 1000) };
}
