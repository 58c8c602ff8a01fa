// Images: use the node's copy, else pull. A pull answers HTTP 200 as soon as it starts and reports
// failure inside the progress stream, so the stream is read to its end and scanned for `error`.
import type Dockerode from 'dockerode';
import { DockerError, ImageUnavailableError, dockerError, engineMessage, statusOf } from './docker-errors.js';
import { JsonStreamParser } from './json-stream.js';

interface PullMessage {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

/** One line of a pull's progress: a layer's (id) state, with bytes while it downloads or extracts. */
export interface PullProgress {
  /** the layer, absent for the image's own lines ("Digest: ...", "Status: ...") */
  id?: string;
  /** "Pulling fs layer", "Downloading", "Pull complete", "Status: Downloaded newer image for ..." */
  status: string;
  current?: number;
  total?: number;
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

/** Pulls `ref` whether or not it is local (`stackctl pull`); DockerError "pull ref: reason". */
export async function pullImage(docker: Dockerode, endpoint: string, ref: string, onProgress?: (p: PullProgress) => void): Promise<void> {
  try {
    await readPull(await docker.pull(ref), onProgress);
  } catch (err) {
    // a DockerError here is the stream's own report; anything else is the request's failure
    throw err instanceof DockerError ? new DockerError(`pull ${ref}: ${err.message}`) : dockerError(err, endpoint, `pull ${ref}`);
  }
}

/** true when the engine has the image (by name:tag, id, or digest). */
export async function imageExists(docker: Dockerode, endpoint: string, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch (err) {
    if (statusOf(err) === 404) return false;
    throw dockerError(err, endpoint, `inspect image ${ref}`);
  }
}

/** Removes the image (untags it; its layers go with the last tag). false when there was none. */
export async function removeImage(docker: Dockerode, endpoint: string, ref: string, opts: { force?: boolean } = {}): Promise<boolean> {
  try {
    await docker.getImage(ref).remove({ force: opts.force ?? false });
    return true;
  } catch (err) {
    if (statusOf(err) === 404) return false;
    throw dockerError(err, endpoint, `remove image ${ref}`);
  }
}

/** Resolves when the pull stream ends cleanly; rejects with the first error it reports. */
export function readPull(stream: NodeJS.ReadableStream, onProgress?: (p: PullProgress) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const parser = new JsonStreamParser();
    let failure: string | undefined;
    stream.on('data', (chunk: Buffer) => {
      for (const msg of parser.push(chunk) as PullMessage[]) {
        failure ??= msg.errorDetail?.message ?? msg.error;
        if (msg.status && onProgress) {
          const { current, total } = msg.progressDetail ?? {};
          onProgress({ status: msg.status, ...(msg.id ? { id: msg.id } : {}), ...(current ? { current } : {}), ...(total ? { total } : {}) });
        }
      }
    });
    stream.on('end', () => (failure ? reject(new DockerError(failure)) : resolve()));
    stream.on('error', reject);
  });
}
