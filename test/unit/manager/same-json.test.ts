import { sameJson } from '../../../src/manager/status.js';

describe('sameJson', () => {
  it.each<[string, unknown, unknown, boolean]>([
    ['the same text', { a: 1, b: [1, { c: 2 }] }, { a: 1, b: [1, { c: 2 }] }, true],
    ['keys in another order', { a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 }, true],
    ['a changed value', { a: 1 }, { a: 2 }, false],
    ['array order matters', [1, 2], [2, 1], false],
    ['null and absent status', null, null, true],
  ])('%s', (_, a, b, same) => {
    expect(sameJson(a, b)).toBe(same);
  });
});
