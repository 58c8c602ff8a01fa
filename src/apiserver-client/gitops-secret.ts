// `stackctl gitops create-secret` through the API: one PUT of gitopssecrets/NAME, which the server
// turns into the same create-or-replace a direct write makes (GitOpsSecrets are write-only there,
// so the client cannot read one back to compare).
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { GROUP, GROUP_VERSION, VERSION } from '../apiserver/resources.js';
import type { Change } from '../client/materialize.js';
import { apiError } from './api-store.js';

export async function putGitOpsSecret(kc: KubeConfig, name: string, data: Record<string, Buffer>): Promise<Change> {
  const body = {
    apiVersion: GROUP_VERSION,
    kind: 'GitOpsSecret',
    metadata: { name },
    spec: { data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.toString('base64')])) },
  };
  try {
    const got = (await kc.makeApiClient(CustomObjectsApi).replaceClusterCustomObject({ group: GROUP, version: VERSION, plural: 'gitopssecrets', name, body })) as {
      status?: { lastWrite?: Change };
    };
    return got.status?.lastWrite ?? 'updated';
  } catch (err) {
    throw apiError(`put gitopssecret ${name}`, err);
  }
}
