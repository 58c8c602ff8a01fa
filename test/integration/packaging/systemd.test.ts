// manifests/systemd: systemd's own checker (`systemd-analyze verify`, Debian's systemd package) finds
// nothing to say about the units; their ExecStart, expanded as systemd does with the example
// environment files, is a command line stackd's own parser accepts; restart, stop signal and
// timeout fit stackd's 10 s shutdown grace; the agent's secrets tmpfs is the mount unit's and is
// writable inside its sandbox; the manager's hardening rates "OK" with `systemd-analyze security`.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { buildProgram } from '../../../src/daemon/stackd.js';
import { SHUTDOWN_GRACE_MS } from '../../../src/daemon/shutdown.js';
import { ROOT, tempDir } from '../../helpers/cli.js';

const exec = promisify(execFile);
const DIR = join(ROOT, 'manifests/systemd');
const BIN = '/usr/local/bin/stackd';

type Unit = Record<string, Record<string, string[]>>;

/** A unit file's sections and keys (a key may repeat; an empty assignment resets the list). */
function parseUnit(text: string): Unit {
  const unit: Unit = {};
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1];
      unit[section] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    const [key, value] = [line.slice(0, eq), line.slice(eq + 1)];
    unit[section][key] = value === '' ? [] : [...(unit[section][key] ?? []), value];
  }
  return unit;
}

