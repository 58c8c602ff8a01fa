// A dedicated etcd for one test file (flags as in hack/lib/etcd.sh), so restarting it or
// compacting its history disturbs no other test.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './helpers.js';

export class EtcdProcess {
  private child?: ChildProcess;

  private constructor(
    readonly dataDir: string,
    readonly clientPort: number,
    private readonly peerPort: number,
    /** etcd's own limits (128 ops per transaction, 1.5 MiB per request), not hack/lib/etcd.sh's raised ones */
    private readonly defaultLimits = false,
  ) {}

  get endpoint(): string {
    return `127.0.0.1:${this.clientPort}`;
  }

  static async start(opts: { defaultLimits?: boolean } = {}): Promise<EtcdProcess> {
    const dir = await mkdtemp(join(tmpdir(), 'stackd-etcd-test-'));
    const etcd = new EtcdProcess(dir, await freePort(), await freePort(), opts.defaultLimits);
    await etcd.startProcess();
    return etcd;
  }

  async restart(): Promise<void> {
    await this.halt();
    await this.resume();
  }

  /** Stops the server, keeping its data. */
  halt(): Promise<void> {
    return this.stopProcess();
  }

  /** Starts the server again on the same ports and data; resolves once it is healthy. */
  resume(): Promise<void> {
    return this.startProcess();
  }

  /** SIGSTOP: the server keeps its sockets (connections are accepted) but answers nothing. */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    await this.stopProcess();
    await rm(this.dataDir, { recursive: true, force: true });
  }

  private async startProcess(): Promise<void> {
    const client = `http://127.0.0.1:${this.clientPort}`;
    const peer = `http://127.0.0.1:${this.peerPort}`;
    const child = spawn(
      'etcd',
      [
        ...['--name', 'stackd-test', '--data-dir', this.dataDir],
        ...['--listen-client-urls', client, '--advertise-client-urls', client],
        ...['--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer],
        ...['--initial-cluster', `stackd-test=${peer}`],
        ...(this.defaultLimits ? [] : ['--max-txn-ops', '10000', '--max-request-bytes', '16777216']),
        ...['--log-level', 'error'],
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    this.child = child;
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`etcd exited with ${child.exitCode}: ${stderr}`);
      return (await portOpen(this.clientPort)) && (await this.healthy());
    }, `etcd on ${this.endpoint}`);
  }

  /** etcd serves its client port a moment before it has a leader */
  private async healthy(): Promise<boolean> {
    try {
      const res = await fetch(`http://${this.endpoint}/health`);
      return res.ok && ((await res.json()) as { health?: string }).health === 'true';
    } catch {
      return false;
    }
  }

  private async stopProcess(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGCONT'); // a frozen etcd would never act on SIGTERM
    child.kill('SIGTERM');
    await exited;
    this.child = undefined;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
