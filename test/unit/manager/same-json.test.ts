import { sameJson } from '../../../src/manager/status.js';

describe('sameJson', () => {
  it.each<[string, unknown, unknown, boolean]>([
    ['the same text', { a: 1, b: [1, { c: 2 }] }, { a: 1, b: [1, { c: 2 }] }, true],
    ['keys in another order', { a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 }, true],
    ['a changed value', { a: 1 }, { a: 2 }, false],
    ['array order matters', [1, 2], [2, 1], false],
    ['null and absent status', null, null, true],
    ['an undefined property is an absent one', { a: 1, b: undefined }, { a: 1 }, true],
    ['a property only one side has', { a: 1, b: 2 }, { a: 1, c: 2 }, false],
    ['an undefined element is null', [undefined, 1], [null, 1], true],
    ['an array is not an object', { 0: 1 }, [1], false],
    ['a number is not its text', { a: 1 }, { a: '1' }, false],
    ['longer array', [1, 2], [1, 2, 3], false],
  ])('%s', (_, a, b, same) => {
    expect(sameJson(a, b)).toBe(same);
    expect(sameJson(b, a)).toBe(same);
  });
});
