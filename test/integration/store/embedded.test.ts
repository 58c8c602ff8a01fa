// The embedded (SQLite) backend against the Store conformance suite, plus what only a shared file
// has: other processes writing, racing and dying on the same file.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openEmbeddedStore, type EmbeddedStoreOptions } from '../../../src/store/embedded.js';
import { openDatabase } from '../../../src/store/embedded-schema.js';
import { StoreUnavailableError, type Store } from '../../../src/store/store.js';
import { openStore } from '../../../src/store/open.js';
import { describeStoreConformance } from './conformance.js';
import { ChildStore } from './embedded-child.js';
import { WatchRecorder, eventually, uniquePrefix } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'stackd-embedded-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
const files: string[] = [];
function newFile(): string {
  const file = join(dir, `store-${++fileCount}.db`);
  files.push(file);
  return file;
}
const fileOf = (store: Store) => store.endpoint.slice('sqlite://'.length);

describeStoreConformance('embedded', {
  open: () => openEmbeddedStore(newFile()),
  openPeer: (store) => openEmbeddedStore(fileOf(store)),
  // SQLite has no server to restart; the nearest disruption is another process resetting the
  // write-ahead log under the open connections
  restart: async () => {
    for (const file of files) {
      const db = new Database(file);
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    }
  },
});

