// Commands in a running container through the Engine API: output, exit codes, stdin, with and
// without a TTY.
import { PassThrough, Writable } from 'node:stream';
import { DockerError } from '../../../src/runtime/docker-errors.js';
import { type ExecOptions, execInContainer } from '../../../src/runtime/docker-exec.js';
import { DockerRuntime } from '../../../src/runtime/docker.js';
import { uniqueStack } from './helpers.js';

const rt = DockerRuntime.connect();
const name = uniqueStack('exec');
let id: string;

beforeAll(async () => {
  const c = await rt.docker.createContainer({ name, Image: 'stackd/busybox:latest', Cmd: ['sleep', '600'], HostConfig: { Init: true } });
  id = c.id;
  await c.start();
});

afterAll(() => rt.remove(name));

/** Runs cmd; what it wrote to stdout and stderr, and its exit code. */
async function exec(cmd: string[], opts: Partial<ExecOptions> & { input?: string } = {}) {
  const text = { stdout: '', stderr: '' };
  const sink = (key: 'stdout' | 'stderr') => {
    const s = new PassThrough();
    s.on('data', (d: Buffer) => (text[key] += d.toString()));
    return s;
  };
  const stdin = opts.input === undefined ? undefined : new PassThrough().end(opts.input);
  const code = await execInContainer(rt, id, cmd, { tty: false, interactive: stdin !== undefined, stdin, stdout: sink('stdout'), stderr: sink('stderr'), ...opts });
  return { code, ...text };
}

describe('execInContainer', () => {
  it('without a TTY: stdout and stderr apart, the exit code', async () => {
    expect(await exec(['sh', '-c', 'echo out; echo err >&2; exit 3'])).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
    expect(await exec(['true'])).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('with a TTY: one terminal stream, the exit code', async () => {
    const r = await exec(['sh', '-c', 'tty; echo err >&2; exit 5'], { tty: true });
    expect(r.code).toBe(5);
    expect(r.stdout).toMatch(/^\/dev\/pts\/\d+\r\nerr\r\n$/);
    expect(r.stderr).toBe('');
  });

  it('interactive: stdin reaches the command, and its end is the end of input', async () => {
    expect(await exec(['sh', '-c', 'cat; echo done >&2'], { input: 'hello\nworld\n' })).toEqual({ code: 0, stdout: 'hello\nworld\n', stderr: 'done\n' });
    const tty = await exec(['sh', '-c', 'read line; echo "got $line"'], { tty: true, input: 'typed\n' });
    expect(tty.code).toBe(0);
    expect(tty.stdout).toContain('got typed\r\n');
  });

  it('a large output through a slow writer arrives whole', async () => {
    let received = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, done) {
        received += chunk.length;
        setImmediate(done);
      },
    });
    const code = await execInContainer(rt, id, ['sh', '-c', 'head -c 3000000 /dev/zero'], {
      tty: false,
      interactive: false,
      stdout: slow,
      stderr: new PassThrough(),
    });
    expect(code).toBe(0);
    await new Promise<void>((resolve) => slow.end(resolve));
    expect(received).toBe(3_000_000);
  });

  it('user, working directory and environment', async () => {
    const r = await exec(['sh', '-c', 'id -u; pwd; echo "$FOO"'], { user: '1000', workdir: '/tmp', env: ['FOO=bar baz'] });
    expect(r).toEqual({ code: 0, stdout: '1000\n/tmp\nbar baz\n', stderr: '' });
  });

  it('with a TTY, follows the terminal size until the command ends', async () => {
    const subscribed: string[] = [];
    const r = await exec(['true'], {
      tty: true,
      size: { columns: 100, rows: 30 },
      onResize: () => {
        subscribed.push('on');
        return () => subscribed.push('off');
      },
    });
    expect(r.code).toBe(0);
    expect(subscribed).toEqual(['on', 'off']);
  });

  it('a command that cannot start, a missing container: the exit code and the engine error', async () => {
    expect((await exec(['no-such-command'])).code).toBe(126);
    const gone = `${name}-gone`;
    await expect(execInContainer(rt, gone, ['true'], { tty: false, interactive: false, stdout: new PassThrough(), stderr: new PassThrough() })).rejects.toThrow(
      new DockerError(`exec in ${gone}: No such container: ${gone}`),
    );
  });
});
