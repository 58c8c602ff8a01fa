import { firstValueFrom, timer } from 'rxjs';
import { reconnectBackoff } from '../controller/backoff.js';
import type { Logger } from '../log.js';
import { NodeClaimedError } from './node-claim.js';
import { OutageLog } from '../controller/outage-log.js';

/** Call `fn` until it succeeds, backing off 1 s .. 30 s; undefined if `signal` aborts first. A
 *  node name held by another live agent is no passing trouble: that error is thrown at once. The
 *  first failure is logged, then at most one line every 30 s, then the recovery (OutageLog). */
export async function retrying<T>(what: string, fn: () => Promise<T>, signal: AbortSignal, log: Logger): Promise<T | undefined> {
  const trouble = new OutageLog(what, (m) => log.warn(m));
  for (let n = 1; !signal.aborted; n++) {
    try {
      const result = await fn();
      trouble.recovered();
      return result;
    } catch (err) {
      if (err instanceof NodeClaimedError) throw err;
      const delay = reconnectBackoff.delayMs(n);
      trouble.failed(err);
      await Promise.race([firstValueFrom(timer(delay)), new Promise((r) => signal.addEventListener('abort', r, { once: true }))]);
    }
  }
  return undefined;
}
