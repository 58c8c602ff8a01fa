// create, update, patch, delete: Stacks through deploy (stack-write.ts), everything else as
// single-object compare-and-swap writes (object-write.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Service } from '../api/objects.js';
import type { Verb } from './authz.js';
import { ApiError, readJsonBody, readOptionalBody, sendJson } from './http.js';
import { createNode, current, scaleOf, writeScale, writeSpec, writeStatus, type Target } from './object-write.js';
import { checkObjectAccess, present, type ReadContext } from './read.js';
import { deleteStack, writeStack } from './stack-write.js';
import { createObject, deleteObject, LIFECYCLE_KINDS, putGitOpsSecret } from './object-lifecycle.js';

const PATCH_TYPES = ['application/merge-patch+json', 'application/json'];

export async function handleWrite(ctx: ReadContext, verb: Verb, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { resource, namespace, name, subresource } = ctx.path;
  const t: Target = { resource, namespace: namespace ?? '', name: name ?? '' };
  if (verb === 'patch' && !PATCH_TYPES.includes((req.headers['content-type'] ?? '').split(';')[0])) {
    throw new ApiError('UnsupportedMediaType', `patch type ${req.headers['content-type']} is not supported: use --type merge`);
  }
  if (subresource === 'scale' && resource.kind === 'Service') {
    if (verb === 'get') return sendJson(res, 200, scaleOf((await current(ctx.store, t)) as Service));
    if (verb === 'update' || verb === 'patch') return sendJson(res, 200, await writeScale(ctx.store, t, await readJsonBody(req), verb));
  }
  if (subresource === 'status' && resource.subresources.includes('status')) {
    if (verb === 'get') return sendJson(res, 200, present(await current(ctx.store, t)));
    if (verb === 'update' || verb === 'patch') {
      const body = await readJsonBody(req);
      const written = await writeStatus(ctx.store, t, body, verb, (prev) => checkObjectAccess(ctx, prev));
      return sendJson(res, 200, present(written));
    }
  }
  if (subresource) throw new ApiError('NotFound', `${resource.plural}/${subresource} does not take ${verb}`);
  if (resource.kind === 'Stack') {
    if (verb === 'create') {
      const body = await readJsonBody<{ metadata?: { name?: string } }>(req);
      return sendJson(res, 201, await writeStack(ctx.store, body.metadata?.name ?? '', body, 'create'));
    }
    if (verb === 'update') return sendJson(res, 200, await writeStack(ctx.store, t.name, await readJsonBody(req), 'update'));
    if (verb === 'delete') return sendJson(res, 200, await deleteStack(ctx.store, t.name));
    throw new ApiError('MethodNotAllowed', 'a stack is changed by PUT with its files (a deploy), not patched');
  }
  if (LIFECYCLE_KINDS.has(resource.kind)) {
    if (verb === 'create') return sendJson(res, 201, present(await createObject(ctx.store, t, await readJsonBody(req))));
    if (verb === 'delete') return sendJson(res, 200, present(await deleteObject(ctx.store, t, await readOptionalBody(req))));
    if (resource.kind === 'GitOpsSecret' && verb === 'update') return sendJson(res, 200, await putGitOpsSecret(ctx.store, t.name, await readJsonBody(req)));
  }
  if (resource.kind === 'Node' && verb === 'create') {
    return sendJson(res, 201, await createNode(ctx.store, await readJsonBody(req), ctx.decision.check === 'own-node' ? (ctx.who.node ?? '') : undefined));
  }
  if ((verb === 'update' || verb === 'patch') && name) return sendJson(res, 200, present(await writeSpec(ctx.store, t, await readJsonBody(req), verb)));
  throw new ApiError('MethodNotAllowed', `${verb} ${resource.plural} is not served: stacks are created and deleted whole`);
}
