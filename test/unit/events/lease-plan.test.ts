// One lease per reuse window: events expire in a few lease expiries, never by per-key deletes.
import { planLease, reuseWindowMs } from '../../../src/events/lease-plan.js';

const HOUR = 3_600_000;

describe('planLease', () => {
  it.each([
    [HOUR, 60_000],
    [10 * 60_000, 60_000],
    [60_000, 6_000],
    [3_000, 1_000],
  ])('ttl %i ms: a lease takes new events for %i ms', (ttl, window) => {
    expect(reuseWindowMs(ttl)).toBe(window);
  });

  it('grants the first lease with TTL = event TTL + one window', () => {
    expect(planLease(undefined, 0, HOUR)).toEqual({ kind: 'grant', ttlSeconds: 3660 });
    expect(planLease(undefined, 0, 3000)).toEqual({ kind: 'grant', ttlSeconds: 4 });
  });

  it('reuses the lease within its window, grants a new one after', () => {
    const held = { id: '7', grantedAt: 1_000_000 };
    expect(planLease(held, 1_000_000, HOUR)).toEqual({ kind: 'reuse' });
    expect(planLease(held, 1_059_999, HOUR)).toEqual({ kind: 'reuse' });
    expect(planLease(held, 1_060_000, HOUR)).toEqual({ kind: 'grant', ttlSeconds: 3660 });
  });

  it('an hour of events at one a second needs 60 leases, not 3600 deletes', () => {
    let held: { id: string; grantedAt: number } | undefined;
    let grants = 0;
    for (let t = 0; t < HOUR; t += 1000) {
      if (planLease(held, t, HOUR).kind === 'grant') {
        grants++;
        held = { id: String(grants), grantedAt: t };
      }
    }
    expect(grants).toBe(60);
  });

  it('a clock that went back grants anew rather than reuse a lease "from the future"', () => {
    expect(planLease({ id: '1', grantedAt: 5000 }, 4000, HOUR).kind).toBe('grant');
  });
});
