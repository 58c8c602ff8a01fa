// The web console served by `stackd manager --ui-listen` on a non-loopback address, over a real
// etcd: behind the API's tokens like any remote access to the manager. Without a token nothing is
// shown and the stream and actions refuse; a viewer reads every page but every action is refused
// and nothing is written; an admin syncs a GitOps source (a local git repository) from the GitOps
// page and its last applied commit moves. No agent: the manager's own work is all that is shown.
// Every wait is for a condition, none for a time.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import type { GitSource, Service } from '../../../src/api/objects.js';
import { createToken } from '../../../src/apiserver/tokens.js';
import { getObject } from '../../../src/client/objects.js';
import { REQUESTED_AT_ANNOTATION } from '../../../src/gitops/request.js';
import { openStore } from '../../../src/store/open.js';
import type { Store } from '../../../src/store/store.js';
import { ROOT, stackctl, tempDir } from '../../helpers/cli.js';
import { initBare, WorkingCopy } from '../../helpers/git-server.js';
import { eventually, freePort } from '../../helpers/stackd.js';
import { EtcdProcess } from '../store/etcd-process.js';
import { launch, logIn, newPage } from './browser.js';

const LONG = 120_000;
const suffix = `${process.pid.toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`;
const SOURCE = `uisrc${suffix}`;
const STACK = `uigit${suffix}`;
const dir = tempDir('stackd-ui-manager-');
const appStack = (rev: number) => `services:
  app:
    image: stackd/busybox:latest
    environment:
      REV: "${rev}"
    deploy:
      replicas: 2
`;

let etcd: EtcdProcess;
let store: Store;
let manager: ChildProcess;
let work: WorkingCopy;
let firstCommit: string;
let url: string;
let browser: Browser;
let page: Page;
let errors: string[] = [];

const storeUrl = () => `etcd://${etcd.endpoint}`;
const managerLog = () => readFileSync(join(dir, 'manager.log'), 'utf8');
const source = async () => (await getObject<GitSource>(store, 'GitSource', '', SOURCE)) as GitSource;
const service = async () => (await getObject<Service>(store, 'Service', STACK, 'app')) as Service;

/** Wraps a test body so a failure carries the tail of the manager's log. */
const logged = (body: () => Promise<void>) => async () => {
  try {
    await body();
  } catch (err) {
    if (err instanceof Error) err.message = `${err.message}\n--- manager log ---\n${managerLog().trimEnd().split('\n').slice(-40).join('\n')}`;
    throw err;
  }
};

