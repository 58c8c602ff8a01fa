// The web console in Debian's chromium (headless, playwright-core) against a real stackd on a real
// Docker engine (embedded store): the accounts example appears on the stacks page, a scale from
// the service page changes the containers, a rollout's progress moves live on the page, a killed
// container shows up as an event (recorded by the manager), drain/activate from the nodes page,
// undo, pause and resume of a rollout from the service page, a live feed refused once goes live. Every wait is for a condition, none
// for a time.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { findService } from '../../../src/actions/find.js';
import { createToken } from '../../../src/apiserver/tokens.js';
import { PAUSED_ANNOTATION } from '../../../src/orchestrator/update-state.js';
import { openStore } from '../../../src/store/open.js';
import { EXAMPLE } from '../../helpers/cli.js';
import { docker, eventually, freePort, idleCommand, SingleNode } from '../../helpers/stackd.js';
import { launch, newPage, openConsole } from './browser.js';

const LONG = 180_000;
const node = new SingleNode('ui');
const ACCOUNTS = node.uniqueName('uiacc');
const IDLE = node.uniqueName('uiidle');
const PAUSE = node.uniqueName('uipause');
let url: string;
let browser: Browser;
let page: Page;
let errors: string[];

/** The busybox stack the scale and rollout use: `marker` changes its template (a rollout). */
function idleStack(marker: string, replicas = 3): string {
  return `services:
  idle:
    image: stackd/busybox:latest
    command: ${idleCommand(marker)}
    environment:
      MARKER: "${marker}"
    deploy:
      replicas: ${replicas}
      update_config:
        parallelism: 1
        delay: 1s
`;
}

beforeAll(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}/`;
  await node.start(['--ui-listen', `127.0.0.1:${port}`]);
  browser = await launch();
}, LONG);

afterAll(async () => {
  await browser?.close();
  await node.cleanup();
}, LONG);

afterEach(() => {
  // each test answers for the script errors made during it
  const made = errors?.splice(0) ?? [];
  expect(made).toEqual([]);
});

test(
  'the accounts stack appears on the first page with its services, replicas and ports',
  node.logged(async () => {
    ({ page, errors } = await openConsole(browser, url));
    const [web, api] = [await freePort(), await freePort()];
    const deploy = await node.deployFile(ACCOUNTS, join(EXAMPLE, 'stack.yaml'), { WEB_PORT: String(web), API_PORT: String(api) }, '-d');
    expect(deploy.code).toBe(0);
    const stack = page.locator(`section[data-stack="${ACCOUNTS}"]`);
    for (const s of ['api', 'mysql', 'web'])
      await stack.locator(`tr[data-service="${ACCOUNTS}/${s}"]`).getByTestId('replicas').filter({ hasText: '1/1' }).waitFor({ timeout: LONG });
    const row = stack.locator(`tr[data-service="${ACCOUNTS}/web"]`);
    expect(await row.textContent()).toContain('stackd/accounts-web:dev');
    expect(await row.textContent()).toContain(`${web}→80/tcp`);
    // the page replaced index.html's placeholder rather than rendering below it
    expect(await page.locator('#app').textContent()).not.toContain('loading…');
  }),
  LONG,
);

test(
  'a scale confirmed on the service page, logged in with an admin token, changes the containers',
  node.logged(async () => {
    expect((await node.deploy(IDLE, idleStack('one', 1))).code).toBe(0);
    await page.goto(`${url}#/service/${IDLE}/idle`);
    // read-only without a token: the dialog says so and the server refuses
    await page.locator('button[data-action="scale"]').click();
    await page.getByRole('dialog').getByText('Actions need an admin token').waitFor();
    await page.getByRole('dialog').locator('input[name="replicas"]').fill('3');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('dialog').getByText('error: actions need an admin token').waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await node.containers(IDLE, { running: true })).toHaveLength(1);

    const store = await openStore(node.storeUrl);
    const { token } = await createToken(store, 'admin').finally(() => store.close());
    await page.getByPlaceholder('API token').fill(token);
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'log in' }).click()]);
    await page.getByTestId('live').filter({ hasText: 'live' }).waitFor();
    await page.getByText('admin').first().waitFor();

    await page.locator('button[data-action="scale"]').click();
    await page.getByRole('dialog').locator('input[name="replicas"]').fill('3');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page
      .getByTestId('flash')
      .filter({ hasText: `${IDLE}_idle scaled to 3` })
      .waitFor();
    await eventually(async () => (await node.containers(IDLE, { running: true })).length === 3, 60_000);
    await page.getByTestId('replicas').filter({ hasText: '3/3 running' }).waitFor();
  }),
  LONG,
);

