// Leader election: campaign, run the controllers while leading, stop them the moment leadership
// is lost, and campaign again. Only the leader reconciles; the others wait.
import type { Leadership, Store } from '../store/store.js';
import { MANAGER_ELECTION } from '../api/keys.js';
import { OutageLog } from '../controller/outage-log.js';

export interface LeaderOptions {
  identity: string;
  ttlSeconds: number;
  log: (msg: string) => void;
}

/** Run `lead(signal, leadership)` whenever this process is the leader, until `signal` aborts;
 *  `leadership.fence` is what its writes must be conditional on (store/fenced.ts). */
export async function runWhenLeader(
  store: Store,
  opts: LeaderOptions,
  signal: AbortSignal,
  lead: (signal: AbortSignal, leadership: Leadership) => Promise<void>,
): Promise<void> {
  const election = store.election(MANAGER_ELECTION, opts.ttlSeconds);
  // a store that is down fails every campaign, once a second: say so once, then every 30 s
  const campaignTrouble = new OutageLog('campaign', opts.log);
  while (!signal.aborted) {
    let leadership: Leadership;
    try {
      leadership = await election.campaign(opts.identity, signal);
    } catch (err) {
      if (signal.aborted) return;
      campaignTrouble.failed(err);
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    campaignTrouble.recovered();
    opts.log(`${opts.identity} is the leader`);
    const term = new AbortController();
    const onStop = () => term.abort();
    signal.addEventListener('abort', onStop, { once: true });
    const lost = leadership.lost$.subscribe((why) => {
      opts.log(`leadership lost: ${why}`);
      term.abort();
    });
    try {
      await lead(term.signal, leadership);
    } catch (err) {
      opts.log(`controllers stopped: ${(err as Error).message}`);
    } finally {
      lost.unsubscribe();
      signal.removeEventListener('abort', onStop);
      // stepping down on purpose (shutdown, or the controllers ended): let another manager lead
      if (!term.signal.aborted || signal.aborted) await leadership.resign().catch(() => undefined);
      term.abort();
    }
  }
}
