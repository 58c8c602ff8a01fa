// Where and as whom a client talks to the API: a server URL with a bearer token (and the CA to
// trust), or a kubeconfig file such as `stackctl kubeconfig` prints. client-node's KubeConfig
// carries it to every request.
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { InputError } from '../errors.js';

export interface ApiTarget {
  server: string;
  token: string;
  /** PEM file of the CA that signed the server's certificate (else the system's CAs) */
  caFile?: string;
}

/** A bearer token read from a file: one line, whitespace trimmed. */
export function readTokenFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError([`${file}: cannot read the token: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
  }
  const token = text.trim();
  if (!token || /\s/.test(token))
    throw new InputError([`${file}:1:1: expected one bearer token (stackctl kubeconfig prints one), got ${token ? 'several words' : 'nothing'}`]);
  return token;
}

export function kubeConfigFor(t: ApiTarget): KubeConfig {
  let url: URL;
  try {
    url = new URL(t.server);
  } catch {
    throw new InputError([`--server ${t.server}: expected a URL such as https://10.0.0.1:6443`]);
  }
  if (url.protocol !== 'https:') throw new InputError([`--server ${t.server}: the API is served over https only`]);
  if (t.caFile) {
    try {
      readFileSync(t.caFile);
    } catch (err) {
      throw new InputError([`${t.caFile}: cannot read the CA certificate: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
    }
  }
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'stackd', server: url.origin, skipTLSVerify: false, ...(t.caFile ? { caFile: t.caFile } : {}) }],
    users: [{ name: 'stackd', token: t.token }],
    contexts: [{ name: 'stackd', cluster: 'stackd', user: 'stackd' }],
    currentContext: 'stackd',
  });
  return kc;
}

/** A kubeconfig file (its current context), as `stackctl kubeconfig` prints one. */
export function kubeConfigFromFile(file: string): { kc: KubeConfig; server: string } {
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (err) {
    throw new InputError([`${file}: not a kubeconfig: ${(err as Error).message.split('\n')[0]}`]);
  }
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new InputError([`${file}: its current context names no cluster with a server`]);
  return { kc, server };
}

export interface ClientApiFlags {
  server?: string;
  token?: string;
  certificateAuthority?: string;
  kubeconfig?: string;
}

/** stackctl's way to the API, if it is asked to use one: --server with --token (and
 *  --certificate-authority), or --kubeconfig / STACKD_KUBECONFIG. undefined: use the Store. */
export function clientKubeConfig(flags: ClientApiFlags, env = process.env): { kc: KubeConfig; server: string } | undefined {
  if (flags.server) {
    if (!flags.token) throw new InputError(['--server needs --token (stackctl kubeconfig prints one), or use --kubeconfig']);
    return { kc: kubeConfigFor({ server: flags.server, token: flags.token, caFile: flags.certificateAuthority }), server: flags.server };
  }
  const file = flags.kubeconfig ?? env.STACKD_KUBECONFIG;
  return file ? kubeConfigFromFile(file) : undefined;
}
