// Wake-ups on writes by other processes: every commit appends to the write-ahead log, and inotify
// (fs.watch) reports that at once. Watchers still poll slowly in case an event is missed.
import { watch, type FSWatcher } from 'node:fs';

/** Calls `onWrite` whenever the file's write-ahead log changes; returns the way to stop, or
 *  undefined when the platform cannot watch the file (then watchers poll at full rate). */
export function watchWriteAheadLog(databaseFile: string, onWrite: () => void): (() => void) | undefined {
  let watcher: FSWatcher;
  try {
    watcher = watch(`${databaseFile}-wal`, { persistent: false }, onWrite);
  } catch {
    return undefined;
  }
  watcher.on('error', () => watcher.close());
  return () => watcher.close();
}
