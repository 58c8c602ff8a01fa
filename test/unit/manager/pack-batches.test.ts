import type { TxnOp } from '../../../src/store/store.js';
import { MAX_TXN_BYTES, MAX_TXN_OPS, packBatches } from '../../../src/manager/task-ops.js';

const create = (i: number, bytes = 10): TxnOp => ({ op: 'create', key: `/stackd/tasks/s/t${i}`, value: 'x'.repeat(bytes) });
const assign = (i: number): TxnOp[] => [
  { op: 'update', key: `/stackd/tasks/s/t${i}`, value: '{}', revision: 1 },
  { op: 'put', key: `/stackd/assignments/n/s/t${i}`, value: '{}' },
];

describe('packBatches', () => {
  it('packs single writes up to MAX_TXN_OPS per transaction', () => {
    const batches = packBatches(Array.from({ length: 10_000 }, (_, i) => [create(i)]));
    expect(batches.map((b) => b.length).slice(0, 2)).toEqual([MAX_TXN_OPS, MAX_TXN_OPS]);
    expect(batches.length).toBe(Math.ceil(10_000 / MAX_TXN_OPS));
    expect(batches.flat()).toHaveLength(10_000);
  });

  it('never splits a group (a task and its assignment copy) across transactions', () => {
    const batches = packBatches(Array.from({ length: 1_000 }, (_, i) => assign(i)));
    for (const b of batches) {
      expect(b.length).toBeLessThanOrEqual(MAX_TXN_OPS);
      expect(b.length % 2).toBe(0);
      expect(b[b.length - 1].key).toBe(b[b.length - 2].key.replace('/tasks/', '/assignments/n/'));
    }
    expect(batches.flat()).toHaveLength(2_000);
  });

  it('keeps each transaction under MAX_TXN_BYTES of values', () => {
    const big = Math.floor(MAX_TXN_BYTES / 4);
    const batches = packBatches(Array.from({ length: 10 }, (_, i) => [create(i, big)]));
    expect(batches.map((b) => b.length)).toEqual([3, 3, 3, 1]);
  });

  it('gives one transaction to a group larger than the limits rather than none', () => {
    expect(packBatches([[create(0, MAX_TXN_BYTES * 2)]])).toHaveLength(1);
    expect(packBatches([])).toEqual([]);
  });
});
