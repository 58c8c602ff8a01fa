// Store benchmark: node dist/bench/store-bench.js --etcd HOST:PORT [--embedded FILE] [sizes]
// Prints one row per backend and the ratios against the raw etcd3 client's single puts,
// measured in the same run. Run through hack/bench-store.sh, which starts its own etcd.
import { parseArgs } from 'node:util';
import { openEtcdStore } from '../store/etcd.js';
import { openRawEtcdPutter } from '../store/etcd-baseline.js';
import type { Store } from '../store/store.js';
import { type BenchSizes, batchedObjectsPerSecond, listMilliseconds, percentile, singlePutsPerSecond, watchLatencies } from './store-bench-cases.js';

interface Row {
  backend: string;
  singlePuts: number;
  batchedObjects?: number;
  listMs?: number;
  watchP50?: number;
  watchP99?: number;
}

type Opener = () => Promise<Store>;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      etcd: { type: 'string' },
      embedded: { type: 'string' },
      singles: { type: 'string', default: '2000' },
      objects: { type: 'string', default: '100000' },
      batch: { type: 'string', default: '500' },
      'in-flight': { type: 'string', default: '4' },
      'watch-puts': { type: 'string', default: '2000' },
    },
  });
  const sizes: BenchSizes = {
    singles: Number(values.singles),
    objects: Number(values.objects),
    batch: Number(values.batch),
    inFlight: Number(values['in-flight']),
    watchPuts: Number(values['watch-puts']),
  };
  const run = `/bench/${Date.now().toString(36)}/`;
  const rows: Row[] = [];

  if (values.etcd) {
    const raw = openRawEtcdPutter(values.etcd);
    try {
      rows.push({ backend: 'raw etcd3 client', singlePuts: await singlePutsPerSecond(raw.put, `${run}raw/`, sizes.singles) });
    } finally {
      raw.close();
    }
    const endpoint = values.etcd;
    rows.push(await measure('etcd', () => openEtcdStore([endpoint]), `${run}etcd/`, sizes));
  }
  if (values.embedded) {
    const opener = await embeddedOpener(values.embedded);
    if (opener) rows.push(await measure('embedded', opener, `${run}embedded/`, sizes));
  }
  printTable(rows, sizes);
}

async function measure(backend: string, open: Opener, prefix: string, sizes: BenchSizes): Promise<Row> {
  const store = await open();
  try {
    process.stderr.write(`${backend}: single puts...\n`);
    const put = (key: string, value: string) => store.txn([{ op: 'put', key, value }]);
    const singlePuts = await singlePutsPerSecond(put, `${prefix}single/`, sizes.singles);
    process.stderr.write(`${backend}: ${sizes.objects} objects in batches of ${sizes.batch}...\n`);
    const batchedObjects = await batchedObjectsPerSecond(store, `${prefix}objects/`, sizes);
    const listMs = await listMilliseconds(store, `${prefix}objects/`, sizes.objects);
    process.stderr.write(`${backend}: watch latency over ${sizes.watchPuts} puts...\n`);
    const latencies = await watchLatencies(store, `${prefix}watch/`, sizes.watchPuts);
    return { backend, singlePuts, batchedObjects, listMs, watchP50: percentile(latencies, 50), watchP99: percentile(latencies, 99) };
  } finally {
    await store.close();
  }
}

/** The embedded backend may not be built yet: skip it with a message rather than fail. */
async function embeddedOpener(file: string): Promise<Opener | undefined> {
  const modulePath = '../store/embedded.js';
  try {
    const mod = (await import(modulePath)) as { openEmbeddedStore?: (path: string) => Promise<Store> };
    const open = mod.openEmbeddedStore;
    if (typeof open !== 'function') throw new Error('it exports no openEmbeddedStore');
    return () => open(file);
  } catch (err) {
    console.log(`skipping embedded: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    return undefined;
  }
}

function printTable(rows: Row[], sizes: BenchSizes): void {
  const fmt = (n: number | undefined, digits = 0) => (n === undefined ? '-' : n.toFixed(digits));
  const table = [
    ['backend', 'single puts/s', `objects/s (txn of ${sizes.batch}, ${sizes.inFlight} in flight)`, `list ${sizes.objects} keys ms`, 'watch p50 ms', 'watch p99 ms'],
    ...rows.map((r) => [r.backend, fmt(r.singlePuts), fmt(r.batchedObjects), fmt(r.listMs), fmt(r.watchP50, 2), fmt(r.watchP99, 2)]),
  ];
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  for (const row of table)
    console.log(
      row
        .map((cell, c) => cell.padEnd(widths[c]))
        .join('  ')
        .trimEnd(),
    );

  const baseline = rows.find((r) => r.backend === 'raw etcd3 client')?.singlePuts;
  if (!baseline) return;
  console.log('');
  for (const r of rows) {
    if (r.batchedObjects === undefined) continue;
    console.log(`${r.backend}: batched txn / raw single puts = ${(r.batchedObjects / baseline).toFixed(1)}x`);
    console.log(`${r.backend}: single puts / raw single puts = ${(r.singlePuts / baseline).toFixed(2)}x`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
