// Files a stack file names that must not be read: devices, FIFOs, directories, huge files. Each is
// refused with a position (exit 2 from the CLI, nothing in the Store), without waiting on the file.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StackFileError, loadStack } from '../../../src/stackfile/index.js';
import { stackctl, tempDir } from '../../helpers/cli.js';

function project(files: Record<string, string>): string {
  const dir = tempDir('stackd-hostile-');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

async function problemsOf(file: string): Promise<string[]> {
  const err = await loadStack({ files: [file], env: {} }).catch((e: unknown) => e);
  if (!(err instanceof StackFileError)) throw new Error(`expected a StackFileError, got ${String(err)}`);
  return err.message.split('\n');
}

const stack = (ref: string) => ['services:', '  web:', '    image: nginx', '    secrets: [s]', 'secrets:', `  s: {file: ${ref}}`, ''].join('\n');

describe('file references that are not regular files, or too large', () => {
  it('refuses /dev/zero (through a symlink too)', async () => {
    const dir = project({ 'stack.yaml': stack('/dev/zero') });
    expect(await problemsOf(join(dir, 'stack.yaml'))).toEqual([`${dir}/stack.yaml:6:13 secrets.s.file: /dev/zero: not a regular file (a device)`]);
    const dir2 = project({ 'stack.yaml': stack('./zero') });
    symlinkSync('/dev/zero', join(dir2, 'zero'));
    expect(await problemsOf(join(dir2, 'stack.yaml'))).toEqual([`${dir2}/stack.yaml:6:13 secrets.s.file: ${dir2}/zero: not a regular file (a device)`]);
  });

  it('refuses a FIFO without waiting for a writer', async () => {
    const dir = project({ 'stack.yaml': stack('./fifo') });
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    expect(await problemsOf(join(dir, 'stack.yaml'))).toEqual([`${dir}/stack.yaml:6:13 secrets.s.file: ${dir}/fifo: not a regular file (a FIFO)`]);
  });

  it('refuses a directory', async () => {
    const dir = project({ 'stack.yaml': stack('./conf') });
    mkdirSync(join(dir, 'conf'));
    expect(await problemsOf(join(dir, 'stack.yaml'))).toEqual([`${dir}/stack.yaml:6:13 secrets.s.file: ${dir}/conf: not a regular file (a directory)`]);
  });

  it('refuses a 600 MB secret, env_file, .env and stack file by their size, without reading them', async () => {
    const dir = project({
      'stack.yaml': ['services:', '  web:', '    image: nginx', '    env_file: big.env', '    secrets: [s]', 'secrets:', '  s: {file: ./big}', ''].join('\n'),
    });
    for (const f of ['big', 'big.env', '.env', 'big.yaml']) {
      writeFileSync(join(dir, f), '');
      truncateSync(join(dir, f), 600 * 1024 * 1024); // sparse: no disk used
    }
    expect(await problemsOf(join(dir, 'stack.yaml'))).toEqual([
      `${dir}/stack.yaml:4:15 services.web.env_file[0]: ${dir}/big.env: 629145600 bytes, more than the 1 MB allowed`,
      `${dir}/stack.yaml:7:13 secrets.s.file: ${dir}/big: 629145600 bytes, more than the 500 KB allowed`,
      `${dir}/.env:1:1 629145600 bytes, more than the 1 MB allowed`,
    ]);
    expect(await problemsOf(join(dir, 'big.yaml'))).toEqual([
      `${dir}/big.yaml:1:1 629145600 bytes, more than the 2 MB allowed`,
      `${dir}/.env:1:1 629145600 bytes, more than the 1 MB allowed`,
    ]);
  });

  it('stackctl deploy: exit 2, one line with file:line:col, and nothing in the Store', async () => {
    const dir = project({ 'stack.yaml': stack('/dev/zero') });
    const store = `sqlite://${join(dir, 'state.db')}`;
    const r = await stackctl(['--store', store, 'deploy', '--detach', '-c', join(dir, 'stack.yaml'), 'hostile']);
    expect(r.stderr).toBe(`${dir}/stack.yaml:6:13 secrets.s.file: /dev/zero: not a regular file (a device)\n`);
    expect(r.code).toBe(2);
    const ls = await stackctl(['--store', store, 'ls']);
    expect(ls.code).toBe(0);
    expect(ls.stdout).not.toContain('hostile');
  });
});
