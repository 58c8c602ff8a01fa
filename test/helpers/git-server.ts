// Real git repositories for tests: a smart-HTTP server (`git http-backend` behind node:http, as
// CGI, the way Apache or nginx serve it), with optional HTTP basic auth, and small helpers to make
// a bare repository and a working clone that commits and pushes with the git CLI.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './cli.js';

/** Environment for every git the tests run: no prompts, no user or system config, no helpers. */
export const GIT_ENV: Record<string, string> = {
  GIT_TERMINAL_PROMPT: '0',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_ASKPASS: '',
  SSH_ASKPASS: '',
};

/** `git ARGS` in `cwd`; rejects with git's stderr in the message. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('git', args, { cwd, env: { ...process.env, ...GIT_ENV }, timeout: 60_000 });
    return stdout.trim();
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`git ${args.join(' ')} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}

export interface GitRequest {
  method: string;
  url: string;
  /** whether the request carried an Authorization header */
  authorized: boolean;
  headers: Record<string, string>;
}

export interface BasicAuth {
  username: string;
  password: string;
}

/** A `git http-backend` on 127.0.0.1 and a free port, serving the bare repositories under `root`. */
export class GitServer {
  /** Every request served, in order (without the Authorization header's value). */
  readonly requests: GitRequest[] = [];

  private constructor(
    private readonly server: Server,
    readonly root: string,
    readonly port: number,
  ) {}

  static async start(opts: { root?: string; auth?: BasicAuth } = {}): Promise<GitServer> {
    const root = opts.root ?? tempDir('stackd-git-');
    const backend = join(await git(root, '--exec-path'), 'git-http-backend');
    let self: GitServer | undefined;
    const server = createServer((req, res) => {
      self?.requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', authorized: req.headers.authorization !== undefined, headers: redact(req.headers) });
      if (opts.auth && !authorized(req, opts.auth)) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"', 'Content-Type': 'text/plain' }).end('authentication required\n');
        return;
      }
      runBackend(backend, root, req, res, opts.auth?.username);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    self = new GitServer(server, root, (server.address() as AddressInfo).port);
    return self;
  }

  /** A new bare repository `NAME.git` under the root (default branch main, pushes over HTTP allowed). */
  async createRepo(name: string): Promise<string> {
    const dir = join(this.root, `${name}.git`);
    mkdirSync(dir, { recursive: true });
    await initBare(dir);
    return dir;
  }

  /** The clone URL of a repository, with credentials in it when given. */
  url(name: string, auth?: BasicAuth): string {
    const userinfo = auth ? `${encodeURIComponent(auth.username)}:${encodeURIComponent(auth.password)}@` : '';
    return `http://${userinfo}127.0.0.1:${this.port}/${name}.git`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** `git init --bare` with branch main; receive-pack on, as http-backend turns it off without REMOTE_USER. */
export async function initBare(dir: string): Promise<void> {
  await git(dir, 'init', '--quiet', '--bare', '--initial-branch=main');
  await git(dir, 'config', 'http.receivepack', 'true');
}

function redact(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (typeof value === 'string' && name !== 'authorization') out[name] = value;
  return out;
}

function authorized(req: IncomingMessage, auth: BasicAuth): boolean {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Basic ')) return false;
  return Buffer.from(header.slice(6), 'base64').toString() === `${auth.username}:${auth.password}`;
}

/** Runs http-backend as CGI: request headers as HTTP_* variables (Content-Encoding: gzip and
 *  Git-Protocol among them: the backend inflates and speaks v2 itself), body on stdin, CGI
 *  headers parsed off stdout. */
function runBackend(backend: string, root: string, req: IncomingMessage, res: ServerResponse, user?: string): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    GATEWAY_INTERFACE: 'CGI/1.1',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    ...(user ? { REMOTE_USER: user } : {}),
    ...(req.headers['content-type'] ? { CONTENT_TYPE: req.headers['content-type'] } : {}),
    // absent for chunked bodies: the backend then reads to EOF
    ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
  };
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string' && name !== 'authorization') env[`HTTP_${name.toUpperCase().replace(/-/g, '_')}`] = value;
  }
  const child = spawn(backend, [], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  req.pipe(child.stdin);
  child.stdin.on('error', () => undefined); // the backend may answer (an error) before reading it all
  let head = Buffer.alloc(0);
  let headersSent = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersSent) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = headerEnd(head);
    if (!end) return;
    writeCgiHead(res, head.subarray(0, end.at).toString('latin1'));
    headersSent = true;
    res.write(head.subarray(end.at + end.length));
  });
  child.on('close', (code) => {
    if (!headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' }).write(`git http-backend exited ${code} without a response\n`);
    res.end();
  });
  req.on('aborted', () => child.kill());
}

function headerEnd(buf: Buffer): { at: number; length: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, length: 4 };
  return lf >= 0 ? { at: lf, length: 2 } : undefined;
}

function writeCgiHead(res: ServerResponse, text: string): void {
  let status = 200;
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = parseInt(value, 10);
    else res.setHeader(name, value);
  }
  res.writeHead(status);
}

/** A working clone that writes files, commits and pushes. */
export class WorkingCopy {
  private constructor(readonly dir: string) {}

  /** Clones `url` (an empty repository is fine) into a fresh directory, on branch `branch`. */
  static async clone(url: string, branch = 'main'): Promise<WorkingCopy> {
    const dir = join(tempDir('stackd-work-'), 'repo');
    await git(dirname(dir), 'clone', '--quiet', url, dir);
    await git(dir, 'checkout', '--quiet', '-B', branch);
    return new WorkingCopy(dir);
  }

  write(path: string, content: string): this {
    const file = join(this.dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    return this;
  }

  remove(path: string): this {
    rmSync(join(this.dir, path), { recursive: true, force: true });
    return this;
  }

  /** Commits everything in the tree; returns the new commit's sha. */
  async commit(message: string): Promise<string> {
    await git(this.dir, 'add', '--all');
    await git(this.dir, '-c', 'user.name=stackd test', '-c', 'user.email=test@stackd.invalid', 'commit', '--quiet', '--allow-empty', '-m', message);
    return git(this.dir, 'rev-parse', 'HEAD');
  }

  async push(): Promise<void> {
    await git(this.dir, 'push', '--quiet', 'origin', 'HEAD');
  }

  /** Commit and push; returns the sha. */
  async commitAndPush(message: string): Promise<string> {
    const sha = await this.commit(message);
    await this.push();
    return sha;
  }
}
