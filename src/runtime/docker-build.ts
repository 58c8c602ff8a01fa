// `docker build` through the Engine API (the classic builder, as API 1.41 engines answer): the
// context goes up as a tar that honours .dockerignore; progress and failures come back in one JSON
// stream with HTTP 200, so the stream is read to its end and its first error is the build's.
import * as path from 'node:path';
import { BuildContextError, type PreparedContext, contextTar, prepareContext } from './build-context.js';
import { type BuildProgress, BuildStreamReader, buildFailure } from './build-stream.js';
import { DockerError, dockerError, engineMessage } from './docker-errors.js';
import type { DockerRuntime } from './docker.js';
import { JsonStreamParser } from './json-stream.js';

export type { BuildProgress } from './build-stream.js';
export { BuildContextError } from './build-context.js';

export interface BuildRequest {
  /** absolute path of the context folder */
  context: string;
  /** relative to the context (it may lie outside it); default Dockerfile */
  dockerfile?: string;
  args?: Record<string, string>;
  target?: string;
  labels?: Record<string, string>;
  tag: string;
  noCache?: boolean;
  /** pull a newer FROM image even when one is local */
  pull?: boolean;
  /** how errors name this build, e.g. `accounts_web (./web)`; default `<tag> (<context>)` */
  name?: string;
}

/** Builds and tags the image; rejects with one line naming the build and its failing step. */
export async function buildImage(
  runtime: DockerRuntime,
  req: BuildRequest,
  onProgress: (e: BuildProgress) => void = () => {},
): Promise<{ imageId: string; tag: string }> {
  const name = req.name ?? `${req.tag} (${req.context})`;
  const dockerfile = req.dockerfile ?? 'Dockerfile';
  let prepared: PreparedContext;
  try {
    prepared = await prepareContext(req.context, dockerfile);
  } catch (err) {
    throw new BuildContextError(`build ${name}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const reader = new BuildStreamReader();
  const failure = (message: string) => new DockerError(buildFailure(name, reader.step, message, path.resolve(req.context, dockerfile)));
  // a file that cannot be read mid-way fails the tar; the request would wait for the rest forever
  const tar = contextTar(req.context, prepared);
  const abort = new AbortController();
  let tarError: Error | undefined;
  tar.once('error', (err: Error) => {
    tarError = err;
    abort.abort();
  });
  try {
    const stream: NodeJS.ReadableStream = await runtime.docker.buildImage(tar, { ...buildQuery(req, prepared.dockerfile), abortSignal: abort.signal });
    await readBuild(stream, reader, onProgress);
  } catch (err) {
    if (tarError) throw new BuildContextError(`build ${name}: reading the context: ${tarError.message}`);
    // a Dockerfile the builder cannot parse is refused with an HTTP error, before any stream
    const wrapped = dockerError(err, runtime.endpoint, `build ${name}`);
    throw wrapped.unreachable || wrapped.statusCode === undefined ? wrapped : failure(engineMessage(err));
  }
  if (reader.error) throw failure(reader.error);
  const imageId = reader.imageId ?? (await inspectId(runtime, req.tag, name));
  return { imageId, tag: req.tag };
}

/** The /build query: only what the request sets; rm/forcerm drop the steps' containers as the CLI does. */
function buildQuery(req: BuildRequest, dockerfile: string): Record<string, unknown> {
  const q: Record<string, unknown> = { t: req.tag, dockerfile, rm: true, forcerm: true };
  if (req.args && Object.keys(req.args).length) q.buildargs = req.args;
  if (req.labels && Object.keys(req.labels).length) q.labels = req.labels;
  if (req.target) q.target = req.target;
  if (req.noCache) q.nocache = true;
  if (req.pull) q.pull = true;
  return q;
}

function readBuild(stream: NodeJS.ReadableStream, reader: BuildStreamReader, onProgress: (e: BuildProgress) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const parser = new JsonStreamParser();
    stream.on('data', (chunk: Buffer) => {
      for (const msg of parser.push(chunk)) for (const e of reader.read(msg)) onProgress(e);
    });
    stream.on('end', () => {
      for (const e of reader.end()) onProgress(e);
      resolve();
    });
    stream.on('error', reject);
  });
}

async function inspectId(runtime: DockerRuntime, tag: string, name: string): Promise<string> {
  try {
    return (await runtime.docker.getImage(tag).inspect()).Id;
  } catch (err) {
    throw dockerError(err, runtime.endpoint, `build ${name}: inspect ${tag}`);
  }
}
