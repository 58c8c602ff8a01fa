// Docker unreachable: the agent neither crashes nor pretends. Its node goes Down with the engine's
// error in `node ls`, and comes back Ready when the engine answers again. A node engine of its own
// (hack/lib/nodes.sh) is stopped and started under a running stackd.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, stackctl, tempDir } from '../../helpers/cli.js';

const NODE = 'outage1';
const INDEX = '71';
const nodes = (cmd: string) => execFileSync('bash', ['-c', `source hack/lib/nodes.sh && ${cmd}`], { cwd: ROOT, stdio: 'pipe' }).toString();

async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('an agent whose Docker Engine goes away', () => {
  const dir = tempDir('stackd-outage-');
  const store = `sqlite://${join(dir, 'state.db')}`;
  let stackd: ChildProcess;

  const nodeStatus = async () => {
    const res = await stackctl(['--store', store, 'node', 'ls', '--format', 'json']);
    return (JSON.parse(res.stdout) as { name: string; status: string }[]).find((n) => n.name === NODE)?.status;
  };

  beforeAll(async () => {
    nodes(`start_node ${NODE} ${INDEX}`);
    const log = openSync(join(dir, 'stackd.log'), 'a');
    stackd = spawn(process.execPath, [join(ROOT, 'bin/stackd.js'), '--store', store, '--node-name', NODE, '--docker', `unix:///run/stackd-${NODE}.sock`], {
      stdio: ['ignore', log, log],
    });
    await eventually(async () => ((await nodeStatus()) === 'Ready' ? true : undefined));
  });

  afterAll(() => {
    stackd?.kill('SIGTERM');
    nodes(`stop_node ${NODE}; wipe_node ${NODE}`);
  });

  it('marks the node Down naming the engine, keeps running, and is Ready again when it returns', async () => {
    nodes(`kill "$(cat /run/stackd-${NODE}/docker.pid)"`);
    const down = await eventually(async () => {
      const s = await nodeStatus();
      return s?.startsWith('Down') ? s : undefined;
    });
    expect(down).toMatch(new RegExp(`^Down \\(Docker Engine unreachable at unix:///run/stackd-${NODE}\\.sock: `));
    expect(stackd.exitCode).toBeNull(); // still running

    nodes(`stop_node ${NODE}; start_node ${NODE} ${INDEX}`);
    await eventually(async () => ((await nodeStatus()) === 'Ready' ? true : undefined));
    expect(stackd.exitCode).toBeNull();
  });
});
