// The embedded store's SQLite layout, in the manner of k3s's kine: one row per write, the current
// value of a key is its latest row. Unlike kine, a transaction's rows share one `revision`
// (etcd semantics), counted in `meta`; `id` only orders rows.
import { closeSync, existsSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { KeyValue } from './store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  revision        INTEGER NOT NULL,
  name            TEXT    NOT NULL,
  created         INTEGER NOT NULL,
  deleted         INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision   INTEGER NOT NULL,
  lease           INTEGER,
  value           TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS kv_name_id ON kv (name, id);
CREATE INDEX IF NOT EXISTS kv_revision ON kv (revision);
CREATE INDEX IF NOT EXISTS kv_lease ON kv (lease) WHERE lease IS NOT NULL;
CREATE TABLE IF NOT EXISTS leases (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  ttl        INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS leases_expires_at ON leases (expires_at);
CREATE TABLE IF NOT EXISTS meta (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
INSERT OR IGNORE INTO meta (name, value) VALUES ('revision', 0), ('compact_revision', 0), ('schema', 1);
`;

/** A row of `kv` as SQLite returns it. */
export interface Row {
  id: number;
  revision: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  lease: number | null;
  value: string;
}

/** A row to insert; the revision is the transaction's. */
export type NewRow = Omit<Row, 'id' | 'revision'>;

export function toKeyValue(row: Row): KeyValue {
  const kv: KeyValue = { key: row.name, value: row.value, createRevision: row.create_revision, modRevision: row.revision };
  if (row.lease !== null) kv.lease = String(row.lease);
  return kv;
}

export interface OpenOptions {
  /** how long a writer waits for another process's write lock */
  busyTimeoutMs: number;
  /** fsync the log at every commit (SQLite's synchronous = FULL), as etcd does */
  fsyncEachCommit?: boolean;
}

export function openDatabase(path: string, { busyTimeoutMs, fsyncEachCommit = false }: OpenOptions): Database.Database {
  createPrivately(path);
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.pragma('journal_mode = WAL');
    // WAL + NORMAL: a commit survives a process crash; only an OS crash can lose the last commits
    // (the log is fsynced at checkpoints). FULL fsyncs it at every commit, as etcd does its WAL.
    db.pragma(`synchronous = ${fsyncEachCommit ? 'FULL' : 'NORMAL'}`);
    db.transaction(() => db.exec(SCHEMA)).immediate();
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** The state holds secrets and credentials: a new file is 0600 (SQLite gives its -wal and -shm
 *  files the database file's mode). An existing file is left as its owner set it; a missing
 *  directory stays an error (a typo), except the default one, made 0700 by openStore. */
function createPrivately(path: string): void {
  if (existsSync(path) || !existsSync(dirname(path))) return;
  closeSync(openSync(path, 'a', 0o600));
}

/** Every prepared statement the store uses, compiled once per connection. */
export function prepareStatements(db: Database.Database) {
  // the latest row of each key in a range, walked in key order along kv_name_id (no sort)
  const listing = (range: string) =>
    db.prepare<{ start: string; end?: string }, Row>(
      `SELECT * FROM kv WHERE ${range} AND deleted = 0
         AND id = (SELECT MAX(k.id) FROM kv AS k WHERE k.name = kv.name) ORDER BY name`,
    );
  return {
    /** changes whenever another connection commits: a cheap "anything new?" check */
    dataVersion: db.prepare<[], number>(`PRAGMA data_version`).pluck(),
    metaGet: db.prepare<[string], number>(`SELECT value FROM meta WHERE name = ?`).pluck(),
    metaSet: db.prepare<[number, string]>(`UPDATE meta SET value = ? WHERE name = ?`),
    latest: db.prepare<[string], Row>(`SELECT * FROM kv WHERE name = ? ORDER BY id DESC LIMIT 1`),
    listRange: listing('name >= @start AND name < @end'),
    listFrom: listing('name >= @start'),
    insert: db.prepare<NewRow & { revision: number }>(
      `INSERT INTO kv (revision, name, created, deleted, create_revision, prev_revision, lease, value)
       VALUES (@revision, @name, @created, @deleted, @create_revision, @prev_revision, @lease, @value)`,
    ),
    // rows written after a revision, in write order: the watch poll. Ordered as kv_revision is
    // (revision, then id), so SQLite walks that index rather than scanning the table by id.
    rowsAfter: db.prepare<[number], Row>(`SELECT * FROM kv WHERE revision > ? ORDER BY revision, id`),
    rowsBetween: db.prepare<[number, number], Row>(`SELECT * FROM kv WHERE revision > ? AND revision <= ? ORDER BY revision, id`),
    /** live keys attached to a lease */
    leasedKeys: db.prepare<[number], Row>(
      `SELECT * FROM kv AS k WHERE lease = ? AND deleted = 0
         AND id = (SELECT MAX(id) FROM kv WHERE name = k.name)`,
    ),
    leaseInsert: db.prepare<[number, number]>(`INSERT INTO leases (ttl, expires_at) VALUES (?, ?)`),
    leaseExists: db.prepare<[number], number>(`SELECT 1 FROM leases WHERE id = ?`).pluck(),
    /** extend a lease that has not expired yet; 0 changes = the lease is gone */
    leaseRenew: db.prepare<[number, number, number]>(`UPDATE leases SET expires_at = ? WHERE id = ? AND expires_at > ?`),
    leaseDelete: db.prepare<[number]>(`DELETE FROM leases WHERE id = ?`),
    leasesExpired: db.prepare<[number], number>(`SELECT id FROM leases WHERE expires_at <= ?`).pluck(),
    maxIdUpTo: db.prepare<[number], number | null>(`SELECT MAX(id) FROM kv WHERE revision <= ?`).pluck(),
    /** rows superseded by a later row of the same key, both at or before the compaction point */
    compactSuperseded: db.prepare<{ maxId: number }>(
      `DELETE FROM kv WHERE id <= @maxId
         AND id < (SELECT MAX(k.id) FROM kv AS k WHERE k.name = kv.name AND k.id <= @maxId)`,
    ),
    compactTombstones: db.prepare<[number]>(`DELETE FROM kv WHERE deleted = 1 AND revision < ?`),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;

/** The end of the key range holding every key that starts with `prefix` (etcd's prefix end), or
 *  undefined when there is none (empty prefix). SQLite compares UTF-8 bytes, i.e. code points. */
export function prefixEnd(prefix: string): string | undefined {
  const points = [...prefix];
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last === 0x10ffff) continue;
    const next = last === 0xd7ff ? 0xe000 : last + 1;
    return points.join('') + String.fromCodePoint(next);
  }
  return undefined;
}
