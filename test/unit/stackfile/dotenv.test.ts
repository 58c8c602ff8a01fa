import { parseDotenv } from '../../../src/stackfile/dotenv.js';

describe('.env files', () => {
  it('reads KEY=VAL, export, comments, quotes and escapes', () => {
    const text = [
      '# a comment',
      '',
      'PLAIN=value',
      'export EXPORTED=yes',
      'SPACED = padded  ',
      'INLINE=value # comment',
      'HASH=a#b',
      "SINGLE='literal $X \\n # kept'",
      'DOUBLE="line\\nnext \\"q\\""',
      'MULTI="one',
      'two"',
      'EMPTY=',
      'EQUALS=a=b',
    ].join('\n');
    const { vars, problems } = parseDotenv(text, '.env');
    expect(problems).toEqual([]);
    expect(vars).toEqual({
      PLAIN: 'value',
      EXPORTED: 'yes',
      SPACED: 'padded',
      INLINE: 'value',
      HASH: 'a#b',
      SINGLE: 'literal $X \\n # kept',
      DOUBLE: 'line\nnext "q"',
      MULTI: 'one\ntwo',
      EMPTY: '',
      EQUALS: 'a=b',
    });
  });

  it('reports bad lines with file:line', () => {
    const { problems } = parseDotenv('OK=1\nnot a variable\nQ="open\n', 'vars.env');
    expect(problems.map((p) => `${p.file}:${p.line}:${p.col} ${p.message}`)).toEqual(['vars.env:2:1 expected KEY=VALUE', 'vars.env:3:3 unterminated " quote']);
  });
});