describe('embedded store', () => {
  it('creates the default state directory 0700 and a state file 0600 (its -wal file too)', async () => {
    // in a process of its own: the default is under HOME, which jest's process.env does not reach
    const home = join(dir, 'home');
    const script = `const { openStore } = await import(${JSON.stringify(join(process.cwd(), 'dist/store/open.js'))});
      const s = await openStore(); await s.txn([{ op: 'put', key: '/perm', value: 'x' }]); console.log(s.endpoint);`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env.PATH, HOME: home } });
    const file = join(home, '.stackd', 'state.db');
    expect(stdout.trim()).toBe(`sqlite://${file}`);
    const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);
    expect([mode(join(home, '.stackd')), mode(file)]).toEqual(['700', '600']);
    const store = await openEmbeddedStore(file);
    await store.txn([{ op: 'put', key: '/perm', value: 'y' }]);
    expect(mode(`${file}-wal`)).toBe('600');
    await store.close();
  });
  const stores: Store[] = [];
  const children: ChildStore[] = [];
  const open = async (file = newFile(), opts?: EmbeddedStoreOptions) => {
    stores.push(await openEmbeddedStore(file, opts));
    return stores[stores.length - 1];
  };
  const child = (file: string, body: string, args?: unknown) => {
    children.push(new ChildStore(file, body, args));
    return children[children.length - 1];
  };
  afterEach(async () => {
    for (const c of children.splice(0)) c.kill();
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });

  it('commits without an fsync by default, with one when asked (fsyncEachCommit, as etcd: bench:store)', () => {
    // SQLite's synchronous setting is per connection: read it on the connection the store opens
    const synchronous = (opts: { fsyncEachCommit?: boolean }) => {
      const db = openDatabase(newFile(), { busyTimeoutMs: 1000, ...opts });
      try {
        return db.pragma('synchronous', { simple: true });
      } finally {
        db.close();
      }
    };
    // 1 = NORMAL (the WAL is fsynced at checkpoints), 2 = FULL (at every commit)
    expect([synchronous({}), synchronous({ fsyncEachCommit: true })]).toEqual([1, 2]);
  });

  it('openStore opens a sqlite:// URL as the embedded store, and names a file it cannot open', async () => {
    const file = newFile();
    const store = await openStore(`sqlite://${file}`);
    stores.push(store);
    expect(store.endpoint).toBe(`sqlite://${file}`);
    await store.txn([{ op: 'put', key: '/o/a', value: '1' }]);
    expect((await store.get('/o/a'))?.value).toBe('1');

    const missing = join(dir, 'no-such-dir', 'state.db');
    await expect(openStore(`sqlite://${missing}`)).rejects.toThrow(
      `cannot reach store sqlite://${missing}: Cannot open database because the directory does not exist`,
    );
  });

  it('keeps keys and revisions across a close and reopen', async () => {
    const file = newFile();
    const first = await open(file);
    await first.txn([{ op: 'put', key: '/k/a', value: '1' }]);
    const second = await first.txn([
      { op: 'put', key: '/k/a', value: '2' },
      { op: 'put', key: '/k/b', value: '3' },
    ]);
    await first.close();

    const reopened = await open(file);
    const { items, revision } = await reopened.list('/k/');
    expect(revision).toBe(second.revision);
    expect(items.map((kv) => [kv.key, kv.value, kv.modRevision])).toEqual([
      ['/k/a', '2', second.revision],
      ['/k/b', '3', second.revision],
    ]);
    expect((await reopened.txn([{ op: 'put', key: '/k/c', value: '4' }])).revision).toBe(second.revision + 1);
  });

  it('compaction keeps every live key and the history from the compaction point', async () => {
    const store = await open();
    await store.txn([
      { op: 'put', key: '/c/a', value: '1' },
      { op: 'put', key: '/c/gone', value: 'x' },
    ]);
    await store.txn([{ op: 'put', key: '/c/a', value: '2' }]);
    await store.txn([{ op: 'delete', key: '/c/gone' }]);
    const before = await store.list('/c/');
    const last = await store.txn([{ op: 'put', key: '/c/b', value: '3' }]);
    await store.compact(last.revision);

    expect((await store.list('/c/')).items).toEqual([...before.items, { key: '/c/b', value: '3', createRevision: last.revision, modRevision: last.revision }]);
    await expect(store.compact(last.revision + 5)).rejects.toThrow(`cannot compact to revision ${last.revision + 5}`);
  });

  it('compacts history in the background, keeping every live key', async () => {
    const store = await open(newFile(), { compactAfterMs: 50 });
    const first = await store.txn([{ op: 'put', key: '/bg/a', value: '1' }]);
    await store.txn([
      { op: 'put', key: '/bg/a', value: '2' },
      { op: 'put', key: '/bg/b', value: '3' },
    ]);
    await eventually(async () => {
      const watch = new WatchRecorder(store.watch('/bg/', first.revision));
      watch.stop();
      return watch.messages[0]?.type === 'relist';
    }, 'the first revision to be compacted');
    expect((await store.list('/bg/')).items.map((kv) => [kv.key, kv.value])).toEqual([
      ['/bg/a', '2'],
      ['/bg/b', '3'],
    ]);
  });

  it('reports a write lock held too long by another connection as StoreUnavailableError', async () => {
    const file = newFile();
    const store = await open(file, { busyTimeoutMs: 50 });
    const other = new Database(file);
    other.prepare('BEGIN IMMEDIATE').run();
    try {
      const write = store.txn([{ op: 'put', key: '/busy/a', value: '1' }]);
      await expect(write).rejects.toThrow(StoreUnavailableError);
      await expect(write).rejects.toThrow(`cannot reach store sqlite://${file}: database is locked`);
    } finally {
      other.prepare('ROLLBACK').run();
      other.close();
    }
    expect((await store.txn([{ op: 'put', key: '/busy/a', value: '1' }])).succeeded).toBe(true);
  });

  it('a closed store refuses calls with StoreUnavailableError', async () => {
    const store = await open();
    await store.close();
    await expect(store.get('/a')).rejects.toThrow(StoreUnavailableError);
    await expect(store.txn([])).rejects.toThrow('the store is closed');
    const watch = new WatchRecorder(store.watch('/', 1));
    expect(watch.error).toBeInstanceOf(StoreUnavailableError);
  });

  it('a held lease that expired anyway (a stalled holder) fires lost$ and takes its keys', async () => {
    const file = newFile();
    const store = await open(file);
    const lease = await store.grantLease(60);
    let lost: string | undefined;
    lease.lost$.subscribe((reason) => (lost = reason));
    await store.txn([{ op: 'put', key: '/stall/a', value: '1', lease: lease.id }]);
    const other = new Database(file);
    other.prepare('UPDATE leases SET expires_at = 0 WHERE id = ?').run(Number(lease.id));
    other.close();
    await eventually(() => lost, "the lease's lost$");
    expect(lost).toContain(`lease ${lease.id}`);
    expect(await store.get('/stall/a')).toBeUndefined();
  });

  it('a txn naming an unknown lease fails and writes nothing', async () => {
    const store = await open();
    await expect(
      store.txn([
        { op: 'put', key: '/l/a', value: '1' },
        { op: 'put', key: '/l/b', value: '2', lease: '999' },
      ]),
    ).rejects.toThrow('lease 999 not found');
    expect((await store.list('/l/')).items).toEqual([]);
  });

  it('lists keys under a prefix only, with keys just past the prefix left out', async () => {
    const store = await open();
    await store.txn(['/p/', '/p/a', '/p/\u{10ffff}', '/p0', '/o', '/p/ü'].map((key) => ({ op: 'put' as const, key, value: key })));
    expect((await store.list('/p/')).items.map((kv) => kv.key)).toEqual(['/p/', '/p/a', '/p/ü', '/p/\u{10ffff}']);
    expect((await store.list('')).items).toHaveLength(6);
  });

  it("another process's writes reach a watch on the same file", async () => {
    const file = newFile();
    const store = await open(file);
    const start = await store.txn([{ op: 'put', key: '/x/before', value: '0' }]);
    const watch = new WatchRecorder(store.watch('/x/', start.revision + 1));
    try {
      const writer = child(
        file,
        `
        for (let i = 1; i <= 3; i++) await store.txn([{ op: 'put', key: '/x/k' + i, value: String(i) }]);
        await store.txn([{ op: 'delete', key: '/x/before' }]);
        await store.close();
      `,
      );
      expect(await writer.exited()).toBe(0);
      await watch.waitForEvents(4);
      expect(watch.summary).toEqual(['put k1=1', 'put k2=2', 'put k3=3', 'delete before']);
    } finally {
      watch.stop();
    }
  });

  it('compare-and-swap stays atomic with writers in two processes racing on one counter', async () => {
    const file = newFile();
    const store = await open(file);
    const p = uniquePrefix('race');
    await store.txn([{ op: 'create', key: `${p}counter`, value: '0' }]);
    // each writer increments the counter and logs the value it wrote, in one txn, retrying conflicts
    const body = `
      say('ready');
      while (!(await store.get(args.p + 'go'))) await new Promise((r) => setTimeout(r, 5));
      let conflicts = 0;
      for (let done = 0; done < args.increments; ) {
        const kv = await store.get(args.p + 'counter');
        const next = String(Number(kv.value) + 1);
        await new Promise((r) => setTimeout(r, 1)); // widen the window for the other writer
        const result = await store.txn([
          { op: 'update', key: args.p + 'counter', value: next, revision: kv.modRevision },
          { op: 'create', key: args.p + 'log/' + next.padStart(4, '0'), value: args.name },
        ]);
        if (result.succeeded) done++; else conflicts++;
      }
      say('conflicts ' + conflicts);
      await store.close();
    `;
    const writers = ['a', 'b'].map((name) => child(file, body, { p, name, increments: 100 }));
    await Promise.all(writers.map((w) => w.waitFor('ready')));
    await store.txn([{ op: 'put', key: `${p}go`, value: '' }]);
    expect(await Promise.all(writers.map((w) => w.exited()))).toEqual([0, 0]);

    expect((await store.get(`${p}counter`))?.value).toBe('200');
    const log = (await store.list(`${p}log/`)).items;
    expect(log.map((kv) => Number(kv.key.slice(-4)))).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(new Set(log.map((kv) => kv.value))).toEqual(new Set(['a', 'b']));
    // every write of the counter shares its revision with exactly one log entry
    expect(new Set(log.map((kv) => kv.modRevision)).size).toBe(200);
  }, 60_000);

  it("a killed holder's leased keys disappear once the lease expires", async () => {
    const file = newFile();
    const store = await open(file);
    const holder = child(
      file,
      `
      const lease = await store.grantLease(1);
      await store.txn([{ op: 'put', key: '/e/leased', value: 'ephemeral', lease: lease.id }, { op: 'put', key: '/e/plain', value: 'stays' }]);
      say('ready ' + lease.id);
      setInterval(() => undefined, 1000);
    `,
    );
    const leaseId = (await holder.waitFor('ready ')).slice('ready '.length);
    expect(await store.get('/e/leased')).toMatchObject({ value: 'ephemeral', lease: leaseId });
    const watch = new WatchRecorder(store.watch('/e/', (await store.list('/e/')).revision + 1));
    try {
      holder.kill('SIGKILL');
      await watch.waitForEvents(1);
      expect(watch.summary).toEqual(['delete leased']);
      expect((await store.list('/e/')).items.map((kv) => kv.key)).toEqual(['/e/plain']);
    } finally {
      watch.stop();
    }
  }, 30_000);
});
