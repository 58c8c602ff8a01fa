// SIGTERM while the store hangs (etcd SIGSTOPped) and a task status waits to be reported: every
// daemon mode exits within its shutdown grace, and the containers it ran keep running.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { ROOT, stackctl, tempDir } from '../../helpers/cli.js';
import { eventually, idleCommand } from '../../helpers/stackd.js';
import { EtcdProcess } from '../store/etcd-process.js';

const docker = new Dockerode();
const run = `${process.pid.toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`;
const dir = tempDir('stackd-grace-');

function spawnStackd(args: string[], log: string): ChildProcess {
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'stackd.js'), ...args], { cwd: ROOT, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  return child;
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => child.once('exit', () => r()));

/** Resolves 'exited', or 'still running' if the process outlives `ms` (then it is killed). */
async function sigterm(child: ChildProcess, ms: number): Promise<'exited' | 'still running'> {
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still running'>((r) => (timer = setTimeout(() => r('still running'), ms)));
  const outcome = await Promise.race([exited(child).then(() => 'exited' as const), late]);
  clearTimeout(timer);
  if (outcome !== 'exited') child.kill('SIGKILL');
  return outcome;
}

const running = async (stack: string) => docker.listContainers({ filters: { label: [`io.stackd.stack=${stack}`], status: ['running'] } });

describe.each([
  ['stackd manager + stackd agent', 'split', 50],
  ['stackd (all-in-one)', 'single', 51],
] as const)('%s, SIGTERM with etcd paused', (_title, mode, index) => {
  const node = `fs${index}-grace-${run}`;
  const stack = `grace${index}${run}`;
  let etcd: EtcdProcess;
  const daemons: ChildProcess[] = [];
  const log = join(dir, `${mode}.log`);

  beforeAll(async () => {
    etcd = await EtcdProcess.start();
    const store = `etcd://${etcd.endpoint}`;
    if (mode === 'split') {
      daemons.push(spawnStackd(['manager', '--store', store], log));
      daemons.push(spawnStackd(['agent', '--store', store, '--node-name', node], log));
    } else {
      daemons.push(spawnStackd(['--store', store, '--node-name', node], log));
    }
    await eventually(() => readFileSync(log, 'utf8').includes(`node ${node} registered`), 60_000);
    const file = join(dir, `${stack}.yml`);
    writeFileSync(file, `services:\n  idle:\n    image: stackd/busybox:latest\n    command: ${idleCommand()}\n    deploy:\n      replicas: 2\n`);
    const res = await stackctl(['--store', store, 'deploy', '-d', '-c', file, stack]);
    expect(res.stderr).toBe('');
    await eventually(async () => (await running(stack)).length === 2, 60_000);
  }, 120_000);

  afterAll(async () => {
    for (const d of daemons) if (d.exitCode === null && d.signalCode === null) d.kill('SIGKILL');
    await etcd?.stop();
    const all = await docker.listContainers({ all: true, filters: { label: [`io.stackd.stack=${stack}`] } });
    await Promise.all(all.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true })));
    // the daemons exited leaving everything in place: the stack's networks go too (the engine has ~30 address pools)
    const networks = await docker.listNetworks({ filters: { label: [`io.stackd.stack=${stack}`] } });
    await Promise.all(networks.map((n) => docker.getNetwork(n.Id).remove()));
  });

  test('exits within the grace, leaving the containers running', async () => {
    const [victim, survivor] = await running(stack);
    etcd.freeze();
    // a container dies while the store hangs: its status is a report the agent cannot deliver
    await docker.getContainer(victim.Id).kill();
    await eventually(async () => !(await docker.getContainer(victim.Id).inspect()).State.Running);
    // the agent saw the death and is trying to report it
    await new Promise((r) => setTimeout(r, 1000));
    // 10 s grace, and the rest of the machine shares two cores: 20 s before we call it hung
    const outcomes = await Promise.all(daemons.map((d) => sigterm(d, 20_000)));
    expect(outcomes).toEqual(daemons.map(() => 'exited'));
    expect(daemons.map((d) => d.exitCode)).toEqual(daemons.map(() => 0));
    expect((await docker.getContainer(survivor.Id).inspect()).State.Running).toBe(true);
    etcd.thaw();
  }, 60_000);
});
