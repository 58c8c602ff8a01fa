// Background compaction: one row per write grows the file forever, so drop history older than
// one interval (kine keeps a similar window). Watchers further behind than that relist.
import type { KvDb } from './embedded-db.js';

type CompactDb = Pick<KvDb, 'revision' | 'compactRevision' | 'compact'>;

/** Every `intervalMs`, compacts to the revision the store had one interval earlier; returns the way to stop. */
export function startCompactor(db: CompactDb, intervalMs: number): () => void {
  let previous = db.revision();
  const timer = setInterval(() => {
    try {
      if (previous > db.compactRevision()) db.compact(previous);
      previous = db.revision();
    } catch {
      // busy: the next interval tries again
    }
  }, intervalMs).unref();
  return () => clearInterval(timer);
}
