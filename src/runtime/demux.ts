// The engine's multiplexed output framing (a container without a TTY): each frame is an 8-byte
// header [stream, 0, 0, 0, size as big-endian uint32] then `size` bytes; stream 1 = stdout,
// 2 = stderr (0 = stdin, reported as stdout). Pure and incremental: frames may span chunks.
import type { LogChunk } from './types.js';

export class FrameDemuxer {
  private pending: Buffer = Buffer.alloc(0);

  /** The complete frames in what has arrived so far. */
  push(chunk: Buffer): LogChunk[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: LogChunk[] = [];
    let offset = 0;
    while (this.pending.length - offset >= 8) {
      const size = this.pending.readUInt32BE(offset + 4);
      if (this.pending.length - offset - 8 < size) break;
      const stream = this.pending[offset] === 2 ? 'stderr' : 'stdout';
      out.push({ stream, data: this.pending.subarray(offset + 8, offset + 8 + size) });
      offset += 8 + size;
    }
    this.pending = this.pending.subarray(offset);
    return out;
  }

  /** Bytes of an unfinished frame left over (non-zero at the end means the stream was cut). */
  get leftover(): number {
    return this.pending.length;
  }
}
