// A container's output as an async iterable of stdout/stderr chunks. Without a TTY the engine
// multiplexes both streams into one (demuxed here); with a TTY it is one raw stream (stdout).
// dockerode answers a non-follow call with a Buffer and a follow call with a stream.
import type Dockerode from 'dockerode';
import { FrameDemuxer } from './demux.js';
import { dockerError } from './docker-errors.js';
import type { LogChunk } from './types.js';

export interface LogsOptions {
  /** keep reading until the container stops or `signal` aborts */
  follow?: boolean;
  /** the last N lines only (default: all) */
  tail?: number;
  /** prefix each line with the engine's RFC 3339 timestamp */
  timestamps?: boolean;
  /** only output after this time (seconds since the epoch) */
  since?: number;
  signal?: AbortSignal;
}

export async function* containerLogs(docker: Dockerode, endpoint: string, id: string, opts: LogsOptions = {}): AsyncGenerator<LogChunk> {
  const container = docker.getContainer(id);
  const query = { stdout: true, stderr: true, tail: opts.tail, timestamps: opts.timestamps ?? false, since: opts.since ?? 0 };
  let tty: boolean;
  let source: Buffer | NodeJS.ReadableStream;
  try {
    tty = Boolean((await container.inspect()).Config.Tty);
    if (opts.follow) source = await container.logs({ ...query, follow: true, abortSignal: opts.signal });
    else source = await container.logs({ ...query, follow: false });
  } catch (err) {
    throw dockerError(err, endpoint, `logs of ${id}`);
  }
  const demux = new FrameDemuxer();
  const split = (chunk: Buffer): LogChunk[] => (tty ? [{ stream: 'stdout', data: chunk }] : demux.push(chunk));
  if (Buffer.isBuffer(source)) {
    yield* split(source);
    return;
  }
  const stream = source as NodeJS.ReadableStream & { destroy(): void };
  const stop = () => stream.destroy();
  opts.signal?.addEventListener('abort', stop, { once: true });
  try {
    for await (const chunk of stream) yield* split(chunk as Buffer);
  } catch (err) {
    if (!opts.signal?.aborted) throw dockerError(err, endpoint, `logs of ${id}`);
  } finally {
    opts.signal?.removeEventListener('abort', stop);
    stream.destroy();
  }
}
