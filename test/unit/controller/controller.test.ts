import { NEVER } from 'rxjs';
import { Controller } from '../../../src/controller/controller.js';

describe('Controller', () => {
  it('reconciles every existing key at start, without waiting for an event or a resync', async () => {
    // a new leader's informers delivered their first lists before the controller subscribed
    const seen: string[] = [];
    const stop = new AbortController();
    let bothSeen!: () => void;
    const reconciledBoth = new Promise<void>((r) => (bothSeen = r));
    const controller = new Controller({
      name: 'test',
      keys$: NEVER,
      allKeys: () => ['a', 'b'],
      reconcile: async (key) => {
        seen.push(key);
        if (seen.length === 2) bothSeen();
      },
      resyncMs: 3_600_000,
    });
    const running = controller.start(stop.signal);
    await reconciledBoth;
    stop.abort();
    await running;
    expect(seen).toEqual(['a', 'b']);
  });
});
