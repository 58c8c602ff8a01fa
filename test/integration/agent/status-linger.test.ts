// The agent's status writer holds a report of a state a task passes through (preparing, ready,
// starting) for a moment, so that a task that starts at once is written once; any other report is
// written at once, and another task's held report keeps waiting for its own next one. Against the real embedded store: the number of
// its transactions is its revision.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { objectKey } from '../../../src/api/keys.js';
import type { Task, TaskState, TaskStatus } from '../../../src/api/objects.js';
import { StatusWriter } from '../../../src/agent/status-writer.js';
import { decodeObject, encodeObject } from '../../../src/client/codec.js';
import { openEmbeddedStore } from '../../../src/store/embedded.js';
import type { Store } from '../../../src/store/store.js';
import { agentTask } from '../../unit/agent/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'stackd-status-linger-'));
let store: Store;

beforeAll(async () => {
  store = await openEmbeddedStore(join(dir, 'state.db'));
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const status = (state: TaskState): TaskStatus => ({ state, message: state, timestamp: new Date().toISOString() });
const tick = () => new Promise((r) => setTimeout(r, 20));

/** a new assigned task in the store; the revision after its creation */
async function assigned(name: string): Promise<{ task: Task; revision: number }> {
  const task = { ...agentTask('running', { name }), status: status('assigned') };
  const res = await store.txn([{ op: 'create', key: objectKey('Task', 's', name), value: encodeObject(task) }]);
  return { task, revision: res.revision };
}

async function stored(name: string): Promise<{ state?: TaskState; revision: number }> {
  const { items, revision } = await store.list(objectKey('Task', 's', name));
  return { state: decodeObject<Task>(items[0]).status?.state, revision };
}

test('a task that runs at once is written once: running, with the passing states before it held and dropped', async () => {
  const writer = new StatusWriter(store, undefined, 60_000);
  const { revision } = await assigned('quick');
  const written: Promise<boolean>[] = [];
  for (const state of ['preparing', 'ready', 'starting'] as const) {
    written.push(writer.report('s', 'quick', status(state)));
    await tick(); // each in its own turn, as a create and a start are
  }
  expect(await stored('quick')).toEqual({ state: 'assigned', revision }); // held: nothing written yet
  written.push(writer.report('s', 'quick', status('running')));
  expect(await Promise.all(written)).toEqual([true, true, true, true]);
  expect(await stored('quick')).toEqual({ state: 'running', revision: revision + 1 });
});

test('a passing state a task stays in is written once the linger is over', async () => {
  const writer = new StatusWriter(store, undefined, 50);
  const { revision } = await assigned('slow');
  expect(await writer.report('s', 'slow', status('preparing'))).toBe(true); // an image pull, say
  expect(await stored('slow')).toEqual({ state: 'preparing', revision: revision + 1 });
});

test("an ending is written at once; another task's passing state keeps waiting for its own next report", async () => {
  const writer = new StatusWriter(store, undefined, 60_000);
  const a = await assigned('held');
  const b = await assigned('ends');
  const held = writer.report('s', 'held', status('starting'));
  await tick();
  expect(await writer.report('s', 'ends', status('failed'))).toBe(true);
  expect(await stored('ends')).toEqual({ state: 'failed', revision: b.revision + 1 });
  expect(await stored('held')).toEqual({ state: 'assigned', revision: b.revision + 1 }); // still waiting
  // its running report comes within the linger: the task is written once
  expect(await writer.report('s', 'held', status('running'))).toBe(true);
  expect(await held).toBe(true);
  expect(await stored('held')).toEqual({ state: 'running', revision: a.revision + 3 }); // the create of "ends", its failure, then this
});
