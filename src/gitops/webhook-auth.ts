// Who may trigger a sync through the webhook: GitHub signs the raw body with HMAC-SHA256 of the
// shared secret (X-Hub-Signature-256: sha256=<hex>); GitLab sends the secret itself
// (X-Gitlab-Token). Pure: headers, body and token in, a verdict out; every comparison is
// constant-time.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type Headers = Record<string, string | string[] | undefined>;

export type WebhookVerdict = { ok: true; via: 'github' | 'gitlab' } | { ok: false; reason: string };

export const GITHUB_SIGNATURE_HEADER = 'x-hub-signature-256';
export const GITLAB_TOKEN_HEADER = 'x-gitlab-token';

/** GitHub's signature of `body` under `token`: "sha256=<hex>". */
export function githubSignature(body: Uint8Array | string, token: Uint8Array | string): string {
  return `sha256=${createHmac('sha256', token).update(body).digest('hex')}`;
}

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Equal bytes, in time that depends on neither content nor length (both sides hashed first). */
export function constantTimeEqual(a: Buffer | string, b: Buffer | string): boolean {
  const digest = (v: Buffer | string) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** Checks a webhook call against the source's token. GitHub's header wins when both are sent. */
export function verifyWebhook(headers: Headers, body: Buffer, token: Buffer): WebhookVerdict {
  const signature = header(headers, GITHUB_SIGNATURE_HEADER);
  if (signature !== undefined) {
    if (!/^sha256=[0-9a-fA-F]{64}$/.test(signature)) return { ok: false, reason: 'X-Hub-Signature-256 is not of the form sha256=<64 hex digits>' };
    return constantTimeEqual(signature.toLowerCase(), githubSignature(body, token))
      ? { ok: true, via: 'github' }
      : { ok: false, reason: 'X-Hub-Signature-256 does not match the body signed with the webhook secret' };
  }
  const gitlab = header(headers, GITLAB_TOKEN_HEADER);
  if (gitlab !== undefined) {
    return constantTimeEqual(gitlab, token) ? { ok: true, via: 'gitlab' } : { ok: false, reason: 'X-Gitlab-Token does not match the webhook secret' };
  }
  return { ok: false, reason: 'no signature: send X-Hub-Signature-256 (GitHub) or X-Gitlab-Token (GitLab)' };
}

/** GitHub's setup ping (X-GitHub-Event: ping): answered, never a sync. */
export function isPing(headers: Headers): boolean {
  return header(headers, 'x-github-event') === 'ping';
}

export interface ListenAddress {
  /** undefined: every interface */
  host?: string;
  port: number;
}

/** "--webhook-listen" values as Go and Prometheus take them: ":9292", "127.0.0.1:0", "[::1]:9292". */
export function parseListenAddress(addr: string): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(addr.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`"${addr}" is not a listen address: expected [HOST]:PORT, e.g. :9292 or 127.0.0.1:9292`);
  const host = m[1] ?? m[2];
  return host ? { host, port } : { port };
}
