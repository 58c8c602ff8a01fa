import { firstValueFrom, timer } from 'rxjs';
import { reconnectBackoff } from '../controller/backoff.js';
import type { Logger } from '../log.js';
import { NodeClaimedError } from './node-claim.js';

/** Call `fn` until it succeeds, backing off 1 s .. 30 s; undefined if `signal` aborts first. A
 *  node name held by another live agent is no passing trouble: that error is thrown at once. */
export async function retrying<T>(what: string, fn: () => Promise<T>, signal: AbortSignal, log: Logger): Promise<T | undefined> {
  for (let n = 1; !signal.aborted; n++) {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof NodeClaimedError) throw err;
      const delay = reconnectBackoff.delayMs(n);
      log.warn(`${what}: ${(err as Error).message}; retrying in ${delay / 1000}s`);
      await Promise.race([firstValueFrom(timer(delay)), new Promise((r) => signal.addEventListener('abort', r, { once: true }))]);
    }
  }
  return undefined;
}
