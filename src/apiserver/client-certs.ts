// Client certificates as identities, the way Kubernetes reads them: a certificate signed by the
// API's CA names its user in CN and its groups in O. stackd's groups are its roles: stackd:admins,
// stackd:viewers, and stackd:nodes (CN = the node's name). Nothing is kept in the Store, so a
// certificate cannot be revoked before it expires (as in Kubernetes): `stackctl kubeconfig
// --client-cert` issues them for 30 days by default; use tokens for identities you may revoke.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Identity, Role } from './tokens.js';

export const ROLE_GROUPS: Record<Role, string> = { admin: 'stackd:admins', viewer: 'stackd:viewers', node: 'stackd:nodes' };

/** The identity a verified certificate's subject stands for, or undefined (no stackd group, no CN). */
export function certificateIdentity(subject: { CN?: string | string[]; O?: string | string[] } | undefined): Identity | undefined {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const cn = first(subject?.CN);
  if (!cn) return undefined;
  const groups = new Set([subject?.O ?? []].flat());
  // the most powerful group named wins, as a union of Kubernetes' groups would
  if (groups.has(ROLE_GROUPS.admin)) return { id: `cert:${cn}`, role: 'admin' };
  if (groups.has(ROLE_GROUPS.node)) return { id: `cert:${cn}`, role: 'node', node: cn };
  if (groups.has(ROLE_GROUPS.viewer)) return { id: `cert:${cn}`, role: 'viewer' };
  return undefined;
}

const run = promisify(execFile);

/** A key and a client certificate for `cn` in the role's group, signed by the CA (openssl). */
export async function issueClientCert(ca: { certPem: string; keyFile: string }, cn: string, role: Role, days = 30): Promise<{ certPem: string; keyPem: string }> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/.test(cn)) throw new Error(`"${cn}" cannot be a certificate's common name`);
  const dir = await mkdtemp(join(tmpdir(), 'stackd-client-cert-'));
  try {
    await writeFile(join(dir, 'ca.crt'), ca.certPem);
    await writeFile(join(dir, 'ext'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n');
    const openssl = async (args: string[]) => {
      try {
        await run('openssl', args);
      } catch (err) {
        throw new Error(`openssl ${args[0]}: ${((err as { stderr?: string }).stderr ?? (err as Error).message).trim().split('\n')[0]}`);
      }
    };
    const [key, csr, crt] = ['key', 'csr', 'crt'].map((f) => join(dir, f));
    await openssl([
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      `/O=${ROLE_GROUPS[role]}/CN=${cn}`,
      '-keyout',
      key,
      '-out',
      csr,
    ]);
    await openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      join(dir, 'ca.crt'),
      '-CAkey',
      ca.keyFile,
      '-set_serial',
      `0x${randomBytes(8).toString('hex')}`,
      '-days',
      String(days),
      '-extfile',
      join(dir, 'ext'),
      '-out',
      crt,
    ]);
    const [certPem, keyPem] = await Promise.all([readFile(crt, 'utf8'), readFile(key, 'utf8')]);
    return { certPem, keyPem };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