/** KEY=VALUE lines of an EnvironmentFile. */
function parseEnvFile(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

const unit = (name: string) => parseUnit(readFileSync(join(DIR, name), 'utf8'));
const one = (u: Unit, section: string, key: string) => u[section]?.[key]?.at(-1);

/** ExecStart as systemd runs it: specifiers (%d credentials, %S state) and $VAR split at whitespace. */
function execArgv(name: string, env: Record<string, string>): string[] {
  const line = one(unit(name), 'Service', 'ExecStart')!.replace(/%d/g, `/run/credentials/${name}`).replace(/%S/g, '/var/lib');
  return line.split(/\s+/).flatMap((word) => (/^\$\w+$/.test(word) ? (env[word.slice(1)] ?? '').split(/\s+/).filter(Boolean) : [word]));
}

/** The options stackd's own command line gives `mode` for argv (no daemon started). */
async function stackdParse(argv: string[], mode: 'manager' | 'agent'): Promise<Record<string, unknown>> {
  const program = buildProgram();
  let opts: Record<string, unknown> = {};
  program.commands
    .find((c) => c.name() === mode)!
    .action((_o, cmd) => {
      opts = cmd.optsWithGlobals();
    });
  await program.parseAsync(['node', ...argv]);
  return opts;
}

test('systemd-analyze verify has nothing to say about the units (ExecStart pointed at this checkout)', async () => {
  const dir = tempDir('stackd-systemd-');
  const files = readdirSync(DIR).filter((f) => /\.(service|mount)$/.test(f));
  expect(files.sort()).toEqual(['run-stackd-secrets.mount', 'stackd-agent.service', 'stackd-manager.service']);
  // verify checks that ExecStart's program exists: this machine has bin/stackd.js, not /usr/local/bin/stackd
  for (const f of files) writeFileSync(join(dir, f), readFileSync(join(DIR, f), 'utf8').replaceAll(BIN, join(ROOT, 'bin/stackd.js')));
  const { stdout, stderr } = await exec('systemd-analyze', ['verify', ...files.map((f) => join(dir, f))]);
  expect(stderr).toBe('');
  expect(stdout).toBe('');
});

test.each(['stackd-manager.service', 'stackd-agent.service'])(
  '%s: restarts on failure, stops with SIGTERM after the shutdown grace, flags from its EnvironmentFile',
  async (name) => {
    const u = unit(name);
    expect(one(u, 'Service', 'Restart')).toBe('on-failure');
    expect(one(u, 'Service', 'KillSignal')).toBe('SIGTERM');
    expect(Number(one(u, 'Service', 'TimeoutStopSec')!.replace(/s$/, ''))).toBeGreaterThan(SHUTDOWN_GRACE_MS / 1000);
    expect(one(u, 'Install', 'WantedBy')).toBe('multi-user.target');

    const mode = name === 'stackd-manager.service' ? 'manager' : 'agent';
    const envFile = one(u, 'Service', 'EnvironmentFile')!;
    expect(envFile).toBe(`/etc/stackd/${mode}.env`);
    const env = parseEnvFile(readFileSync(join(DIR, basename(envFile)), 'utf8'));
    const argv = execArgv(name, env);
    expect(argv.slice(0, 2)).toEqual([BIN, mode]);
    const opts = await stackdParse(argv, mode);
    expect(opts.metricsListen).toMatch(/^127\.0\.0\.1:\d+$/);
    if (mode === 'manager') expect(opts.gitopsCacheDir).toBe('/var/lib/stackd-manager/gitops'); // %S/<StateDirectory>
    if (mode === 'agent') expect(opts.nodeName).toBe('node1');
    expect(env.STACKD_STORE).toMatch(/^etcds:\/\//);
  },
);

test("the manager's certificates and keys are systemd credentials, named as the Environment= files use them", () => {
  const u = unit('stackd-manager.service');
  const creds = new Map(u.Service.LoadCredential.map((c) => c.split(':') as [string, string]));
  const vars = Object.fromEntries(u.Service.Environment.flatMap((e) => e.split(/\s+/)).map((kv) => kv.split('=') as [string, string]));
  for (const v of ['STACKD_STORE_CACERT', 'STACKD_STORE_CERT', 'STACKD_STORE_KEY', 'STACKD_ENCRYPTION_KEY_FILE']) {
    expect(vars[v]).toMatch(/^%d\//);
    expect(creds.has(vars[v].slice(3))).toBe(true);
  }
  expect(one(u, 'Service', 'DynamicUser')).toBe('yes');
  expect(one(u, 'Service', 'StateDirectory')).toBe('stackd-manager');
});

test("the agent's secrets live on the host's tmpfs mount, writable in its sandbox; the engine's socket stays reachable", () => {
  const agent = unit('stackd-agent.service');
  const mount = unit('run-stackd-secrets.mount');
  const secretsDir = one(agent, 'Service', 'Environment')!.replace(/^STACKD_SECRETS_DIR=/, '');
  expect(one(mount, 'Mount', 'Where')).toBe(secretsDir);
  expect(one(mount, 'Mount', 'Type')).toBe('tmpfs');
  // a mount unit's name is its path, escaped
  expect(secretsDir.slice(1).replaceAll('/', '-')).toBe('run-stackd-secrets');
  expect(agent.Unit.Requires).toContain('run-stackd-secrets.mount');
  expect(agent.Unit.After).toEqual(expect.arrayContaining([expect.stringContaining('run-stackd-secrets.mount')]));
  expect(one(agent, 'Service', 'ProtectSystem')).toBe('strict');
  expect(agent.Service.ReadWritePaths.some((p) => secretsDir.startsWith(p))).toBe(true);
  expect(one(agent, 'Service', 'RestrictAddressFamilies')).toContain('AF_UNIX');
  expect(agent.Service.PrivateNetwork ?? []).toEqual([]);
  expect(agent.Service.InaccessiblePaths ?? []).toEqual([]);
});

test('systemd-analyze security rates the manager OK (it needs only the network and its credentials)', async () => {
  const { stdout, stderr } = await exec('systemd-analyze', ['security', '--offline=true', '--no-pager', join(DIR, 'stackd-manager.service')]).catch(
    (err: { stdout: string; stderr: string }) => err,
  );
  expect(`${stdout}${stderr}`).toMatch(/Overall exposure level for stackd-manager\.service: \d+\.\d OK/);
});
