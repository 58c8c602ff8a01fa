// A lapsed heartbeat is a suspicion for the grace period, not a lost node.
import type { Node } from '../../../src/api/objects.js';
import { applyGrace, graceCandidates } from '../../../src/orchestrator/node-grace.js';

it('a node whose heartbeat went missing stays alive for the grace, then is down', () => {
  const since = new Map<string, number>();
  expect(applyGrace({ a: true, b: false }, since, 1_000, 5_000)).toEqual({ alive: { a: true, b: true }, recheckAfterMs: 5_000 });
  expect(applyGrace({ a: true, b: false }, since, 4_000, 5_000)).toEqual({ alive: { a: true, b: true }, recheckAfterMs: 2_000 });
  expect(applyGrace({ a: true, b: false }, since, 6_000, 5_000)).toEqual({ alive: { a: true, b: false } });
});

it('an agent back within the grace resets it: a later lapse gets a whole grace again', () => {
  const since = new Map<string, number>();
  applyGrace({ b: false }, since, 0, 5_000);
  expect(applyGrace({ b: true }, since, 3_000, 5_000).alive).toEqual({ b: true });
  expect(since.size).toBe(0);
  expect(applyGrace({ b: false }, since, 7_000, 5_000)).toEqual({ alive: { b: true }, recheckAfterMs: 5_000 });
});

it('grace 0 declares a node down at the first missed lease; removed nodes are forgotten', () => {
  const since = new Map<string, number>([['gone', 0]]);
  expect(applyGrace({ b: false }, since, 10, 0)).toEqual({ alive: { b: false } });
  expect([...since.keys()]).toEqual(['b']);
});

it('suspects whose graces end within a second of each other are looked at again together, at the last end', () => {
  const since = new Map<string, number>();
  applyGrace({ a: false }, since, 0, 5_000);
  applyGrace({ a: false, b: false }, since, 400, 5_000);
  applyGrace({ a: false, b: false, c: false }, since, 2_000, 5_000);
  // a ends at 5,000 and b at 5,400: one look at 5,400 for both; c (7,000) gets its own
  expect(applyGrace({ a: false, b: false, c: false }, since, 3_000, 5_000)).toEqual({ alive: { a: true, b: true, c: true }, recheckAfterMs: 2_400 });
  expect(applyGrace({ a: false, b: false, c: false }, since, 5_400, 5_000)).toEqual({ alive: { a: false, b: false, c: true }, recheckAfterMs: 1_600 });
  // never early: with no batching each end is its own look
  const unbatched = applyGrace({ a: false, b: false, c: false }, new Map(Object.entries({ a: 0, b: 400, c: 2_000 })), 3_000, 5_000, 0);
  expect(unbatched.recheckAfterMs).toBe(2_000);
});

it('a look at the first end holds that suspect until the rest of its batch ends (one let-go, not two)', () => {
  // a's lapse was seen alone and requeued for 5,000; b's lapse came 400 ms later
  const since = new Map(Object.entries({ a: 0, b: 400 }));
  expect(applyGrace({ a: false, b: false }, since, 5_000, 5_000)).toEqual({ alive: { a: true, b: true }, recheckAfterMs: 400 });
  expect(applyGrace({ a: false, b: false }, since, 5_400, 5_000)).toEqual({ alive: { a: false, b: false } });
  // held at most the batch: a suspect past its end with none ending within the batch goes at once
  expect(applyGrace({ a: false, c: false }, new Map(Object.entries({ a: 0, c: 1_500 })), 5_000, 5_000)).toEqual({
    alive: { a: false, c: true },
    recheckAfterMs: 1_500,
  });
});

it('a node already down whose heartbeat is still missing gets no grace: it stays down (a new leader)', () => {
  const node = (name: string, state: 'ready' | 'down') => ({ metadata: { name }, status: { state } }) as unknown as Node;
  const nodes = [node('up', 'ready'), node('lapsed', 'ready'), node('lost', 'down'), node('back', 'down')];
  const present = graceCandidates(nodes, (name) => name === 'up' || name === 'back');
  expect(present).toEqual({ up: true, lapsed: false, back: true });
  // a fresh grace clock (a new leader): the lost node is not called alive meanwhile
  expect(applyGrace(present, new Map(), 0, 5_000).alive).toEqual({ up: true, lapsed: true, back: true });
});
