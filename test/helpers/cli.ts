// Run the built CLI (dist/, made by `npm run build` in hack/test.sh) as a user would.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(new URL('../..', import.meta.url).pathname);
/** The accounts example: the project's own copy (manifests/accounts), so a clone tests itself. */
export const EXAMPLE = join(ROOT, 'manifests/accounts');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(bin: 'stackctl' | 'stackd', args: string[], env: Record<string, string | undefined> = {}, cwd = ROOT): Promise<CliResult> {
  return new Promise((resolveRun) => {
    execFile(process.execPath, [join(ROOT, 'bin', `${bin}.js`), ...args], { cwd, env: { ...process.env, ...env }, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolveRun({ code, stdout, stderr });
    });
  });
}

export function stackctl(args: string[], env: Record<string, string | undefined> = {}, cwd = ROOT): Promise<CliResult> {
  return run('stackctl', args, env, cwd);
}

export function tempDir(prefix = 'stackd-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The store URLs to run a test against: a fresh SQLite file, and the test etcd when there is one. */
export function storeUrls(): [string, () => string][] {
  const urls: [string, () => string][] = [['embedded', () => `sqlite://${join(tempDir(), 'state.db')}`]];
  if (process.env.STACKD_TEST_ETCD) urls.push(['etcd', () => `etcd://${process.env.STACKD_TEST_ETCD}`]);
  return urls;
}

/** A `stackd manager` process on `storeUrl`, its output appended to `logFile`. */
export function managerProcess(storeUrl: string, logFile: string): ChildProcess {
  const log = openSync(logFile, 'a');
  const manager = spawn(process.execPath, [join(ROOT, 'bin/stackd.js'), 'manager', '--store', storeUrl], { stdio: ['ignore', log, log] });
  closeSync(log);
  return manager;
}

/** SIGTERM, then wait for the process to exit. */
export async function stopProcess(child?: ChildProcess): Promise<void> {
  if (!child) return;
  child.kill('SIGTERM');
  await new Promise((r) => (child.exitCode === null && child.signalCode === null ? child.once('exit', r) : r(undefined)));
}
