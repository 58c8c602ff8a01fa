// Watch the project's Services and Tasks until `up` may return, printing Compose's container lines
// (` ✔ Container web-1  Started`) as they change.
import { watchStack } from '../client/watch-stack.js';
import type { Store } from '../store/store.js';
import { upProgress, type UpMode, type UpProgress } from './up-progress.js';

/** Compose's status lines: only changes are printed. */
export function containerLinePrinter(out: NodeJS.WritableStream): (p: UpProgress) => void {
  const shown = new Map<string, string>();
  let width = 0;
  return (p) => {
    width = Math.max(width, ...p.containers.map((c) => c.name.length));
    for (const c of p.containers) {
      if (shown.get(c.name) === c.state || c.state === 'Waiting') continue;
      shown.set(c.name, c.state);
      const mark = c.state === 'Error' ? '✘' : c.state === 'Starting' ? '⠿' : '✔';
      out.write(` ${mark} Container ${c.name.padEnd(width)}  ${c.state}\n`);
    }
  };
}

/** @param since when `up` wrote the project (rollouts started since then that pause or roll back fail it) */
export async function waitForUp(
  store: Store,
  stack: string,
  targets: string[],
  mode: UpMode,
  since: Date,
  timeoutMs: number,
  onProgress: (p: UpProgress) => void,
): Promise<{ progress?: UpProgress; timedOut: boolean }> {
  return watchStack(
    store,
    stack,
    timeoutMs,
    (services, tasks) => upProgress(services, tasks, targets, mode, since),
    (p) => p.done || p.errors.length > 0,
    onProgress,
  );
}
