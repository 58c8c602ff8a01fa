// One Compose test file's world: its own embedded store, a unique node name and project names, the
// CLI run as a user would (stackd started by `up`'s auto-start), and a cleanup that stops that
// stackd and removes whatever its projects left on the engine.
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { ROOT, run, tempDir, type CliResult } from '../../helpers/cli.js';
import { eventually } from '../../helpers/stackd.js';

export const FIXTURES = join(ROOT, 'test/fixtures/compose');

export class ComposeEnv {
  readonly dir = tempDir('stackd-compose-');
  readonly storeUrl = `sqlite://${join(this.dir, 'state.db')}`;
  readonly nodeName: string;
  readonly docker = new Dockerode();
  private readonly projects = new Set<string>();

  constructor(readonly prefix: string) {
    this.nodeName = this.unique(`${prefix}node`);
  }

  unique(prefix: string): string {
    return `${prefix}${process.pid.toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`;
  }

  /** A project name this env cleans up. */
  project(prefix = this.prefix): string {
    const name = this.unique(prefix);
    this.projects.add(name);
    return name;
  }

  get env(): Record<string, string> {
    return { STACKD_STORE: this.storeUrl, STACKD_NODE_NAME: this.nodeName, NO_COLOR: '1' };
  }

  async stackctl(args: string[], cwd = ROOT, env: Record<string, string> = {}): Promise<CliResult> {
    const r = await run('stackctl', args, { ...this.env, ...env }, cwd);
    this.guard();
    return r;
  }

  private watchdog?: ChildProcess;

  /**
   * The auto-started stackd is detached: should this test process die without cleaning up, a
   * watchdog (EOF on a pipe only this process holds) stops it and removes its node's containers,
   * as test/helpers/stackd.ts does for the daemons it starts.
   */
  private guard(): void {
    const pidFile = join(this.dir, 'stackd.pid');
    if (this.watchdog || !existsSync(pidFile)) return;
    const script = `trap '' INT TERM HUP; cat >/dev/null
kill -TERM "$1" 2>/dev/null; sleep 2; kill -KILL "$1" 2>/dev/null
f="label=io.stackd.node=$2"
docker ps -aq --filter "$f" | xargs -r docker rm -f -v
docker network ls -q --filter "$f" | xargs -r docker network rm`;
    const pid = readFileSync(pidFile, 'utf8').trim();
    this.watchdog = spawn('sh', ['-c', script, 'watchdog', pid, this.nodeName], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    this.watchdog.unref();
    (this.watchdog.stdin as unknown as { unref(): void }).unref();
  }

  /** Runs stackctl and fails with its output when it exits non-zero. */
  async ok(args: string[], cwd = ROOT): Promise<CliResult> {
    const r = await this.stackctl(args, cwd);
    if (r.code !== 0) throw new Error(`stackctl ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}\n${this.logTail()}`);
    return r;
  }

  /** A long-running stackctl (foreground up, logs -f), output collected. */
  spawn(args: string[], cwd = ROOT): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'stackctl.js'), ...args], { cwd, env: { ...process.env, ...this.env } });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    return { child, output: () => out, exited };
  }

  /** A copy of a folder in this env's directory (to edit its files), with `edit` applied to `file`. */
  copy(from: string, name: string, file?: string, edit?: (text: string) => string): string {
    const to = join(this.dir, name);
    cpSync(from, to, { recursive: true });
    if (file && edit) writeFileSync(join(to, file), edit(readFileSync(join(to, file), 'utf8')));
    return to;
  }

  /** The project's containers as `docker ps -a` sees them, by service. */
  async containers(project: string, all = true): Promise<Dockerode.ContainerInfo[]> {
    return this.docker.listContainers({ all, filters: { label: [`io.stackd.stack=${project}`] } });
  }

  /** service → its newest container (an older one may be kept as task history, as Swarm does) */
  async ids(project: string, all = true): Promise<Record<string, string>> {
    const list = (await this.containers(project, all)).sort((a, b) => a.Created - b.Created);
    return Object.fromEntries(list.map((c) => [c.Labels['io.stackd.service'], c.Id]));
  }

  logTail(lines = 40): string {
    const file = join(this.dir, 'stackd.log');
    if (!existsSync(file)) return '(stackd not started)';
    return `--- stackd log ---\n${readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')}`;
  }

  /** Stop the auto-started stackd, then remove what the projects left. */
  async cleanup(): Promise<void> {
    this.watchdog?.kill('SIGKILL');
    const pidFile = join(this.dir, 'stackd.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8'));
      try {
        process.kill(pid, 'SIGTERM');
        await eventually(() => {
          try {
            process.kill(pid, 0);
            return false;
          } catch {
            return true;
          }
        }, 15_000);
      } catch {
        // already gone
      }
    }
    for (const project of this.projects) {
      const label = [`io.stackd.stack=${project}`];
      for (const c of await this.docker.listContainers({ all: true, filters: { label } }))
        await this.docker
          .getContainer(c.Id)
          .remove({ force: true, v: true })
          .catch(() => undefined);
      for (const n of await this.docker.listNetworks({ filters: { label } }))
        await this.docker
          .getNetwork(n.Id)
          .remove()
          .catch(() => undefined);
      const { Volumes } = await this.docker.listVolumes({ filters: { label } });
      for (const v of Volumes ?? [])
        await this.docker
          .getVolume(v.Name)
          .remove()
          .catch(() => undefined);
      await this.docker
        .getImage(`${project}-hello`)
        .remove({ force: true })
        .catch(() => undefined);
    }
  }
}
