// The GitOps controller in process, on a real embedded store and a real file:// repository: sync
// requests that arrive while a sync runs give exactly one more sync, never a pile.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { GitSource } from '../../../src/api/objects.js';
import { getObject } from '../../../src/client/objects.js';
import { gitOpsRunnable } from '../../../src/gitops/controller.js';
import { requestSync } from '../../../src/gitops/request.js';
import { createGitSource } from '../../../src/gitops/sources.js';
import { openEmbeddedStore } from '../../../src/store/embedded.js';
import type { Store } from '../../../src/store/store.js';
import { tempDir } from '../../helpers/cli.js';
import { initBare, WorkingCopy } from '../../helpers/git-server.js';
import { eventually } from '../../helpers/stackd.js';

const dir = tempDir('stackd-gitops-ctl-');
let store: Store;

beforeAll(async () => {
  store = await openEmbeddedStore(join(dir, 'state.db'));
  mkdirSync(join(dir, 'repo.git'));
  await initBare(join(dir, 'repo.git'));
  const work = await WorkingCopy.clone(`file://${join(dir, 'repo.git')}`);
  await work.write('web/stack.yml', 'services:\n  app:\n    image: stackd/busybox:latest\n').commitAndPush('first');
});

afterAll(async () => {
  await store?.close();
});

test('requests during a sync queue one more sync, which handles the latest request', async () => {
  await createGitSource(store, 'src', { repo: `file://${join(dir, 'repo.git')}`, branch: 'main', path: '.', interval: '1h', prune: false, suspend: false });
  // every sync reads web/stack.yml once through the decrypt hook: count the syncs there, and hold the first
  let syncs = 0;
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const decrypt = async (content: Buffer, file: string) => {
    if (file === 'web/stack.yml' && ++syncs === 1) await held;
    return content;
  };
  const stop = new AbortController();
  const running = gitOpsRunnable({ store, cacheDir: join(dir, 'cache'), decrypt, log: () => undefined }).start(stop.signal);
  try {
    await eventually(() => syncs === 1, 20_000, 20);
    const requests = ['2026-01-01T00:00:01Z', '2026-01-01T00:00:02Z', '2026-01-01T00:00:03Z', '2026-01-01T00:00:04Z'];
    for (const at of requests) await requestSync(store, 'src', at);
    release();
    const src = await eventually(
      async () => {
        const s = await getObject<GitSource>(store, 'GitSource', '', 'src');
        return s?.status?.lastHandledRequestedAt === requests[3] ? s : false;
      },
      20_000,
      50,
    );
    expect(syncs).toBe(2);
    expect(src.status?.inventory).toEqual(['web']);
  } finally {
    release();
    stop.abort();
    await running;
  }
});
