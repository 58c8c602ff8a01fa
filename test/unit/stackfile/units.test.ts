import { durationMs, formatDuration, parseBytes, parseDuration } from '../../../src/stackfile/units.js';

describe('durations', () => {
  it.each([
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1h', 3_600_000],
    ['1.5s', 1500],
    ['2h45m', 9_900_000],
    ['0', 0],
    ['0s', 0],
  ])('parses %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('needs a unit: 10 is an error, as a string and as a number', () => {
    expect(() => parseDuration('10')).toThrow('durations need a unit (e.g. "10s"), got "10"');
    expect(() => parseDuration(10)).toThrow('durations need a unit');
  });

  it.each(['', '1x', '1m30', 'm', '-1s', '1s 2s'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow('expected a duration');
  });

  it.each([
    [90_000, '1m30s'],
    [500, '500ms'],
    [0, '0s'],
    [3_600_000, '1h'],
    [3_630_000, '1h30s'],
    [1500, '1s500ms'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('durationMs reads a canonical duration back', () => {
    for (const ms of [0, 1, 999, 1000, 90_000, 3_723_004]) expect(durationMs(formatDuration(ms))).toBe(ms);
  });
});

describe('byte sizes', () => {
  it.each([
    ['512M', 512 * 1024 ** 2],
    ['1g', 1024 ** 3],
    ['100k', 102_400],
    ['1.5GB', 1.5 * 1024 ** 3],
    ['64mb', 64 * 1024 ** 2],
    ['2Mi', 2 * 1024 ** 2],
    ['1024', 1024],
    ['10b', 10],
  ])('parses %s as %d bytes', (text, n) => {
    expect(parseBytes(text)).toBe(n);
  });

  it('takes plain numbers as bytes', () => {
    expect(parseBytes(4096)).toBe(4096);
  });

  it.each(['', 'lots', '1x', '-1m', '1.5'])('rejects %j', (text) => {
    expect(() => parseBytes(text)).toThrow('expected a byte size');
  });
});
