// The manager's batched task writes (src/manager/task-ops.ts) against the embedded store: every
// group lands, at most TXNS_IN_FLIGHT transactions at a time, a lost compare-and-swap is counted,
// and a failed transaction stops the rest, its error thrown once what was written is waited for.
import { join } from 'node:path';
import { applyInBatches, MAX_TXN_OPS, TXNS_IN_FLIGHT } from '../../../src/manager/task-ops.js';
import { openEmbeddedStore } from '../../../src/store/embedded.js';
import type { Store, TxnOp } from '../../../src/store/store.js';
import { tempDir } from '../../helpers/cli.js';

let store: Store;
let inFlight = 0;
let maxInFlight = 0;
let txns = 0;
/** the real store, counting the transactions it is given at once */
let counted: Store;

beforeAll(async () => {
  store = await openEmbeddedStore(join(tempDir(), 'state.db'));
  counted = Object.assign(Object.create(store) as Store, {
    txn: async (ops: TxnOp[]) => {
      txns++;
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        return await store.txn(ops);
      } finally {
        inFlight--;
      }
    },
  });
});
afterAll(() => store.close());

/** the revisions a caller's cache was asked to show */
const waited: number[] = [];
const cache = { waitFor: async (revision: number) => void waited.push(revision) };

const create = (i: number): TxnOp[] => [{ op: 'create', key: `/stackd/test-batches/t${i}`, value: `{"i":${i}}` }];

test('writes every group, packed, a few transactions at a time, and returns the last revision', async () => {
  const out = await applyInBatches(
    counted,
    Array.from({ length: 2_000 }, (_, i) => create(i)),
    cache,
  );
  const listed = await store.list('/stackd/test-batches/');
  expect(listed.items).toHaveLength(2_000);
  expect(out).toEqual({ revision: listed.revision, conflicts: 0 });
  expect(waited.at(-1)).toBe(listed.revision);
  expect(txns).toBe(Math.ceil(2_000 / MAX_TXN_OPS));
  expect(maxInFlight).toBeGreaterThan(1);
  expect(maxInFlight).toBeLessThanOrEqual(TXNS_IN_FLIGHT);
});

test('counts the transactions that lost a compare-and-swap, and writes the others', async () => {
  const groups = [...create(0), ...create(2_000)].map((op) => [op]); // t0 exists: that batch fails
  const many = [...groups, ...Array.from({ length: 300 }, (_, i) => create(3_000 + i))];
  const out = await applyInBatches(store, many, cache);
  expect(out.conflicts).toBe(1);
  expect(await store.get('/stackd/test-batches/t3299')).toBeDefined();
  expect(await store.get('/stackd/test-batches/t2000')).toBeUndefined();
});

test('nothing to write is no transaction', async () => {
  expect(await applyInBatches(store, [], cache)).toEqual({ revision: 0, conflicts: 0 });
});

test('a failed transaction stops the rest; what was written is waited for, then its error is thrown', async () => {
  let calls = 0;
  // the real store, whose third transaction fails as an unreachable etcd's would
  const failing = Object.assign(Object.create(store) as Store, {
    txn: async (ops: TxnOp[]) => {
      if (++calls === 3) throw new Error('store unreachable');
      return store.txn(ops);
    },
  });
  waited.length = 0;
  const groups = Array.from({ length: 2_000 }, (_, i) => create(10_000 + i));
  await expect(applyInBatches(failing, groups, cache)).rejects.toThrow('store unreachable');
  const listed = await store.list('/stackd/test-batches/t1');
  // the ones in flight settled, and no more were sent, then or since
  expect(calls).toBe(TXNS_IN_FLIGHT);
  const written = listed.items.filter((kv) => Number(kv.key.slice('/stackd/test-batches/t'.length)) >= 10_000);
  expect(written).toHaveLength((TXNS_IN_FLIGHT - 1) * MAX_TXN_OPS);
  expect(waited).toEqual([listed.revision]);
});
