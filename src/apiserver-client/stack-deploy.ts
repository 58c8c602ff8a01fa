// `stackctl deploy` through the API: the stack's files (already loaded and checked here, see
// stacks/stack-upload.ts) go to the server as a Stack create, or an update when it exists; the
// server deploys them in one transaction. A 422 is bad input (its file:line:col lines, exit 2,
// nothing written); anything else is the server's Status in one line.
import { ApiException, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../apiserver/resources.js';
import { InputError } from '../errors.js';
import type { StackUpload } from '../stacks/stack-upload.js';

interface Status {
  message?: string;
  reason?: string;
  details?: { causes?: Array<{ message: string }> };
}

function statusOf(err: ApiException<unknown>): Status {
  const body = err.body;
  if (body && typeof body === 'object') return body as Status;
  try {
    return JSON.parse(String(body ?? /^Body: (.*)$/m.exec(err.message)?.[1] ?? '')) as Status;
  } catch {
    return { message: err.message.split('\n')[0] };
  }
}

/** What the server said, as the error stackctl prints: a 422's positions as input errors. */
export function deployError(name: string, err: unknown): Error {
  if (!(err instanceof ApiException)) return err as Error;
  const status = statusOf(err);
  const causes = status.details?.causes?.map((c) => c.message) ?? [];
  if (err.code === 422) return new InputError(causes.length ? causes : [status.message ?? `stack ${name} is invalid`]);
  return Object.assign(new Error(`deploy ${name}: ${err.code} ${status.message ?? status.reason ?? ''}`.trim()), { code: err.code });
}

/** Creates or updates the stack; 'created' or 'updated'. */
export async function deployThroughApi(kc: KubeConfig, name: string, upload: StackUpload, prune: boolean): Promise<'created' | 'updated'> {
  const objects = kc.makeApiClient(CustomObjectsApi);
  const api = { group: GROUP, version: VERSION, plural: 'stacks' };
  const body = { apiVersion: `${GROUP}/${VERSION}`, kind: 'Stack', metadata: { name }, spec: { ...upload, prune } };
  try {
    let exists = true;
    await objects.getClusterCustomObject({ ...api, name }).catch((err: unknown) => {
      if (err instanceof ApiException && err.code === 404) exists = false;
      else throw err;
    });
    if (exists) {
      await objects.replaceClusterCustomObject({ ...api, name, body });
      return 'updated';
    }
    await objects.createClusterCustomObject({ ...api, body });
    return 'created';
  } catch (err) {
    throw deployError(name, err);
  }
}