test(
  "a rollout's progress moves live on the service page",
  node.logged(async () => {
    // every label the progress bar shows, recorded in the page as it changes
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      new MutationObserver(() => {
        const label = document.querySelector('[data-testid="rollout-bar"]')?.textContent ?? '';
        if (label && seen[seen.length - 1] !== label) seen.push(label);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    expect((await node.deploy(IDLE, idleStack('two'), '-d')).code).toBe(0);
    await page.locator('[data-testid="rollout"][data-state="completed"]').getByTestId('rollout-bar').filter({ hasText: '3/3 updated' }).waitFor({ timeout: LONG });
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    // one task at a time, each step on the page: 0, 1, 2, then 3 of 3
    for (const step of ['1/3 updated', '2/3 updated', '3/3 updated']) expect(seen).toContain(step);
    expect(seen.indexOf('1/3 updated')).toBeLessThan(seen.indexOf('2/3 updated'));
  }),
  LONG,
);

test(
  'a killed container shows up as a Warning event, on the events page and on its service page',
  node.logged(async () => {
    const [victim] = await node.containers(IDLE, { running: true });
    await page.goto(`${url}#/events`);
    await page.getByTestId('live').filter({ hasText: 'live' }).waitFor();
    await docker('kill', victim.Id);
    const row = page.locator('tr[data-reason="TaskFailed"]').filter({ hasText: `service/${IDLE}/idle` });
    await row.first().waitFor({ timeout: LONG });
    expect(await row.first().textContent()).toContain('Warning');
    await page.goto(`${url}#/service/${IDLE}/idle`);
    await page.locator('tr[data-reason="TaskFailed"]').filter({ hasText: 'exit code 137' }).first().waitFor();
  }),
  LONG,
);

test(
  'drain and activate from the nodes page, each confirmed',
  node.logged(async () => {
    await page.goto(`${url}#/nodes`);
    const row = page.locator(`tr[data-node="${node.nodeName}"]`);
    await row.getByTestId('availability').filter({ hasText: 'active' }).waitFor();
    await row.locator('button[data-action="drain"]').click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await row.getByTestId('availability').filter({ hasText: 'drain' }).waitFor();
    // drained: the manager stops the node's tasks
    await eventually(async () => (await node.containers(IDLE, { running: true })).length === 0, 60_000);
    await row.locator('button[data-action="active"]').click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await row.getByTestId('availability').filter({ hasText: 'active' }).waitFor();
    await eventually(async () => (await node.containers(IDLE, { running: true })).length === 3, 60_000);
  }),
  LONG,
);

test(
  'undo confirmed on the service page rolls the service back to its previous template',
  node.logged(async () => {
    await page.goto(`${url}#/service/${IDLE}/idle`);
    await page.locator('button[data-action="undo"]').click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page
      .getByTestId('flash')
      .filter({ hasText: `${IDLE}_idle back to revision` })
      .waitFor();
    await eventually(async () => {
      const running = await node.containers(IDLE, { running: true });
      const markers = await Promise.all(running.map(async (c) => (await node.inspect(c.Id)).Config.Env.find((e) => e.startsWith('MARKER='))));
      return running.length === 3 && markers.every((m) => m === 'MARKER=one');
    }, LONG);
    await page.locator('[data-testid="rollout"][data-state="completed"]').waitFor();
  }),
  LONG,
);

/** The service as the Store holds it now. */
async function stored(name: string) {
  const store = await openStore(node.storeUrl);
  return findService(store, name).finally(() => store.close());
}

/** The MARKER of each running container of a stack, sorted. */
async function markers(stack: string): Promise<string[]> {
  const running = await node.containers(stack, { running: true });
  const envs = await Promise.all(running.map(async (c) => (await node.inspect(c.Id)).Config.Env.find((e) => e.startsWith('MARKER='))));
  return envs.map(String).sort();
}

test(
  'pause confirmed on the service page holds the next rollout at 0 updated; resume confirmed there finishes it',
  node.logged(async () => {
    const id = `${PAUSE}_idle`;
    expect((await node.deploy(PAUSE, idleStack('one', 2))).code).toBe(0);
    await page.goto(`${url}#/service/${PAUSE}/idle`);
    await page.getByTestId('replicas').filter({ hasText: '2/2 running' }).waitFor();

    await page.locator('button[data-action="pause"]').click();
    await page.getByRole('dialog').getByText(`Pause the rollout of ${id}?`).waitFor();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page
      .getByTestId('flash')
      .filter({ hasText: `${id} paused` })
      .waitFor();
    expect((await stored(id)).metadata.annotations[PAUSED_ANNOTATION]).toBe('true');

    // a new revision while paused: the rollout opens paused and replaces nothing
    expect((await node.stackctl(['service', 'update', id, '--env-add', 'MARKER=two', '-d'])).code).toBe(0);
    await page.locator('[data-testid="rollout"][data-state="paused"]').getByTestId('rollout-bar').filter({ hasText: '0/2 updated' }).waitFor();
    expect((await stored(id)).status?.update).toMatchObject({ state: 'paused', updated: 0, pauseCause: { reason: 'PausedByUser' } });
    expect(await markers(PAUSE)).toEqual(['MARKER=one', 'MARKER=one']);

    await page.locator('button[data-action="resume"]').click();
    await page.getByRole('dialog').getByText(`Resume the rollout of ${id}?`).waitFor();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page
      .getByTestId('flash')
      .filter({ hasText: `${id} resumed` })
      .waitFor();
    expect((await stored(id)).metadata.annotations[PAUSED_ANNOTATION]).toBeUndefined();
    await page.locator('[data-testid="rollout"][data-state="completed"]').getByTestId('rollout-bar').filter({ hasText: '2/2 updated' }).waitFor({ timeout: LONG });
    await eventually(async () => (await markers(PAUSE)).join() === 'MARKER=two,MARKER=two', LONG);
  }),
  LONG,
);

test(
  'a live feed the server refused is opened again, and the page goes live',
  node.logged(async () => {
    // EventSource gives up for good on an error status (or a request the browser cancels): the
    // console opens a new one, with backoff, rather than staying "connecting…" until reloaded
    const own = await newPage(browser);
    let streams = 0;
    await own.page.route('**/api/stream', (route) => (streams++ === 0 ? route.fulfill({ status: 503, body: 'busy' }) : route.continue()));
    await own.page.goto(url);
    await own.page.getByTestId('live').filter({ hasText: 'live' }).waitFor();
    expect(streams).toBe(2);
    expect(own.errors.filter((e) => !e.includes('status of 503'))).toEqual([]);
    await own.page.close();
  }),
  LONG,
);
