// Talking to the API server as a client does: HTTPS trusting the CA from the kubeconfig, a bearer
// token; kubectl run with that kubeconfig and a discovery cache of its own.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:https';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { type Cluster, eventually } from './cluster.js';
import { freePort } from './stackd.js';

export interface ApiClient {
  server: string;
  ca: string;
  token: string;
  /** the kubeconfig file it was read from */
  file: string;
}

/** Reads server, CA and token back out of `stackctl kubeconfig`'s output, and keeps it in `dir`. */
export function clientFromKubeconfig(yaml: string, dir: string, name: string): ApiClient {
  const file = join(dir, `${name}.kubeconfig`);
  writeFileSync(file, yaml);
  const doc = parse(yaml) as { clusters: { cluster: { server: string; 'certificate-authority-data': string } }[]; users: { user: { token: string } }[] };
  const cluster = doc.clusters[0].cluster;
  return { server: cluster.server, ca: Buffer.from(cluster['certificate-authority-data'], 'base64').toString(), token: doc.users[0].user.token, file };
}

/** Runs `stackctl ARGS` (a `kubeconfig` command) on `cluster` and reads the kubeconfig it prints. */
export async function kubeconfigFrom(
  cluster: { stackctl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>; logDir: string },
  name: string,
  args: string[],
): Promise<ApiClient> {
  const res = await cluster.stackctl(args);
  if (res.code !== 0) throw new Error(`stackctl ${args.join(' ')}: ${res.stderr}`);
  return clientFromKubeconfig(res.stdout, cluster.logDir, name);
}

export interface ApiResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: a test reads any field of a JSON answer
  body: any;
}

export function api(c: ApiClient, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${c.server}${path}`,
      { method, ca: c.ca, headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            /* not JSON: keep the text */
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** A watch stream: its events as they arrive, until stop(). */
export class WatchStream {
  // biome-ignore lint/suspicious/noExplicitAny: a test reads any field of a watch event
  readonly events: Array<{ type: string; object: any }> = [];
  status = 0;
  ended = false;
  private stopFn: () => void = () => undefined;

  static open(c: ApiClient, path: string): Promise<WatchStream> {
    const w = new WatchStream();
    return new Promise((resolve, reject) => {
      const req = request(`${c.server}${path}`, { ca: c.ca, headers: { authorization: `Bearer ${c.token}` } }, (res) => {
        w.status = res.statusCode ?? 0;
        let buf = '';
        res.on('data', (d: Buffer) => {
          buf += d.toString();
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (line) w.events.push(JSON.parse(line));
          }
        });
        res.on('end', () => (w.ended = true));
        res.on('error', () => (w.ended = true));
        resolve(w);
      });
      w.stopFn = () => req.destroy();
      req.on('error', (err) => (w.status ? (w.ended = true) : reject(err)));
      req.end();
    });
  }

  stop(): void {
    this.stopFn();
  }
}

export function kubectl(c: ApiClient, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('kubectl', ['--kubeconfig', c.file, '--cache-dir', `${c.file}.cache`, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** A long-running kubectl (get -w): its output so far in `out`. */
export function kubectlStream(c: ApiClient, args: string[]): { child: ChildProcess; out: () => string } {
  const child = spawn('kubectl', ['--kubeconfig', c.file, '--cache-dir', `${c.file}.cache`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, out: () => out };
}

/** Restarts `cluster`'s manager serving the API on `host` (a free port; the node bridge's address
 *  reaches it from inside the namespace nodes); its URL, flags (to restart it again) and an admin. */
export async function serveApi(cluster: Cluster, host: string): Promise<{ server: string; managerArgs: string[]; admin: ApiClient }> {
  const port = await freePort();
  const server = `https://${host}:${port}`;
  const managerArgs = ['--api-listen', `${host}:${port}`, '--api-state-dir', join(cluster.logDir, 'api-state')];
  await cluster.manager.kill('SIGTERM');
  cluster.startManager(managerArgs);
  const admin = await eventually(
    () => kubeconfigFrom(cluster, 'admin', ['kubeconfig', '--server', server]).catch(() => undefined),
    'the API server to publish its CA',
  );
  return { server, managerArgs, admin };
}

/** Starts `node`'s agent through the API with a node identity of its own (token and CA in files). */
export async function startApiAgent(cluster: Cluster, server: string, node: string): Promise<ApiClient> {
  const identity = await kubeconfigFrom(cluster, `node-${node}`, ['kubeconfig', '--server', server, '--node', node]);
  const tokenFile = join(cluster.logDir, `${node}.token`);
  const caFile = join(cluster.logDir, 'api-ca.crt');
  writeFileSync(tokenFile, `${identity.token}\n`);
  writeFileSync(caFile, identity.ca);
  cluster.startApiAgent(node, server, tokenFile, caFile);
  return identity;
}
