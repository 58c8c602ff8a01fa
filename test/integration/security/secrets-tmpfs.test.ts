// A secret on the node: a file on the agent's tmpfs, bind-mounted read-only at its target
// (default /run/secrets/NAME); nothing of it in the container's writable layer (docker diff lists
// only the empty mount points; the layer's files hold no secret text); gone with the task.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stackctl, tempDir } from '../../helpers/cli.js';
import { docker, eventually, StackdProcess } from '../../helpers/stackd.js';

const NODE = 'ha82';
const ROOT = `/run/stackd/${NODE}/secrets`;

/** Every regular file's bytes under `dir`. */
function tree(dir: string): Buffer[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    const st = statSync(p);
    return st.isDirectory() ? tree(p) : st.isFile() ? [readFileSync(p)] : [];
  });
}

describe('secrets on a tmpfs, bind-mounted read-only', () => {
  const dir = tempDir('stackd-tmpfs-');
  const store = `sqlite://${join(dir, 'state.db')}`;
  const stack = `tmpfs${Date.now().toString(36)}`;
  const text = `tmpfs-secret-${randomBytes(6).toString('hex')}`;
  let daemon: StackdProcess;
  const cli = (args: string[]) => stackctl(['--store', store, ...args], { STACKD_STORE: undefined });

  beforeAll(async () => {
    daemon = await StackdProcess.start(store, NODE, join(dir, 'stackd.log'));
  }, 60_000);
  afterAll(async () => {
    await cli(['rm', stack]);
    await daemon?.stop();
  });

  it('mounts the secret read-only from the tmpfs, keeps it out of the writable layer, and removes it with the task', async () => {
    writeFileSync(join(dir, 'token.txt'), text);
    writeFileSync(
      join(dir, 'stack.yaml'),
      [
        'services:',
        '  app:',
        '    image: stackd/busybox:latest',
        '    command: ["sh", "-c", "trap exit TERM; while true; do sleep 1; done"]',
        '    secrets:',
        '      - token',
        '      - { source: token, target: /etc/app/token, uid: "1000", mode: 0400 }',
        'secrets:',
        '  token:',
        '    file: ./token.txt',
        '',
      ].join('\n'),
    );
    const deployed = await cli(['deploy', '--detach', '-c', join(dir, 'stack.yaml'), stack]);
    expect(deployed.code).toBe(0);
    const id = await eventually(async () => {
      const out = (await docker('ps', '-q', '--filter', `label=io.stackd.stack=${stack}`)).trim();
      return out !== '' && out;
    }, 60_000);

    expect(await docker('exec', id, 'cat', '/run/secrets/token')).toBe(text);
    expect(await docker('exec', id, 'stat', '-c', '%u %a', '/etc/app/token')).toBe('1000 400\n');
    await expect(docker('exec', id, 'sh', '-c', 'echo x > /run/secrets/token')).rejects.toThrow(/Read-only file system/);

    const [info] = JSON.parse(await docker('inspect', id)) as [
      { Mounts: { Source: string; Destination: string; RW: boolean }[]; GraphDriver: { Data: { UpperDir: string } } },
    ];
    const mounts = info.Mounts.filter((m) => m.Destination === '/run/secrets/token' || m.Destination === '/etc/app/token');
    expect(mounts).toHaveLength(2);
    for (const m of mounts) {
      expect(m.RW).toBe(false);
      expect(m.Source.startsWith(`${ROOT}/`)).toBe(true);
    }
    // the files' directory is on the agent's tmpfs (below ROOT, one per cluster), whatever /run is
    const filesDir = dirname(mounts[0].Source);
    expect((await docker('run', '--rm', '-v', `${filesDir}:/s:ro`, 'stackd/busybox:latest', 'stat', '-f', '-c', '%T', '/s')).trim()).toBe('tmpfs');

    // the writable layer: only the (empty) mount points, no secret text anywhere in it
    const diff = (await docker('diff', id)).trim().split('\n');
    expect(diff.filter((l) => !/^[AC] \/(etc|run|run\/secrets|run\/secrets\/token|etc\/app|etc\/app\/token)$/.test(l))).toEqual([]);
    expect(tree(info.GraphDriver.Data.UpperDir).some((b) => b.includes(text))).toBe(false);

    const taskDir = mounts[0].Source.split('/').slice(0, -1).join('/');
    expect(existsSync(taskDir)).toBe(true);
    expect((await cli(['rm', stack])).code).toBe(0);
    await eventually(() => !existsSync(taskDir), 60_000);
    expect((await docker('ps', '-aq', '--filter', `label=io.stackd.stack=${stack}`)).trim()).toBe('');
  }, 150_000);
});
