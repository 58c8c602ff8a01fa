import { FrameDemuxer } from '../../../src/runtime/demux.js';
import { JsonStreamParser } from '../../../src/runtime/json-stream.js';

function frame(stream: number, text: string): Buffer {
  const body = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

describe('JsonStreamParser', () => {
  it('reads values joined in one chunk, with or without newlines', () => {
    const p = new JsonStreamParser();
    expect(p.push('{"a":1}\n{"b":2}{"c":[3]}\r\n')).toEqual([{ a: 1 }, { b: 2 }, { c: [3] }]);
  });

  it('reads a value split across chunks, even inside a string or an escape', () => {
    const p = new JsonStreamParser();
    const text = '{"msg":"a } \\" {","n":{"x":1}}\n';
    const out: unknown[] = [];
    for (const ch of text) out.push(...p.push(ch));
    expect(out).toEqual([{ msg: 'a } " {', n: { x: 1 } }]);
  });

  it('reads a multi-byte character split between two chunks', () => {
    const bytes = Buffer.from('{"s":"é✓"}');
    const p = new JsonStreamParser();
    expect([...p.push(bytes.subarray(0, 7)), ...p.push(bytes.subarray(7))]).toEqual([{ s: 'é✓' }]);
  });

  it('skips a malformed value, reports it, and goes on', () => {
    const p = new JsonStreamParser();
    const errors: string[] = [];
    expect(p.push('{"a":}{"b":1}', (_, text) => errors.push(text))).toEqual([{ b: 1 }]);
    expect(errors).toEqual(['{"a":}']);
  });
});

describe('FrameDemuxer', () => {
  it('splits stdout and stderr frames', () => {
    const d = new FrameDemuxer();
    const out = d.push(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')]));
    expect(out.map((c) => [c.stream, c.data.toString()])).toEqual([
      ['stdout', 'out\n'],
      ['stderr', 'err\n'],
    ]);
    expect(d.leftover).toBe(0);
  });

  it('waits for a frame split across chunks, header included', () => {
    const d = new FrameDemuxer();
    const all = Buffer.concat([frame(1, 'hello'), frame(2, 'world')]);
    const got: string[] = [];
    got.push(...d.push(all.subarray(0, 3)).map((c) => c.data.toString()));
    expect(got).toEqual([]);
    got.push(...d.push(all.subarray(3, 15)).map((c) => c.data.toString()));
    expect(got).toEqual(['hello']);
    got.push(...d.push(all.subarray(15)).map((c) => `${c.stream}:${c.data}`));
    expect(got).toEqual(['hello', 'stderr:world']);
    expect(d.leftover).toBe(0);
  });
});
