// GitOps against a real git repository (file://), a real stackd (embedded store) and the real
// Docker Engine: every sync is asked for with `stackctl gitops sync` (the interval is an hour).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GitSource, Service, Stack } from '../../../src/api/objects.js';
import { getObject } from '../../../src/client/objects.js';
import { listEvents } from '../../../src/events/read.js';
import { openStore } from '../../../src/store/open.js';
import { tempDir } from '../../helpers/cli.js';
import { initBare, WorkingCopy } from '../../helpers/git-server.js';
import { eventually, idleCommand, SingleNode } from '../../helpers/stackd.js';

const node = new SingleNode('gitops');
const bare = join(tempDir('stackd-gitops-repo-'), 'stacks.git');
const repoUrl = `file://${bare}`;
let work: WorkingCopy;

const stackFile = (image: string, extra = '') => `services:
  app:
    image: ${image}
    init: true
    command: ${idleCommand()}
${extra}`;

async function status(name = 'src'): Promise<GitSource> {
  const res = await node.stackctl(['gitops', 'status', name, '--format', 'json']);
  if (res.code !== 0) throw new Error(res.stderr);
  return JSON.parse(res.stdout) as GitSource;
}

const result = (src: GitSource, stack: string) => src.status?.stacks?.find((s) => s.stack === stack)?.result;
const ready = (src: GitSource) => src.status?.conditions?.find((c) => c.type === 'Ready');

