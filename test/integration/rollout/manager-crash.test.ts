// The manager killed (SIGKILL) in the middle of a rollout: the agent keeps running on its own, a
// new manager on the same embedded store carries the rollout on from the Store, and no slot is
// replaced twice.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Task } from '../../../src/api/objects.js';
import { openStore } from '../../../src/store/open.js';
import type { Store } from '../../../src/store/store.js';
import { ROOT } from '../../helpers/cli.js';
import { eventually, SingleNode } from '../../helpers/stackd.js';
import { appStack, running, runningImages, serviceOf, tagImages, tasksOf, V1, V2 } from './helpers.js';

/** SingleNode's store, CLI and cleanup, with the manager and the agent as separate processes. */
const node = new SingleNode('rollmk');
const daemons: ChildProcess[] = [];
const logFile = join(node.dir, 'daemons.log');
let store: Store;

function spawnDaemon(args: string[]): ChildProcess {
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'stackd.js'), ...args, '--store', node.storeUrl], { cwd: ROOT, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  daemons.push(child);
  return child;
}

const startManager = () => spawnDaemon(['manager']);

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

beforeAll(async () => {
  await tagImages();
  store = await openStore(node.storeUrl);
  spawnDaemon(['agent', '--node-name', node.nodeName]);
  startManager();
  await eventually(() => readFileSync(logFile, 'utf8').includes(`node ${node.nodeName} registered`));
});
afterAll(async () => {
  // stackctl rm needs a manager and the agent to remove the containers; then both go
  const stacks = (await node.json<{ name: string }[]>(['ls']).catch(() => [])).map((s) => s.name);
  if (stacks.length > 0) await node.stackctl(['rm', ...stacks]);
  await eventually(
    async () => (await node.docker.listContainers({ all: true, filters: { label: [`io.stackd.node=${node.nodeName}`] } })).length === 0,
    20_000,
  ).catch(() => undefined);
  for (const d of daemons) await killed(d);
  await store?.close();
  await node.cleanup(); // whatever is left of the node on the engine
});

const tail = () => readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-60).join('\n');

/** How many tasks of `image` each slot has had (the current one and its history). */
function tasksPerSlot(tasks: Task[], image: string): Record<number, number> {
  const out: Record<number, number> = {};
  for (const t of tasks.filter((t) => t.spec.template.image === image)) out[t.spec.slot!] = (out[t.spec.slot!] ?? 0) + 1;
  return out;
}

it('a manager killed with SIGKILL mid-rollout: a new manager finishes it with exactly 3 tasks, no slot replaced twice', async () => {
  try {
    const stack = node.uniqueName('crash');
    const deploy = 'replicas: 3\nupdate_config: {parallelism: 1, delay: 2s, monitor: 1s}';
    expect((await node.deploy(stack, appStack(V1, deploy))).code).toBe(0);
    expect((await node.deploy(stack, appStack(V2, deploy), '--detach')).code).toBe(0);

    // one slot updated, two to go
    await eventually(async () => expect((await serviceOf(store, stack)).status?.update).toMatchObject({ state: 'updating', updated: 1 }), 30_000, 100);
    await killed(daemons[1]);
    const atCrash = await tasksOf(store, stack);
    expect(runningImages(atCrash)).toContain(V1);
    startManager();

    const status = await node.stackctl(['rollout', 'status', `${stack}_app`, '--timeout', '90s']);
    // the verdict's line, then the service's latest events
    expect({ code: status.code, verdict: status.stdout.split('\n')[0] }).toEqual({ code: 0, verdict: `${stack}_app: rollout complete` });
    const tasks = await tasksOf(store, stack);
    expect(running(tasks)).toHaveLength(3);
    expect(tasks.filter((t) => t.spec.desiredState === 'running')).toHaveLength(3);
    expect(runningImages(tasks)).toEqual([V2, V2, V2]);
    expect(tasksPerSlot(tasks, V2)).toEqual({ 1: 1, 2: 1, 3: 1 });
    expect(tasksPerSlot(tasks, V1)).toEqual({ 1: 1, 2: 1, 3: 1 });
    expect((await serviceOf(store, stack)).status?.update).toMatchObject({ state: 'completed', updated: 3, total: 3 });
    expect((await node.containers(stack, { running: true })).map((c) => c.Labels['io.stackd.task']).sort()).toEqual(
      running(tasks)
        .map((t) => t.metadata.name)
        .sort(),
    );
  } catch (err) {
    if (err instanceof Error) err.message = `${err.message}\n\n--- ${logFile} ---\n${tail()}`;
    throw err;
  }
}, 120_000);
