// The engine's failures as one-line errors. dockerode rejects with docker-modem's errors (HTTP:
// statusCode and json.message) or Node's socket errors (code ENOENT, ECONNREFUSED, ...).

/** A failed engine call. `unreachable`: no engine answered (the agent retries with backoff). */
export class DockerError extends Error {
  override name = 'DockerError';
  constructor(
    message: string,
    readonly statusCode?: number,
    readonly unreachable = false,
  ) {
    super(message);
  }
}

/** A task's image is not on the node and could not be pulled: its message goes in `rejected`. */
export class ImageUnavailableError extends DockerError {
  override name = 'ImageUnavailableError';
}

const SOCKET_ERRORS = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EACCES', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

interface ModemError {
  statusCode?: number;
  json?: { message?: string } | string | null;
  reason?: string;
  code?: string;
  message?: string;
}

export function statusOf(err: unknown): number | undefined {
  return (err as ModemError | undefined)?.statusCode;
}

/** The engine's own message ("No such container: abc"), else the error's, on one line. */
export function engineMessage(err: unknown): string {
  const e = (err ?? {}) as ModemError;
  const fromJson = typeof e.json === 'object' && e.json ? e.json.message : typeof e.json === 'string' ? e.json : undefined;
  // a streamed answer (pull, logs, events) has no json: its cause is only in the message
  const fromMessage = e.message?.replace(/^\(HTTP code \d+\) .*? - /s, '');
  const text = fromJson || fromMessage || e.reason || String(err);
  return text.replace(/\s+/g, ' ').trim();
}

/** Wraps any failure of a call to the engine at `endpoint`; `what` says what was being done. */
export function dockerError(err: unknown, endpoint: string, what: string): DockerError {
  if (err instanceof DockerError) return err;
  const e = (err ?? {}) as ModemError;
  if (e.code && SOCKET_ERRORS.has(e.code) && e.statusCode === undefined) {
    return new DockerError(`Docker Engine unreachable at ${endpoint}: ${engineMessage(err)}`, undefined, true);
  }
  return new DockerError(`${what}: ${engineMessage(err)}`, e.statusCode);
}
