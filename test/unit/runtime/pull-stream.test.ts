import { Readable } from 'node:stream';
import { DockerError } from '../../../src/runtime/docker-errors.js';
import { type PullProgress, readPull } from '../../../src/runtime/docker-images.js';

const stream = (...messages: object[]) => Readable.from(messages.map((m) => Buffer.from(`${JSON.stringify(m)}\r\n`)));

describe('readPull', () => {
  it('reports each status line, with byte counts while a layer moves', async () => {
    const seen: PullProgress[] = [];
    await readPull(
      stream(
        { status: 'Pulling from library/busybox', id: 'latest' },
        { status: 'Downloading', id: 'abc', progressDetail: { current: 512, total: 2048 }, progress: '[==>  ]' },
        { status: 'Pull complete', id: 'abc', progressDetail: {} },
        { status: 'Status: Downloaded newer image for busybox:latest' },
      ),
      (p) => seen.push(p),
    );
    expect(seen).toEqual([
      { status: 'Pulling from library/busybox', id: 'latest' },
      { status: 'Downloading', id: 'abc', current: 512, total: 2048 },
      { status: 'Pull complete', id: 'abc' },
      { status: 'Status: Downloaded newer image for busybox:latest' },
    ]);
  });

  it('rejects with the first error the stream reports, though the answer was HTTP 200', async () => {
    const pull = readPull(
      stream({ status: 'Pulling fs layer', id: 'abc' }, { errorDetail: { message: 'unexpected EOF' }, error: 'unexpected EOF' }, { error: 'later' }),
    );
    await expect(pull).rejects.toThrow(new DockerError('unexpected EOF'));
  });
});
