// The manager's batched task writes (src/manager/task-ops.ts) against the embedded store: every
// group lands, at most TXNS_IN_FLIGHT transactions at a time, and a lost compare-and-swap is counted.
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

const create = (i: number): TxnOp[] => [{ op: 'create', key: `/stackd/test-batches/t${i}`, value: `{"i":${i}}` }];

test('writes every group, packed, a few transactions at a time, and returns the last revision', async () => {
  const out = await applyInBatches(
    counted,
    Array.from({ length: 2_000 }, (_, i) => create(i)),
  );
  const listed = await store.list('/stackd/test-batches/');
  expect(listed.items).toHaveLength(2_000);
  expect(out).toEqual({ revision: listed.revision, conflicts: 0 });
  expect(txns).toBe(Math.ceil(2_000 / MAX_TXN_OPS));
  expect(maxInFlight).toBeGreaterThan(1);
  expect(maxInFlight).toBeLessThanOrEqual(TXNS_IN_FLIGHT);
});

test('counts the transactions that lost a compare-and-swap, and writes the others', async () => {
  const groups = [...create(0), ...create(2_000)].map((op) => [op]); // t0 exists: that batch fails
  const many = [...groups, ...Array.from({ length: 300 }, (_, i) => create(3_000 + i))];
  const out = await applyInBatches(store, many);
  expect(out.conflicts).toBe(1);
  expect(await store.get('/stackd/test-batches/t3299')).toBeDefined();
  expect(await store.get('/stackd/test-batches/t2000')).toBeUndefined();
});

test('nothing to write is no transaction', async () => {
  expect(await applyInBatches(store, [])).toEqual({ revision: 0, conflicts: 0 });
});
