// The measurements of the Store benchmark. Each takes a Store and returns a number; no printing.
import { performance } from 'node:perf_hooks';
import { filter } from 'rxjs';
import type { Store, TxnOp } from '../store/store.js';

export interface BenchSizes {
  singles: number;
  objects: number;
  batch: number;
  inFlight: number;
  watchPuts: number;
}

/** A task-sized JSON value (~250 bytes), as the scheduler writes them. */
export function objectValue(i: number): string {
  return JSON.stringify({
    apiVersion: 'stackd/v1',
    kind: 'Task',
    metadata: { name: `web.${i}`, namespace: 'bench', uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` },
    spec: { service: 'web', slot: i, image: 'bench/web:1', node: `node-${i % 16}` },
    status: { state: 'assigned', desiredState: 'running' },
  });
}

/** Sequential single-key writes: the latency-bound write rate. */
export async function singlePutsPerSecond(put: (key: string, value: string) => Promise<unknown>, prefix: string, count: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await put(`${prefix}${i}`, objectValue(i));
  return count / ((performance.now() - start) / 1000);
}

/** Creates `objects` keys in create-only transactions of `batch`, `inFlight` at a time. */
export async function batchedObjectsPerSecond(store: Store, prefix: string, sizes: BenchSizes): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next < sizes.objects) {
      const first = next;
      next = Math.min(next + sizes.batch, sizes.objects);
      const ops: TxnOp[] = [];
      for (let i = first; i < next; i++) ops.push({ op: 'create', key: `${prefix}${pad(i)}`, value: objectValue(i) });
      const result = await store.txn(ops);
      if (!result.succeeded) throw new Error(`batch at ${first} conflicted: ${result.conflicts.length} conflicts`);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: sizes.inFlight }, worker));
  return sizes.objects / ((performance.now() - start) / 1000);
}

export async function listMilliseconds(store: Store, prefix: string, expected: number): Promise<number> {
  const start = performance.now();
  const { items } = await store.list(prefix);
  const elapsed = performance.now() - start;
  if (items.length !== expected) throw new Error(`list returned ${items.length} keys, expected ${expected}`);
  return elapsed;
}

/** Time from just before each put to its watch event arriving, one put at a time. */
export async function watchLatencies(store: Store, prefix: string, count: number): Promise<number[]> {
  const { revision } = await store.list(prefix);
  const waiting = new Map<string, () => void>();
  const subscription = store
    .watch(prefix, revision + 1)
    .pipe(filter((m) => m.type === 'events'))
    .subscribe((m) => {
      if (m.type !== 'events') return;
      for (const e of m.events) waiting.get(e.kv.key)?.();
    });
  const latencies: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const key = `${prefix}${i}`;
      const arrived = new Promise<void>((resolve) => waiting.set(key, resolve));
      const start = performance.now();
      await store.txn([{ op: 'put', key, value: objectValue(i) }]);
      await arrived;
      latencies.push(performance.now() - start);
      waiting.delete(key);
    }
  } finally {
    subscription.unsubscribe();
  }
  return latencies;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function pad(i: number): string {
  return String(i).padStart(8, '0');
}
