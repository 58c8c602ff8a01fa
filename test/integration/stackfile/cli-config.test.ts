// `stackctl config` as users run it: the built bin/stackctl.js (run `npm run build` first; hack/test.sh does).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadStack, toStackFile } from '../../../src/stackfile/index.js';
import { EXAMPLE } from '../../helpers/cli.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const fixtures = path.join(root, 'test/fixtures/stackfile');
const accounts = EXAMPLE;
const corpus = path.join(root, 'test/fixtures/compose-corpus');

function stackctl(...args: string[]) {
  // the variables the example uses come from its .env only
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(ACCOUNT_|MYSQL_|STACKD_TEST_UNSET)/.test(k)));
  const r = spawnSync(process.execPath, [path.join(root, 'bin/stackctl.js'), ...args], { cwd: root, env, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('stackctl config', () => {
  beforeAll(() => {
    if (!existsSync(path.join(root, 'dist/cli/stackctl.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  });

  it('prints the normalized accounts stack as YAML, exit 0', async () => {
    const files = [`${accounts}/stack.yaml`, `${accounts}/docker-compose.yml`];
    const r = stackctl('config', '-c', ...files);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const expected = await loadStack({ files, env: {} });
    expect(parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(toStackFile(expected.stack))));
    // keys in a stable order, like docker compose config
    expect(r.stdout.split('\n').filter((l) => /^\S/.test(l))).toEqual(['name: accounts', 'services:', 'networks:', 'volumes:', 'configs:', 'secrets:']);
    expect(r.stdout).toContain('image: stackd/accounts-web:dev');
  });

  it('prints valid input: config of its own output prints the same (accounts, and the full fixture with $$)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stackd-config-'));
    const cases = [
      [`${accounts}/stack.yaml`, `${accounts}/docker-compose.yml`],
      [`${fixtures}/full/stack.yaml`, `${fixtures}/full/override.yaml`],
    ];
    for (const [i, files] of cases.entries()) {
      const first = stackctl('config', ...files.flatMap((f) => ['-c', f]));
      expect(first.code).toBe(0);
      const again = path.join(dir, `again-${i}.yaml`);
      writeFileSync(again, first.stdout);
      const second = stackctl('config', '-c', again);
      expect(second.stderr).toBe('');
      expect(second.stdout).toBe(first.stdout);
    }
    expect(readFileSync(path.join(dir, 'again-1.yaml'), 'utf8')).toContain('GREETING: hello $$USER');
  });

  it('--format json and -f, as in docker compose', () => {
    const r = stackctl('config', '-f', `${accounts}/stack.yaml`, '--format', 'json');
    expect(r.code).toBe(0);
    const stack = JSON.parse(r.stdout);
    expect(stack.services.api.secrets[0]).toEqual({
      source: 'secret_config',
      target: '/config/secret.yaml',
      uid: '0',
      gid: '0',
      mode: 288,
    });
  });

  it('prints each problem as file:line:col on stderr and exits 2', () => {
    const file = path.join(fixtures, 'invalid.yaml');
    const r = stackctl('config', '-c', file);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `${file}:5:17 services.api.deploy.replicas: expected an integer, got "three"`,
      `${file}:6:3 services.web: a service needs an image or a build`,
      `${file}:7:5 services.web.imgae: unknown key, did you mean "image"?`,
      `${file}:8:5 services.web.volumes_from: not supported by stackd: share a named volume between the services instead`,
    ]);
  });

  it('prints warnings on stderr and the stack on stdout', () => {
    const file = path.join(fixtures, 'warn/stack.yaml');
    const r = stackctl('config', '-c', file);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`warning: ${file}:3:12 services.web.image: variable "STACKD_TEST_UNSET_IMAGE" is not set, using ""\n`);
    expect(parse(r.stdout).services.web.image).toBe('');
  });

  it.each(readdirSync(corpus))('accepts the Compose corpus file %s, and what it prints loads again', (dir) => {
    const file = path.join(corpus, dir, readdirSync(path.join(corpus, dir)).find((f) => /compose\.ya?ml$/.test(f)) as string);
    const r = stackctl('config', '-c', file);
    expect(r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('warning: '))).toEqual([]);
    expect(r.code).toBe(0);
    // printed in the file's folder, so relative paths and the .env resolve as in the original
    const again = path.join(corpus, dir, '.printed.yaml');
    writeFileSync(again, r.stdout);
    try {
      expect(stackctl('config', '-c', again).stdout).toBe(r.stdout);
    } finally {
      rmSync(again);
    }
  });

  it('rejects an unknown --format with exit 2', () => {
    const r = stackctl('config', '-c', `${accounts}/stack.yaml`, '--format', 'toml');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: option '-o, --format <format>' argument 'toml' is invalid. Allowed choices are yaml, json.\n(run with --help for usage)\n");
  });
});
