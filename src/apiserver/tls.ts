// The API's TLS: a CA that stackd makes in its state directory on first start (or the given CA
// files, so that several managers share one), and a serving certificate issued from it at every
// start for this host's names and addresses. Made with the openssl command (Debian's openssl).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export interface ApiTls {
  caCertPem: string;
  certPem: string;
  keyPem: string;
}

export interface TlsOptions {
  stateDir: string;
  /** a CA to issue from instead of the state directory's own */
  caCertFile?: string;
  caKeyFile?: string;
  /** extra names or addresses for the serving certificate */
  extraNames?: string[];
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (err) {
    throw new Error(`openssl ${args[0]}: ${((err as { stderr?: string }).stderr ?? (err as Error).message).trim()}`);
  }
}

async function ensureCa(dir: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, 'ca.crt');
  const key = join(dir, 'ca.key');
  if (!existsSync(cert) || !existsSync(key)) {
    await openssl([
      'req',
      '-x509',
      ...EC,
      '-days',
      '3650',
      '-subj',
      '/CN=stackd API CA',
      '-keyout',
      key,
      '-out',
      cert,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    await chmod(key, 0o600);
  }
  return { cert, key };
}

/** localhost, the host name and every address of this host's interfaces. */
export function localNames(extra: string[] = []): string[] {
  const addrs = Object.values(networkInterfaces())
    .flatMap((l) => l ?? [])
    .filter((a) => a.family === 'IPv4')
    .map((a) => a.address);
  return [...new Set(['localhost', hostname(), '127.0.0.1', ...addrs, ...extra])];
}

const isIp = (n: string) => /^[0-9.]+$/.test(n) || n.includes(':');

export async function prepareApiTls(opts: TlsOptions): Promise<ApiTls> {
  await mkdir(opts.stateDir, { recursive: true, mode: 0o700 });
  const ca = opts.caCertFile && opts.caKeyFile ? { cert: opts.caCertFile, key: opts.caKeyFile } : await ensureCa(opts.stateDir);
  const base = join(opts.stateDir, 'apiserver');
  const sans = localNames(opts.extraNames)
    .map((n) => (isIp(n) ? `IP:${n}` : `DNS:${n}`))
    .join(',');
  await writeFile(
    `${base}.ext`,
    `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${sans}\n`,
  );
  await openssl(['req', ...EC, '-subj', '/CN=stackd-apiserver', '-keyout', `${base}.key`, '-out', `${base}.csr`]);
  await chmod(`${base}.key`, 0o600);
  await openssl([
    'x509',
    '-req',
    '-in',
    `${base}.csr`,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-set_serial',
    `0x${randomBytes(8).toString('hex')}`,
    '-days',
    '825',
    '-extfile',
    `${base}.ext`,
    '-out',
    `${base}.crt`,
  ]);
  await rm(`${base}.csr`, { force: true });
  await rm(`${base}.ext`, { force: true });
  const [caCertPem, certPem, keyPem] = await Promise.all([readFile(ca.cert, 'utf8'), readFile(`${base}.crt`, 'utf8'), readFile(`${base}.key`, 'utf8')]);
  return { caCertPem, certPem, keyPem };
}
