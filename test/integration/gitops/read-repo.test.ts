// Loading a checked-out commit: every stack or none, problems relative to the repository, nothing
// read from outside the checkout, no manager environment in the stacks, SOPS files decrypted.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadRepo } from '../../../src/gitops/read-repo.js';
import { tempDir } from '../../helpers/cli.js';

function repo(files: Record<string, string>): string {
  const root = tempDir('stackd-read-repo-');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const app = (extra = '') => `services:\n  app:\n    image: \${IMAGE:-stackd/busybox:latest}\n${extra}`;

describe('loadRepo', () => {
  test("loads every stack, reading each folder's .env and files, but not the manager's environment", async () => {
    process.env.IMAGE = 'from-the-manager-env';
    try {
      const root = repo({
        'stacks/web/stack.yml': app('    configs: [site]\nconfigs:\n  site:\n    file: ./site.conf\n'),
        'stacks/web/.env': 'IMAGE=web:1\n',
        'stacks/web/site.conf': 'listen 80\n',
        'stacks/jobs.yaml': app(),
      });
      const loaded = await loadRepo(root, 'stacks');
      if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
      expect(loaded.stacks.map((s) => [s.name, s.file, s.input.stack.services.app.image])).toEqual([
        ['jobs', 'stacks/jobs.yaml', 'stackd/busybox:latest'],
        ['web', 'stacks/web/stack.yml', 'web:1'],
      ]);
      expect(loaded.stacks[1].input.configData.site.toString()).toBe('listen 80\n');
      expect(loaded.stacks[0].digest).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      delete process.env.IMAGE;
    }
  });

  test('one invalid stack fails the whole commit, with file:line:col relative to the repository', async () => {
    const root = repo({ 'ok/stack.yml': app(), 'bad/stack.yml': app('    deploy:\n      replicas: many\n') });
    const loaded = await loadRepo(root, '.');
    expect(loaded).toEqual({ ok: false, problems: [expect.stringMatching(/^bad\/stack\.yml:5:17 services\.app\.deploy\.replicas: /)] });
  });

  test('a file outside the checkout cannot be read, through ../ or a symlink', async () => {
    const outside = tempDir('stackd-outside-');
    writeFileSync(join(outside, 'secret'), "the manager's own file\n");
    const root = repo({
      'up/stack.yml': app(`    secrets: [s]\nsecrets:\n  s:\n    file: ../../../../../../..${outside}/secret\n`),
      'link/stack.yml': app('    secrets: [s]\nsecrets:\n  s:\n    file: ./s\n'),
    });
    symlinkSync(join(outside, 'secret'), join(root, 'link/s'));
    const loaded = await loadRepo(root, '.');
    expect(loaded.ok).toBe(false);
    const problems = loaded.ok ? [] : loaded.problems;
    expect(problems).toHaveLength(2);
    expect(problems.every((p) => p.includes('does not exist or cannot be read'))).toBe(true);
  });

  test('a path that is not in the commit is a problem', async () => {
    expect(await loadRepo(repo({ 'x.yml': app() }), 'stacks')).toEqual({ ok: false, problems: ['stacks: no such folder at this commit'] });
  });

  test('encrypted files go through the decrypter; its errors name the file', async () => {
    const root = repo({ 'v/stack.yml': app('    secrets: [t]\nsecrets:\n  t:\n    file: ./t.txt\n'), 'v/t.txt': 'ENC' });
    const decrypt = async (content: Buffer, file: string) => {
      if (content.toString() !== 'ENC') return content;
      if (file !== 'v/t.txt') throw new Error('wrong name');
      return Buffer.from('plain');
    };
    const loaded = await loadRepo(root, '.', decrypt);
    expect(loaded.ok && loaded.stacks[0].input.secretData.t.toString()).toBe('plain');
    const failing = await loadRepo(root, '.', async (c) => (c.toString() === 'ENC' ? Promise.reject(new Error('no key')) : c));
    expect(failing).toEqual({ ok: false, problems: ['v/t.txt: cannot decrypt: no key'] });
  });
});
