// Replies in the API's shapes: JSON objects, and errors as meta/v1 Status (what kubectl prints).
import type { IncomingMessage, ServerResponse } from 'node:http';

export type Reason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'Conflict'
  | 'AlreadyExists'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'UnsupportedMediaType'
  | 'InternalError'
  | 'ServiceUnavailable';
const CODES: Record<Reason, number> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  Conflict: 409,
  AlreadyExists: 409,
  Gone: 410,
  Expired: 410,
  Invalid: 422,
  UnsupportedMediaType: 415,
  InternalError: 500,
  ServiceUnavailable: 503,
};

/** An error a handler throws to answer with a Status. */
export class ApiError extends Error {
  constructor(
    readonly reason: Reason,
    message: string,
    readonly details?: { name?: string; kind?: string; causes?: Array<{ message: string; field?: string }> },
  ) {
    super(message);
  }
  get code(): number {
    return CODES[this.reason];
  }
}

export function statusObject(reason: Reason, message: string, details?: ApiError['details']) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details: { group: 'stackd.io', ...details }, code: CODES[reason] };
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

export function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) return void res.destroy();
  if (err instanceof ApiError) sendJson(res, err.code, statusObject(err.reason, err.message, err.details));
  else sendJson(res, 500, statusObject('InternalError', (err as Error).message ?? String(err)));
}

const MAX_BODY = 8 << 20;

export async function readJsonBody<T>(req: IncomingMessage): Promise<T> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new ApiError('BadRequest', `request body over ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
  } catch (err) {
    throw new ApiError('BadRequest', `request body is not JSON: ${(err as Error).message}`);
  }
}

/** A body that may be absent (DELETE's DeleteOptions): undefined when empty. */
export async function readOptionalBody<T>(req: IncomingMessage): Promise<T | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  if (text.length > MAX_BODY) throw new ApiError('BadRequest', `request body over ${MAX_BODY} bytes`);
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new ApiError('BadRequest', `request body is not JSON: ${(err as Error).message}`);
  }
}
