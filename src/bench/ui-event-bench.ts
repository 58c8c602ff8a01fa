// bench:ui's second part: a killed container until the console shows it as an event (issue 16's
// "within 2 s"), on the real path: the all-in-one stackd (its agent on this machine's engine, its
// manager recording events, its console) and Debian's chromium on the events page. Each round
// kills the running task's container with `docker kill` and times, from just before the kill:
// - baseline: the engine's own `die` event reaching a `docker events` reader (what raw Docker tells
//   a watcher, same clock);
// - console: the TaskFailed row's count going up on the events page (agent report, manager event,
//   Store watch, SSE, DOM).
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { percentile } from './store-bench-cases.js';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '10' },
    chromium: { type: 'string', default: process.env.STACKD_CHROMIUM ?? '/usr/bin/chromium' },
  },
});
const ROUNDS = Number(args.rounds);
/** the checkout: dist/bench/ is two levels below it */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(', ');
const STACK = `uiev${process.pid % 10000}`;
const STACK_FILE = `services:
  idle:
    image: stackd/busybox:latest
    command: ["sleep", "100000"]
    init: true
`;

const stackctl = (store: string, ...a: string[]) => run(process.execPath, [join(ROOT, 'bin', 'stackctl.js'), '--store', store, ...a]);

/** the id of the stack's running container (after a kill: its replacement) */
async function runningContainer(other = ''): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const { stdout } = await run('docker', ['ps', '-q', '--no-trunc', '--filter', `label=io.stackd.stack=${STACK}`]);
    const id = stdout
      .trim()
      .split('\n')
      .find((x) => x !== '' && x !== other);
    if (id) return id;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no running container of ${STACK} within 60 s`);
}

/** the TaskFailed events' counts on the page, summed */
const failedCount = (page: Page) =>
  page.evaluate(() => [...document.querySelectorAll('tr[data-reason="TaskFailed"]')].reduce((n, tr) => n + Number(tr.lastElementChild?.textContent ?? 0), 0));

async function round(page: Page, id: string): Promise<{ engine: number; page: number }> {
  const before = await failedCount(page);
  const events = spawn('docker', ['events', '--filter', `container=${id}`, '--filter', 'event=die', '--format', '{{.ID}}']);
  await new Promise((r) => setTimeout(r, 300)); // the reader subscribed
  const t0 = performance.now();
  const engine = new Promise<number>((resolve) => createInterface({ input: events.stdout }).once('line', () => resolve(performance.now() - t0)));
  await run('docker', ['kill', id]);
  const shown = page
    .waitForFunction(
      (n) => [...document.querySelectorAll('tr[data-reason="TaskFailed"]')].reduce((s, tr) => s + Number(tr.lastElementChild?.textContent ?? 0), 0) > n,
      before,
      {
        timeout: 60_000,
      },
    )
    .then(() => performance.now() - t0);
  const result = { engine: await engine, page: await shown };
  events.kill();
  return result;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'stackd-bench-uiev-'));
  const store = `sqlite://${join(dir, 'state.db')}`;
  const port = 20000 + (process.pid % 20000);
  const daemon = spawn(
    process.execPath,
    [join(ROOT, 'bin', 'stackd.js'), '--store', store, '--node-name', `uiev${process.pid % 10000}`, '--ui-listen', `127.0.0.1:${port}`],
    {
      stdio: 'ignore',
    },
  );
  const browser = await chromium.launch({ executablePath: args.chromium, headless: true, args: ['--no-sandbox'] });
  try {
    writeFileSync(join(dir, 'stack.yaml'), STACK_FILE);
    for (let i = 0; ; i++) {
      try {
        await stackctl(store, 'deploy', '-d', '-c', join(dir, 'stack.yaml'), STACK);
        break;
      } catch (err) {
        if (i > 100) throw err; // the daemon not up yet: the store's schema is its
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    let id = await runningContainer();
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/#/events`);
    await page.getByTestId('live').filter({ hasText: 'live' }).waitFor({ timeout: 60_000 });
    const engine: number[] = [];
    const shown: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const res = await round(page, id);
      engine.push(res.engine);
      shown.push(res.page);
      id = await runningContainer(id);
    }
    const fmt = (v: number[]) => `p50 ${percentile(v, 50).toFixed(0)} ms, max ${Math.max(...v).toFixed(0)} ms`;
    console.log(`docker kill of a task's container until it shows, ${ROUNDS} rounds (all-in-one stackd, embedded store, this engine):`);
    console.log(`  console: a TaskFailed event's count goes up on the events page: ${fmt(shown)}`);
    console.log(`  baseline: the engine's die event reaches a docker events reader: ${fmt(engine)}`);
    console.log(`  load ${load()}`);
  } finally {
    await browser.close();
    await stackctl(store, 'rm', STACK).catch(() => undefined);
    for (let i = 0; i < 100; i++) {
      const { stdout } = await run('docker', ['ps', '-aq', '--filter', `label=io.stackd.stack=${STACK}`]);
      if (stdout.trim() === '') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    daemon.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`bench:ui events: ${(err as Error).message}`);
  process.exit(1);
});