beforeAll(async () => {
  etcd = await EtcdProcess.start();
  store = await openStore(storeUrl());
  const bare = join(dir, 'app.git');
  mkdirSync(bare);
  await initBare(bare);
  work = await WorkingCopy.clone(`file://${bare}`);
  firstCommit = await work.write(`stacks/${STACK}/stack.yml`, appStack(1)).commitAndPush('rev 1');

  const port = await freePort();
  url = `http://127.0.0.1:${port}/`;
  const fd = openSync(join(dir, 'manager.log'), 'a');
  // 0.0.0.0: not loopback only, so reading needs a token too
  const args = ['manager', '--store', storeUrl(), '--ui-listen', `0.0.0.0:${port}`, '--gitops-cache-dir', join(dir, 'gitops-cache')];
  manager = spawn(process.execPath, [join(ROOT, 'bin', 'stackd.js'), ...args], { cwd: ROOT, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  await eventually(() => managerLog().includes('web console listening'), 30_000);

  // an hour's interval: only a sync asked for moves the source after its first one
  const add = await stackctl(['--store', storeUrl(), 'gitops', 'add', SOURCE, '--repo', `file://${bare}`, '--path', 'stacks', '--interval', '1h']);
  expect(add.stderr).toBe('');
  await eventually(async () => (await source())?.status?.lastAppliedRevision === `main@${firstCommit}`, 60_000);
  browser = await launch();
  ({ page, errors } = await newPage(browser));
}, LONG);

afterAll(async () => {
  await browser?.close();
  if (manager && manager.exitCode === null) {
    const exited = new Promise((r) => manager.once('exit', r));
    manager.kill('SIGTERM');
    await exited;
  }
  await store?.close();
  await etcd?.stop();
}, LONG);

afterEach(() => {
  const made = errors?.splice(0) ?? [];
  expect(made).toEqual([]);
});

const ACTIONS = [
  { action: 'scale', target: `${STACK}_app`, replicas: 5 },
  { action: 'pause', target: `${STACK}_app` },
  { action: 'resume', target: `${STACK}_app` },
  { action: 'undo', target: `${STACK}_app` },
  { action: 'availability', target: 'any-node', availability: 'drain' },
  { action: 'sync', target: SOURCE },
];
/** the GitOps page's last applied commit once it shows `commit` (as branch@12 hex digits) */
const lastApplied = (section: Locator, commit: string) => section.getByTestId('last-applied').filter({ hasText: `main@${commit.slice(0, 12)}` });
const post = (data: unknown) => page.request.post(`${url}api/actions`, { data, headers: { 'x-stackd-console': '1' } });

test(
  'without a token the page asks for one, and the stream and every action refuse (401)',
  logged(async () => {
    await page.goto(url);
    await page.getByTestId('need-login').waitFor();
    expect(await page.getByTestId('need-login').textContent()).toContain('stackctl kubeconfig --role viewer');
    expect(await page.getByTestId('live').textContent()).not.toBe('live');
    expect(await page.locator('section[data-stack]').count()).toBe(0);
    expect((await page.request.get(`${url}api/stream`)).status()).toBe(401);
    for (const a of ACTIONS) expect([a.action, (await post(a)).status()]).toEqual([a.action, 401]);
  }),
  LONG,
);

test(
  'a viewer token reads every page live; every action is refused (403) and nothing is written',
  logged(async () => {
    const before = await service();
    const { token } = await createToken(store, 'viewer');
    await logIn(page, token);
    await page.locator('.who').getByText('viewer').waitFor();
    await page.locator(`section[data-stack="${STACK}"] tr[data-service="${STACK}/app"]`).waitFor();
    await page.goto(`${url}#/service/${STACK}/app`);
    await page.getByTestId('replicas').filter({ hasText: '/2 running' }).waitFor();
    await page.goto(`${url}#/events`);
    await page.getByRole('heading', { name: /Events/ }).waitFor();
    await page.goto(`${url}#/gitops`);
    const section = page.locator(`section[data-gitsource="${SOURCE}"]`);
    await lastApplied(section, firstCommit).waitFor();

    // the page asks, warns, and shows the server's refusal
    await section.locator('button[data-action="sync"]').click();
    await page.getByRole('dialog').getByText('Actions need an admin token').waitFor();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('dialog').getByText('error: viewer tokens may only read; actions need an admin token').waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    for (const a of ACTIONS) expect([a.action, (await post(a)).status()]).toEqual([a.action, 403]);

    expect((await source()).metadata.annotations[REQUESTED_AT_ANNOTATION]).toBeUndefined();
    const after = await service();
    expect({ spec: after.spec, annotations: after.metadata.annotations, generation: after.metadata.generation }).toEqual({
      spec: before.spec,
      annotations: before.metadata.annotations,
      generation: before.metadata.generation,
    });
  }),
  LONG,
);

test(
  'an admin token syncs the GitOps source from its page, confirmed: the last applied commit moves to the pushed one',
  logged(async () => {
    const next = await work.write(`stacks/${STACK}/stack.yml`, appStack(2)).commitAndPush('rev 2');
    await page.getByRole('button', { name: 'log out' }).click();
    const { token } = await createToken(store, 'admin');
    await logIn(page, token);
    await page.locator('.who').getByText('admin').waitFor();
    const section = page.locator(`section[data-gitsource="${SOURCE}"]`);
    await lastApplied(section, firstCommit).waitFor();

    await section.locator('button[data-action="sync"]').click();
    await page.getByRole('dialog').getByText(`Sync ${SOURCE} now?`).waitFor();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page
      .getByTestId('flash')
      .filter({ hasText: `sync of ${SOURCE} requested` })
      .waitFor();
    await lastApplied(section, next).waitFor({ timeout: 60_000 });
    expect((await source()).status?.lastAppliedRevision).toBe(`main@${next}`);
    expect((await service()).spec.template.environment).toMatchObject({ REV: '2' });
  }),
  LONG,
);
