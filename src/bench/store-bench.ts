// Store benchmark: node dist/bench/store-bench.js --etcd HOST:PORT [--embedded FILE] [sizes]
// Prints one row per backend and the ratios against the raw etcd3 client's single puts,
// measured in the same run, with the load. Every backend is warmed up first (its connection, the
// JIT, the file's first pages) with writes and a list that are not measured. Durability differs
// unless said: etcd fsyncs its WAL at every commit; the embedded store by default does not
// (SQLite's WAL with synchronous = NORMAL: safe from a process crash, not an OS crash), so it is
// measured both ways, the second with an fsync per commit as etcd. Run through
// hack/bench-store.sh, which starts its own etcd.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { openEtcdStore } from '../store/etcd.js';
import { openRawEtcdPutter } from '../store/etcd-baseline.js';
import { openEmbeddedStore } from '../store/embedded.js';
import type { Store } from '../store/store.js';
import { type BenchSizes, batchedObjectsPerSecond, listMilliseconds, percentile, singlePutsPerSecond, watchLatencies } from './store-bench-cases.js';

interface Row {
  backend: string;
  /** what a commit waits for */
  durability: string;
  /** the 1-minute load when its measurement started */
  load: string;
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
      await singlePutsPerSecond(raw.put, `${run}raw-warm/`, WARM_UP_PUTS);
      rows.push({
        backend: 'raw etcd3 client',
        durability: ETCD_DURABILITY,
        load: loadavg()[0].toFixed(1),
        singlePuts: await singlePutsPerSecond(raw.put, `${run}raw/`, sizes.singles),
      });
    } finally {
      raw.close();
    }
    const endpoint = values.etcd;
    rows.push(await measure('etcd Store', ETCD_DURABILITY, () => openEtcdStore([endpoint]), `${run}etcd/`, sizes));
  }
  if (values.embedded) {
    const file = values.embedded;
    rows.push(await measure('embedded Store', 'no fsync per commit (default)', () => openEmbeddedStore(file), `${run}embedded/`, sizes));
    const fsynced = () => openEmbeddedStore(`${file}-fsync`, { fsyncEachCommit: true });
    rows.push(await measure('embedded Store', 'fsync per commit, as etcd', fsynced, `${run}embedded-fsync/`, sizes));
  }
  printTable(rows, sizes);
}

const ETCD_DURABILITY = 'fsync per commit (etcd WAL)';
const WARM_UP_PUTS = 200;

function load(): string {
  return loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
}

async function measure(backend: string, durability: string, open: Opener, prefix: string, sizes: BenchSizes): Promise<Row> {
  const store = await open();
  try {
    process.stderr.write(`${backend} (${durability}): warming up, load ${load()}...\n`);
    const loadAtStart = loadavg()[0].toFixed(1);
    await singlePutsPerSecond((key, value) => store.txn([{ op: 'put', key, value }]), `${prefix}warm/`, WARM_UP_PUTS);
    await batchedObjectsPerSecond(store, `${prefix}warm-objects/`, { ...sizes, objects: sizes.batch * sizes.inFlight });
    await listMilliseconds(store, `${prefix}warm-objects/`, sizes.batch * sizes.inFlight);
    process.stderr.write(`${backend}: single puts...\n`);
    const put = (key: string, value: string) => store.txn([{ op: 'put', key, value }]);
    const singlePuts = await singlePutsPerSecond(put, `${prefix}single/`, sizes.singles);
    process.stderr.write(`${backend}: ${sizes.objects} objects in batches of ${sizes.batch}...\n`);
    const batchedObjects = await batchedObjectsPerSecond(store, `${prefix}objects/`, sizes);
    const listMs = await listMilliseconds(store, `${prefix}objects/`, sizes.objects);
    process.stderr.write(`${backend}: watch latency over ${sizes.watchPuts} puts...\n`);
    const latencies = await watchLatencies(store, `${prefix}watch/`, sizes.watchPuts);
    return { backend, durability, load: loadAtStart, singlePuts, batchedObjects, listMs, watchP50: percentile(latencies, 50), watchP99: percentile(latencies, 99) };
  } finally {
    await store.close();
  }
}

function printTable(rows: Row[], sizes: BenchSizes): void {
  const fmt = (n: number | undefined, digits = 0) => (n === undefined ? '-' : n.toFixed(digits));
  const table = [
    [
      'backend',
      'durability',
      'load',
      'single puts/s',
      `objects/s (txn of ${sizes.batch}, ${sizes.inFlight} in flight)`,
      `list ${sizes.objects} keys ms`,
      'watch p50 ms',
      'watch p99 ms',
    ],
    ...rows.map((r) => [r.backend, r.durability, r.load, fmt(r.singlePuts), fmt(r.batchedObjects), fmt(r.listMs), fmt(r.watchP50, 2), fmt(r.watchP99, 2)]),
  ];
  console.log(`store benchmark, load ${load()} at the end (1, 5, 15 min); ${new Date().toISOString()}`);
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
    console.log(`${r.backend}, ${r.durability}: batched txn / raw single puts = ${(r.batchedObjects / baseline).toFixed(1)}x`);
    console.log(`${r.backend}, ${r.durability}: single puts / raw single puts = ${(r.singlePuts / baseline).toFixed(2)}x`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
