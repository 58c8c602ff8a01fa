// Leader fencing: every transaction a leader makes carries a guard on its election key, so a
// leader that was paused past its lease (SIGSTOP, a long GC, a partition) and wakes up still
// believing it leads cannot land a write: its key is gone and the store refuses the whole
// transaction atomically, on both backends. Reads and watches pass through.
import type { Leadership, Store, TxnOp, TxnResult } from './store.js';

export class LeadershipLostError extends Error {
  constructor(key: string) {
    super(`not the leader any more (election key ${key} is gone): write refused`);
    this.name = 'LeadershipLostError';
  }
}

/** `inner` whose every txn holds only while `fence` (the leader's election key) is unchanged; a
 *  transaction refused for that throws LeadershipLostError rather than look like a conflict to
 *  retry. */
export function fencedStore(inner: Store, fence: Leadership['fence']): Store {
  const guard: TxnOp = { op: 'guard', ...fence };
  return {
    endpoint: inner.endpoint,
    get: (key) => inner.get(key),
    list: (prefix) => inner.list(prefix),
    async txn(ops: TxnOp[]): Promise<TxnResult> {
      const res = await inner.txn([...ops, guard]);
      if (!res.succeeded && res.conflicts.some((c) => c.reason === 'fenced')) throw new LeadershipLostError(fence.key);
      return res;
    },
    watch: (prefix, from) => inner.watch(prefix, from),
    grantLease: (ttl, opts) => inner.grantLease(ttl, opts),
    election: (name, ttl) => inner.election(name, ttl),
    compact: (revision) => inner.compact(revision),
    close: () => inner.close(),
  };
}
