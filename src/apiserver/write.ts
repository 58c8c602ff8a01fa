// Writes: not served yet (step 3 of issue 14).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Verb } from './authz.js';
import { ApiError } from './http.js';
import type { ReadContext } from './read.js';

export async function handleWrite(ctx: ReadContext, verb: Verb, _req: IncomingMessage, _res: ServerResponse): Promise<void> {
  throw new ApiError('MethodNotAllowed', `${verb} ${ctx.path.resource.plural}${ctx.path.subresource ? `/${ctx.path.subresource}` : ''} is not served yet`);
}
