// Images: use the node's copy, else pull. A pull answers HTTP 200 as soon as it starts and reports
// failure inside the progress stream, so the stream is read to its end and scanned for `error`.
import type Dockerode from 'dockerode';
import { DockerError, ImageUnavailableError, dockerError, engineMessage, statusOf } from './docker-errors.js';
import { JsonStreamParser } from './json-stream.js';

interface PullMessage {
  error?: string;
  errorDetail?: { message?: string };
}

export async function ensureImage(docker: Dockerode, endpoint: string, ref: string): Promise<void> {
  try {
    await docker.getImage(ref).inspect();
    return;
  } catch (err) {
    if (statusOf(err) !== 404) throw dockerError(err, endpoint, `inspect image ${ref}`);
  }
  try {
    const stream: NodeJS.ReadableStream = await docker.pull(ref);
    await readPull(stream);
  } catch (err) {
    const wrapped = dockerError(err, endpoint, 'pull');
    if (wrapped.unreachable) throw wrapped;
    throw new ImageUnavailableError(`No such image: ${ref} (pull failed: ${err instanceof DockerError ? err.message : engineMessage(err)})`, wrapped.statusCode);
  }
}

/** Resolves when the pull stream ends cleanly; rejects with the first error it reports. */
function readPull(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const parser = new JsonStreamParser();
    let failure: string | undefined;
    stream.on('data', (chunk: Buffer) => {
      for (const msg of parser.push(chunk) as PullMessage[]) {
        failure ??= msg.errorDetail?.message ?? msg.error;
      }
    });
    stream.on('end', () => (failure ? reject(new DockerError(failure)) : resolve()));
    stream.on('error', reject);
  });
}
