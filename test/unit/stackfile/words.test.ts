import { splitShellWords } from '../../../src/stackfile/shell-words.js';
import { closest, levenshtein } from '../../../src/stackfile/suggest.js';

describe('splitShellWords', () => {
  it.each([
    ['goose up', ['goose', 'up']],
    ['  spaced   out  ', ['spaced', 'out']],
    [`sh -c 'echo $HOME; exit 1'`, ['sh', '-c', 'echo $HOME; exit 1']],
    ['say "a \\"quoted\\" word"', ['say', 'a "quoted" word']],
    ['a\\ b c', ['a b', 'c']],
    ['empty "" args', ['empty', '', 'args']],
    ['mixed"qu"\'otes\'', ['mixedquotes']],
  ])('%s', (input, words) => {
    expect(splitShellWords(input)).toEqual(words);
  });

  it('an unterminated quote is an error', () => {
    expect(() => splitShellWords('echo "oops')).toThrow('unterminated " quote');
  });
});

describe('did you mean', () => {
  it('levenshtein counts edits', () => {
    expect(levenshtein('imgae', 'image')).toBe(2);
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('', 'abc')).toBe(3);
  });

  it('suggests the closest key within reach, or nothing', () => {
    const keys = ['image', 'init', 'environment', 'entrypoint'];
    expect(closest('imgae', keys)).toBe('image');
    expect(closest('enviroment', keys)).toBe('environment');
    expect(closest('zzzzzz', keys)).toBeUndefined();
  });
});
