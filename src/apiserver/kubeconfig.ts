// The kubeconfig `stackctl kubeconfig` prints: one cluster, one user (a bearer token), one
// context, current. Pure.
import { stringify } from 'yaml';

export interface KubeconfigInput {
  server: string;
  caCertPem: string;
  token: string;
  /** names the cluster, user and context */
  name: string;
  /** the context's default namespace (a stack) */
  namespace?: string;
}

export function kubeconfig(k: KubeconfigInput): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'stackd', cluster: { server: k.server, 'certificate-authority-data': Buffer.from(k.caCertPem).toString('base64') } }],
    users: [{ name: k.name, user: { token: k.token } }],
    contexts: [{ name: k.name, context: { cluster: 'stackd', user: k.name, ...(k.namespace ? { namespace: k.namespace } : {}) } }],
    'current-context': k.name,
  });
}