/** Every key the sync could touch, with its modRevision (nodes, gitsources and the events recording them aside). */
async function snapshot(): Promise<Map<string, number>> {
  const store = await openStore(node.storeUrl);
  try {
    const { items } = await store.list('/stackd/');
    return new Map(items.filter((kv) => !/^\/stackd\/(nodes|gitsources|heartbeats|events)\//.test(kv.key)).map((kv) => [kv.key, kv.modRevision]));
  } finally {
    await store.close();
  }
}

/** The messages of the SyncHeldBack events recorded so far. */
async function heldBack(): Promise<string[]> {
  const store = await openStore(node.storeUrl);
  try {
    return (await listEvents(store, {})).events.filter((e) => e.reason === 'SyncHeldBack').map((e) => e.message);
  } finally {
    await store.close();
  }
}

async function stored<T extends Stack | Service>(kind: 'Stack' | 'Service', ns: string, name: string): Promise<T | undefined> {
  const store = await openStore(node.storeUrl);
  try {
    return await getObject<T>(store, kind, ns, name);
  } finally {
    await store.close();
  }
}

async function runningImages(stack: string): Promise<string[]> {
  const list = await node.containers(stack, { running: true });
  return list.map((c) => c.Image).sort();
}

beforeAll(async () => {
  mkdirSync(bare);
  await initBare(bare);
  work = await WorkingCopy.clone(repoUrl);
  await node.start();
});

afterAll(async () => {
  await node.stackctl(['gitops', 'rm', 'src', '--prune']);
  await node.stackctl(['gitops', 'rm', 'poll', '--prune']);
  await node.stackctl(['rm', 'handmade']);
  await node.cleanup();
});

describe('gitops sync (file://)', () => {
  test(
    'bad flags are one line, exit 2, nothing written',
    node.logged(async () => {
      const bad = await node.stackctl(['gitops', 'add', 'bad', '--repo', 'https://user:secret@example.invalid/x.git']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('must not hold a password');
      const ext = await node.stackctl(['gitops', 'add', 'bad', '--repo', 'ext::sh -c touch% /tmp/pwned']);
      expect(ext.code).toBe(2);
      const interval = await node.stackctl(['gitops', 'add', 'bad', '--repo', repoUrl, '--interval', '10']);
      expect(interval.code).toBe(2);
      expect(interval.stderr.trim().split('\n')).toHaveLength(1);
      const ls = await node.stackctl(['gitops', 'ls', '--format', 'json']);
      expect(JSON.parse(ls.stdout)).toEqual([]);
    }),
  );

  test(
    'a first commit deploys its stacks (a folder and a file directly under the path)',
    node.logged(async () => {
      const sha = await work
        .write('stacks/web/stack.yml', stackFile('stackd/busybox:latest'))
        .write('stacks/api.yml', stackFile('stackd/busybox:latest'))
        .commitAndPush('first');
      const add = await node.stackctl(['gitops', 'add', 'src', '--repo', repoUrl, '--path', 'stacks', '--interval', '1h']);
      expect(add.code).toBe(0);
      const sync = await node.stackctl(['gitops', 'sync', 'src', '--timeout', '90s']);
      expect(sync.stderr).toBe('');
      expect(sync.code).toBe(0);
      const src = await status();
      expect(src.status?.lastAppliedRevision).toBe(`main@${sha}`);
      expect(ready(src)?.status).toBe('True');
      expect(src.status?.inventory).toEqual(['api', 'web']);
      expect(result(src, 'web')).toBe('rolled out');
      expect(src.status?.stacks?.find((s) => s.stack === 'api')?.file).toBe('stacks/api.yml');
      expect(await runningImages('web')).toEqual(['stackd/busybox:latest']);
      expect(await runningImages('api')).toEqual(['stackd/busybox:latest']);
      expect((await stored<Stack>('Stack', '', 'web'))?.metadata.labels['stackd.io/gitsource']).toBe('src');
    }),
  );

  test(
    'a sync of an unchanged commit writes nothing to the Store',
    node.logged(async () => {
      const before = await snapshot();
      const statusBefore = (await status()).status;
      expect((await node.stackctl(['gitops', 'sync', 'src'])).code).toBe(0);
      expect(await snapshot()).toEqual(before);
      const after = (await status()).status;
      expect({ ...after, lastHandledRequestedAt: '' }).toEqual({ ...statusBefore, lastHandledRequestedAt: '' });
    }),
  );

  test(
    'a commit that changes an image rolls it out; the other stack is unchanged',
    node.logged(async () => {
      const apiService = await stored<Service>('Service', 'api', 'app');
      await work.write('stacks/web/stack.yml', stackFile('stackd/busybox:v2')).commitAndPush('web v2');
      const sync = await node.stackctl(['gitops', 'sync', 'src', '--timeout', '90s']);
      expect(sync.code).toBe(0);
      const src = await status();
      expect(result(src, 'web')).toBe('rolled out');
      expect(result(src, 'api')).toBe('unchanged');
      expect(await runningImages('web')).toEqual(['stackd/busybox:v2']);
      expect((await stored<Service>('Service', 'api', 'app'))?.metadata.resourceVersion).toBe(apiService?.metadata.resourceVersion);
    }),
  );

  test(
    'hand-made changes are reverted on the next sync and reported as drift',
    node.logged(async () => {
      expect((await node.stackctl(['service', 'scale', 'web_app=2'])).code).toBe(0);
      const write = await node.deploy('api', stackFile('stackd/busybox:rollout-v3'), '--detach');
      expect(write.code).toBe(0);
      const sync = await node.stackctl(['gitops', 'sync', 'src', '--timeout', '90s']);
      expect(sync.code).toBe(0);
      expect(sync.stdout).toMatch(/Drift corrected: +api, web/);
      const src = await status();
      expect(src.status?.driftCorrected).toEqual(['api', 'web']);
      expect((await stored<Service>('Service', 'web', 'app'))?.spec.template.deploy.replicas).toBe(1);
      expect((await stored<Service>('Service', 'api', 'app'))?.spec.template.image).toBe('stackd/busybox:latest');
      expect((await stored<Stack>('Stack', '', 'api'))?.metadata.labels['stackd.io/gitsource']).toBe('src');
      await eventually(async () => expect(await runningImages('api')).toEqual(['stackd/busybox:latest']), 60_000);
    }),
  );

  test(
    'an invalid commit applies nothing and names the file, line and column',
    node.logged(async () => {
      const before = await snapshot();
      const sha = await work
        .write('stacks/web/stack.yml', stackFile('stackd/busybox:v2', '    deploy:\n      replicas: lots\n'))
        .write('stacks/api.yml', stackFile('stackd/busybox:v2'))
        .commitAndPush('broken');
      const sync = await node.stackctl(['gitops', 'sync', 'src', '--timeout', '90s']);
      expect(sync.code).toBe(1);
      expect(sync.stderr).toContain('ValidationFailed');
      const src = await status();
      expect(src.status?.lastAttemptedRevision).toBe(`main@${sha}`);
      expect(src.status?.lastAppliedRevision).not.toBe(`main@${sha}`);
      expect(ready(src)?.message).toMatch(/stacks\/web\/stack\.yml:7:17 services\.app\.deploy\.replicas/);
      expect(src.status?.conditions?.find((c) => c.type === 'Stalled')?.status).toBe('True');
      expect(await snapshot()).toEqual(before);
      await eventually(async () => expect((await heldBack()).some((m) => m.includes('stacks/web/stack.yml:7:17'))).toBe(true), 30_000);
      await work.write('stacks/web/stack.yml', stackFile('stackd/busybox:v2')).write('stacks/api.yml', stackFile('stackd/busybox:latest')).commitAndPush('fixed');
      expect((await node.stackctl(['gitops', 'sync', 'src', '--timeout', '90s'])).code).toBe(0);
      expect((await status()).status?.conditions?.find((c) => c.type === 'Stalled')).toBeUndefined();
    }),
  );

  test(
    'a stack the source does not own is never touched',
    node.logged(async () => {
      expect((await node.deploy('handmade', stackFile('stackd/busybox:latest'), '--detach')).code).toBe(0);
      const mine = await stored<Stack>('Stack', '', 'handmade');
      await work.write('stacks/handmade/compose.yaml', stackFile('stackd/busybox:v2')).commitAndPush('claims handmade');
      const sync = await node.stackctl(['gitops', 'sync', 'src', '--timeout', '90s']);
      expect(sync.code).toBe(1);
      const src = await status();
      expect(ready(src)?.reason).toBe('StackConflict');
      expect(result(src, 'handmade')).toBe('conflict');
      expect(src.status?.inventory).not.toContain('handmade');
      expect((await stored<Stack>('Stack', '', 'handmade'))?.metadata.resourceVersion).toBe(mine?.metadata.resourceVersion);
      expect((await stored<Service>('Service', 'handmade', 'app'))?.spec.template.image).toBe('stackd/busybox:latest');
      await work.remove('stacks/handmade').commitAndPush('leave handmade alone');
    }),
  );

  test(
    'a stack deleted from git is kept without --prune and pruned with it',
    node.logged(async () => {
      await work.remove('stacks/api.yml').commitAndPush('drop api');
      expect((await node.stackctl(['gitops', 'sync', 'src', '--timeout', '90s'])).code).toBe(0);
      let src = await status();
      expect(result(src, 'api')).toBe('orphaned');
      expect(await stored<Stack>('Stack', '', 'api')).toBeDefined();
      // the same source again, with prune: the label tells which stacks are its own
      expect((await node.stackctl(['gitops', 'rm', 'src'])).code).toBe(0);
      expect((await node.stackctl(['gitops', 'add', 'src', '--repo', repoUrl, '--path', 'stacks', '--interval', '1h', '--prune'])).code).toBe(0);
      expect((await node.stackctl(['gitops', 'sync', 'src', '--timeout', '90s'])).code).toBe(0);
      src = await status();
      expect(result(src, 'api')).toBe('pruned');
      expect(src.status?.inventory).toEqual(['web']);
      expect(await stored<Stack>('Stack', '', 'api')).toBeUndefined();
      await eventually(async () => expect(await node.containers('api')).toEqual([]), 30_000);
    }),
  );

  test(
    'gitops rm --prune removes the stacks the source applied, and only those',
    node.logged(async () => {
      const rm = await node.stackctl(['gitops', 'rm', 'src', '--prune']);
      expect(rm.code).toBe(0);
      expect(rm.stdout).toContain('stack/web removed');
      expect(await stored<Stack>('Stack', '', 'web')).toBeUndefined();
      expect(await stored<Stack>('Stack', '', 'handmade')).toBeDefined();
      expect(readFileSync(node.stackd!.logFile, 'utf8')).toContain('gitsource src');
      // the fetched repository goes with the source
      await eventually(() => !existsSync(join(node.dir, 'gitops-cache', 'src')), 10_000);
    }),
  );

  test(
    'polling applies new commits at the interval; a suspended source is not synced until resumed',
    node.logged(async () => {
      await work.write('polled/p1/stack.yml', stackFile('stackd/busybox:latest')).commitAndPush('polled p1');
      expect((await node.stackctl(['gitops', 'add', 'poll', '--repo', repoUrl, '--path', 'polled', '--interval', '2s'])).code).toBe(0);
      await eventually(async () => expect(await runningImages('p1')).toEqual(['stackd/busybox:latest']), 60_000);
      // nobody asks: the interval finds the next commit
      await work.write('polled/p1/stack.yml', stackFile('stackd/busybox:v2')).commitAndPush('polled p1 v2');
      await eventually(async () => expect(await runningImages('p1')).toEqual(['stackd/busybox:v2']), 60_000);

      expect((await node.stackctl(['gitops', 'suspend', 'poll'])).stdout).toBe('gitsource/poll suspended\n');
      const refused = await node.stackctl(['gitops', 'sync', 'poll']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('gitsource poll is suspended (stackctl gitops resume poll)');
      const ls = JSON.parse((await node.stackctl(['gitops', 'ls', '--format', 'json'])).stdout) as { name: string; suspended: boolean }[];
      expect(ls.find((s) => s.name === 'poll')?.suspended).toBe(true);

      await work.write('polled/p1/stack.yml', stackFile('stackd/busybox:rollout-v3')).commitAndPush('polled p1 v3');
      expect((await node.stackctl(['gitops', 'resume', 'poll'])).code).toBe(0);
      await eventually(async () => expect(await runningImages('p1')).toEqual(['stackd/busybox:rollout-v3']), 60_000);
    }),
  );
});
