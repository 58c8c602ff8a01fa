// A lapsed heartbeat is a suspicion for the grace period, not a lost node.
import { applyGrace } from '../../../src/orchestrator/node-grace.js';

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
