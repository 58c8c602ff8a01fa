import { mergePatch } from '../../../src/apiserver/merge-patch.js';

test.each([
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: ['b'] }, { a: ['c'] }, { a: ['c'] }],
  [{ a: { b: 'c', d: 'e' } }, { a: { b: null, f: 1 } }, { a: { d: 'e', f: 1 } }],
  [{ a: 'b' }, ['c'], ['c']],
])('RFC 7386: %j + %j', (target, patch, result) => {
  expect(mergePatch(target, patch)).toEqual(result);
});
