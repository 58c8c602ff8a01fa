// The embedded store's synchronous operations on one SQLite connection. Every write takes the
// write lock first (BEGIN IMMEDIATE), so a transaction's reads and writes see no other writer.
import type Database from 'better-sqlite3';
import type { KeyValue, ListResult, TxnOp, TxnResult } from './store.js';
import { prefixEnd, prepareStatements, toKeyValue, type NewRow, type Statements } from './embedded-schema.js';
import { planTxn } from './embedded-txn.js';
import type { WatchSource } from './embedded-watch.js';

export class KvDb implements WatchSource {
  private readonly stmts: Statements;
  private dataVersion = -1;
  private readonly inTransaction: Database.Transaction<(fn: () => unknown) => unknown>;

  constructor(private readonly db: Database.Database) {
    this.stmts = prepareStatements(db);
    this.inTransaction = db.transaction((fn) => fn());
  }

  revision(): number {
    return this.stmts.metaGet.get('revision')!;
  }

  compactRevision(): number {
    return this.stmts.metaGet.get('compact_revision')!;
  }

  get(key: string): KeyValue | undefined {
    const row = this.stmts.latest.get(key);
    return row && !row.deleted ? toKeyValue(row) : undefined;
  }

  list(prefix: string): ListResult {
    return this.read(() => {
      const end = prefixEnd(prefix);
      const rows = end === undefined ? this.stmts.listFrom.all({ start: prefix }) : this.stmts.listRange.all({ start: prefix, end });
      return { items: rows.map(toKeyValue), revision: this.revision() };
    });
  }

  txn(ops: TxnOp[]): TxnResult {
    return this.write(() => {
      const plan = planTxn(ops, (key) => this.stmts.latest.get(key));
      if (plan.conflicts.length > 0) return { succeeded: false, revision: this.revision(), conflicts: plan.conflicts };
      for (const row of plan.rows) {
        if (row.lease !== null && !this.stmts.leaseExists.get(row.lease)) throw new Error(`lease ${row.lease} not found`);
      }
      return { succeeded: true, revision: this.commit(plan.rows), conflicts: [] };
    });
  }

  grantLease(ttlSeconds: number, now: number): number {
    return Number(this.stmts.leaseInsert.run(ttlSeconds, now + ttlSeconds * 1000).lastInsertRowid);
  }

  /** false when the lease is gone or already expired */
  renewLease(id: number, ttlSeconds: number, now: number): boolean {
    return this.stmts.leaseRenew.run(now + ttlSeconds * 1000, id, now).changes > 0;
  }

  leaseExists(id: number): boolean {
    return this.stmts.leaseExists.get(id) !== undefined;
  }

  /** Drop leases and delete their keys, at one revision. */
  revokeLeases(ids: number[]): void {
    this.write(() => {
      const rows: NewRow[] = [];
      for (const id of ids) {
        for (const kv of this.stmts.leasedKeys.all(id)) {
          rows.push({ name: kv.name, created: 0, deleted: 1, create_revision: kv.create_revision, prev_revision: kv.revision, lease: null, value: '' });
        }
        this.stmts.leaseDelete.run(id);
      }
      this.commit(rows);
    });
  }

  /** Revoke every lease that expired by `now`; returns their ids. */
  sweepExpiredLeases(now: number): number[] {
    if (this.stmts.leasesExpired.all(now).length === 0) return []; // the common case: a read, no lock
    return this.write(() => {
      const expired = this.stmts.leasesExpired.all(now);
      this.revokeLeases(expired);
      return expired;
    });
  }

  /** Drop history before `revision`: rows superseded at that point, and tombstones older than it. */
  compact(revision: number): void {
    this.write(() => {
      const current = this.revision();
      if (revision > current) throw new Error(`cannot compact to revision ${revision}: the store is at ${current}`);
      if (revision <= this.compactRevision()) return;
      const maxId = this.stmts.maxIdUpTo.get(revision);
      if (maxId !== null && maxId !== undefined) this.stmts.compactSuperseded.run({ maxId });
      this.stmts.compactTombstones.run(revision);
      this.stmts.metaSet.run(revision, 'compact_revision');
    });
  }

  start(from: number, upTo: number | undefined): ReturnType<WatchSource['start']> {
    return this.read(() => {
      const compactRevision = this.compactRevision();
      const revision = upTo ?? this.revision();
      const rows = from >= compactRevision && from <= revision ? this.stmts.rowsBetween.all(from - 1, revision) : [];
      return { compactRevision, revision, rows };
    });
  }

  changedElsewhere(): boolean {
    const version = this.stmts.dataVersion.get()!;
    const changed = version !== this.dataVersion;
    this.dataVersion = version;
    return changed;
  }

  poll(cursor: number): ReturnType<WatchSource['poll']> {
    return this.read(() => ({ compactRevision: this.compactRevision(), rows: this.stmts.rowsAfter.all(cursor) }));
  }

  /** Write `rows` at the next revision; no rows, no new revision. Call inside write(). */
  private commit(rows: NewRow[]): number {
    const current = this.revision();
    if (rows.length === 0) return current;
    const revision = current + 1;
    for (const row of rows) {
      this.stmts.insert.run({ ...row, revision, create_revision: row.created ? revision : row.create_revision });
    }
    this.stmts.metaSet.run(revision, 'revision');
    return revision;
  }

  private read<T>(fn: () => T): T {
    return this.db.inTransaction ? fn() : (this.inTransaction.deferred(fn) as T);
  }

  private write<T>(fn: () => T): T {
    return this.db.inTransaction ? fn() : (this.inTransaction.immediate(fn) as T);
  }
}
