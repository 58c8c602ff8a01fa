// Who may use the console, pure. The console stands behind the API server's identities
// (tokens.ts: admin, viewer): a token given at the login form travels in an HttpOnly,
// SameSite=Strict cookie. A console listening on loopback only lets anyone on this host read
// without a token (as the embedded store's file does); every action needs an admin.
import type { Identity } from '../apiserver/tokens.js';

export type Need = 'read' | 'act';
export type Verdict = { allow: true } | { allow: false; status: 401 | 403; reason: string };

export function isLoopback(host: string | undefined): boolean {
  if (!host) return false;
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function decide(who: Identity | undefined, loopbackOnly: boolean, need: Need): Verdict {
  if (need === 'read') {
    if (who && (who.role === 'admin' || who.role === 'viewer')) return { allow: true };
    if (!who && loopbackOnly) return { allow: true };
    return { allow: false, status: 401, reason: 'log in with a viewer or admin token (stackctl kubeconfig --role viewer|admin prints one)' };
  }
  if (!who) return { allow: false, status: 401, reason: 'actions need an admin token: log in first' };
  if (who.role !== 'admin') return { allow: false, status: 403, reason: `${who.role} tokens may only read; actions need an admin token` };
  return { allow: true };
}

/** The token from the console's cookie, if any. */
export function tokenFromCookie(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === 'stackd_console') return decodeURIComponent(v.join('='));
  }
  return undefined;
}
