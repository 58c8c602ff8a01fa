// A TLS-only etcd with client-certificate checks and etcd auth on, for one test file: its CA and
// certificates made by hack/make-certs.sh, user "stackd" (password below, and CN=stackd of the
// client certificate) allowed everything under "/", user "root" for administration.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../integration/store/etcd-process.js';
import { ROOT } from './cli.js';
import { eventually } from './stackd.js';

const exec = promisify(execFile);
export const STACKD_PASSWORD = 'tls-test-password';

export class TlsEtcd {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {}

  get url(): string {
    return `etcds://127.0.0.1:${this.port}`;
  }

  get certs(): { ca: string; cert: string; key: string; root: string; rootKey: string } {
    const c = join(this.dir, 'certs');
    return { ca: join(c, 'ca.crt'), cert: join(c, 'client.crt'), key: join(c, 'client.key'), root: join(c, 'root.crt'), rootKey: join(c, 'root.key') };
  }

  /** The environment that connects stackctl/stackd as user stackd with the client certificate. */
  get env(): Record<string, string> {
    const c = this.certs;
    return { STACKD_STORE: this.url, STACKD_STORE_CACERT: c.ca, STACKD_STORE_CERT: c.cert, STACKD_STORE_KEY: c.key };
  }

  /** `clientCertAuth: false`: TLS and passwords only, a client without a certificate connects. */
  static async start(opts: { clientCertAuth?: boolean } = {}): Promise<TlsEtcd> {
    const dir = await mkdtemp(join(tmpdir(), 'stackd-etcd-tls-'));
    const certs = join(dir, 'certs');
    await exec('bash', [join(ROOT, 'hack/make-certs.sh'), certs]);
    const [port, peer] = [await freePort(), await freePort()];
    const client = `https://127.0.0.1:${port}`;
    const peerUrl = `https://127.0.0.1:${peer}`;
    // (etcd asks every client for a certificate once it has a trusted CA)
    const trust = (p: string) => (p === '' && opts.clientCertAuth === false ? [] : [`--${p}trusted-ca-file`, join(certs, 'ca.crt')]);
    const tls = (p: string) => [...trust(p), `--${p}cert-file`, join(certs, 'server.crt'), `--${p}key-file`, join(certs, 'server.key')];
    const child = spawn(
      'etcd',
      [
        ...['--name', 'tls', '--data-dir', join(dir, 'data'), '--log-level', 'error'],
        ...['--listen-client-urls', client, '--advertise-client-urls', client, ...(opts.clientCertAuth === false ? [] : ['--client-cert-auth']), ...tls('')],
        ...['--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl, '--initial-cluster', `tls=${peerUrl}`],
        ...['--peer-client-cert-auth', ...tls('peer-')],
        ...['--max-txn-ops', '10000', '--max-request-bytes', '16777216'],
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const etcd = new TlsEtcd(dir, port, child);
    await eventually(() => etcd.ctl('endpoint', 'health').then(() => true), 20_000, 100);
    await etcd.ctl('user', 'add', 'root', '--new-user-password', 'root-password');
    await etcd.ctl('user', 'grant-role', 'root', 'root');
    await etcd.ctl('user', 'add', 'stackd', '--new-user-password', STACKD_PASSWORD);
    await etcd.ctl('role', 'add', 'stackd');
    await etcd.ctl('role', 'grant-permission', 'stackd', '--prefix=true', 'readwrite', '/');
    await etcd.ctl('user', 'grant-role', 'stackd', 'stackd');
    await etcd.ctl('auth', 'enable');
    await writeFile(join(dir, 'password'), `${STACKD_PASSWORD}\n`);
    return etcd;
  }

  get passwordFile(): string {
    return join(this.dir, 'password');
  }

  /** etcdctl as root (CN=root client certificate). */
  async ctl(...args: string[]): Promise<string> {
    const c = this.certs;
    const { stdout } = await exec('etcdctl', ['--endpoints', `https://127.0.0.1:${this.port}`, '--cacert', c.ca, '--cert', c.root, '--key', c.rootKey, ...args], {
      env: { ...process.env, ETCDCTL_API: '3' },
      timeout: 20_000,
    });
    return stdout;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
