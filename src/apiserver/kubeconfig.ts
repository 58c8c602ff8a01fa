// The kubeconfig `stackctl kubeconfig` prints: one cluster, one user (a bearer token or a client certificate), one
// context, current. Pure.
import { stringify } from 'yaml';

export interface KubeconfigInput {
  server: string;
  caCertPem: string;
  /** a bearer token, or a client certificate and its key */
  token?: string;
  clientCert?: { certPem: string; keyPem: string };
  /** names the cluster, user and context */
  name: string;
  /** the context's default namespace (a stack) */
  namespace?: string;
}

const b64 = (pem: string) => Buffer.from(pem).toString('base64');

export function kubeconfig(k: KubeconfigInput): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'stackd', cluster: { server: k.server, 'certificate-authority-data': Buffer.from(k.caCertPem).toString('base64') } }],
    users: [
      {
        name: k.name,
        user: k.clientCert ? { 'client-certificate-data': b64(k.clientCert.certPem), 'client-key-data': b64(k.clientCert.keyPem) } : { token: k.token },
      },
    ],
    contexts: [{ name: k.name, context: { cluster: 'stackd', user: k.name, ...(k.namespace ? { namespace: k.namespace } : {}) } }],
    'current-context': k.name,
  });
}
