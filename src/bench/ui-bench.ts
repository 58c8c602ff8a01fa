// Web console benchmark: node dist/bench/ui-bench.js [--stacks 100] [--services 5] [--tasks 5000]
// [--nodes 20] [--renders 5] [--updates 200]
// Seeds an embedded store (a throwaway SQLite file) directly with stacks, services, tasks and
// nodes (no containers), serves the console from this process and opens it in Debian's chromium
// (headless, playwright-core):
// - first render: page.goto until every stack's section is in the DOM (a new page each time),
//   with where the time goes in the page (navigation timing, the console's performance marks),
//   against a baseline from the same run: a static page already holding the sections (what
//   chromium and page.goto cost alone);
// - live-update delay: one service's image is rewritten in the Store with a mark; the page's
//   MutationObserver stamps when the mark appears in the DOM (same host clock). As a baseline from
//   the same run, a plain SSE client in this process stamps when the same change arrives on the
//   stream, so what the browser adds (parse, render) shows apart from the server's feed.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seedMeta } from './seed-meta.js';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Browser, chromium } from 'playwright-core';
import { objectKey } from '../api/keys.js';
import { startConsole } from '../console/server.js';
import { createLogger } from '../log.js';
import { openStore } from '../store/open.js';
import type { Store, TxnOp } from '../store/store.js';
import { percentile } from './store-bench-cases.js';

const { values: args } = parseArgs({
  options: {
    stacks: { type: 'string', default: '100' },
    services: { type: 'string', default: '5' },
    tasks: { type: 'string', default: '5000' },
    nodes: { type: 'string', default: '20' },
    renders: { type: 'string', default: '5' },
    updates: { type: 'string', default: '200' },
    chromium: { type: 'string', default: process.env.STACKD_CHROMIUM ?? '/usr/bin/chromium' },
  },
});
const [STACKS, SERVICES, TASKS, NODES, RENDERS, UPDATES] = ['stacks', 'services', 'tasks', 'nodes', 'renders', 'updates'].map((k) => Number(args[k as 'stacks']));
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
const ms = (n: number) => `${n.toFixed(0)} ms`;
const meta = (name: string, namespace: string) => seedMeta(name, namespace);
const stackName = (i: number) => `bench${String(i).padStart(3, '0')}`;
const serviceName = (j: number) => `svc${j}`;

function service(stack: string, name: string, image: string, replicas: number) {
  return {
    apiVersion: 'stackd.io/v1',
    kind: 'Service',
    metadata: meta(name, stack),
    spec: { stack, template: { image, ports: [{ target: 80, published: 8000, protocol: 'tcp', mode: 'ingress' }] } },
    status: { replicas: { desired: replicas, running: replicas, failed: 0 } },
  };
}

async function seed(store: Store): Promise<void> {
  const ops: TxnOp[] = [];
  const put = (key: string, obj: unknown) => ops.push({ op: 'put', key, value: JSON.stringify(obj) });
  for (let n = 0; n < NODES; n++)
    put(objectKey('Node', '', `node${n}`), {
      apiVersion: 'stackd.io/v1',
      kind: 'Node',
      metadata: meta(`node${n}`, ''),
      spec: { role: 'worker', availability: 'active', labels: {} },
      status: { state: 'ready', hostname: `node${n}`, engineLabels: {}, cpus: 8, memoryBytes: 16 * 2 ** 30 },
    });
  const perService = Math.ceil(TASKS / (STACKS * SERVICES));
  let tasks = 0;
  for (let i = 0; i < STACKS; i++) {
    const stack = stackName(i);
    put(objectKey('Stack', '', stack), { apiVersion: 'stackd.io/v1', kind: 'Stack', metadata: meta(stack, ''), spec: {}, status: {} });
    for (let j = 0; j < SERVICES; j++) {
      put(objectKey('Service', stack, serviceName(j)), service(stack, serviceName(j), 'stackd/busybox:latest', perService));
      for (let slot = 1; slot <= perService && tasks < TASKS; slot++, tasks++) {
        const name = `${serviceName(j)}.${slot}.t${tasks}`;
        put(objectKey('Task', stack, name), {
          apiVersion: 'stackd.io/v1',
          kind: 'Task',
          metadata: meta(name, stack),
          spec: {
            stack,
            service: serviceName(j),
            slot,
            nodeName: `node${tasks % NODES}`,
            desiredState: 'running',
            specHash: 'h',
            template: { image: 'stackd/busybox:latest', deploy: { resources: { reservations: { cpus: 0.01, memory: 2 ** 20 } } } },
          },
          status: { state: 'running', timestamp: new Date().toISOString(), message: '' },
        });
      }
    }
  }
  for (let k = 0; k < ops.length; k += 500) await store.txn(ops.slice(k, k + 500));
  console.log(`seeded ${STACKS} stacks, ${STACKS * SERVICES} services, ${tasks} tasks, ${NODES} nodes (load ${load()})`);
}

/** In the page: when each step of loading it ended (navigation timing and the console's marks). */
function timeline(): Record<string, number> {
  const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
  const mark = (name: string) => performance.getEntriesByName(name)[0]?.startTime ?? Number.NaN;
  return {
    'HTML received': nav.responseEnd,
    'first contentful paint': performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
    'all stacks in the DOM (a MutationObserver)': mark('stackd:all-stacks'),
    'modules loaded and run': mark('stackd:modules'),
    DOMContentLoaded: nav.domContentLoadedEventEnd,
    'load event': nav.loadEventEnd,
    'snapshot parsed and applied': mark('stackd:snapshot'),
    'app rendered (takes the page over)': mark('stackd:rendered'),
  };
}

/** A page of fixed HTML on 127.0.0.1 (the first render's baseline). */
async function staticPage(body: string): Promise<{ server: Server; url: string }> {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>baseline</title></head><body>${body}</body></html>`;
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

interface FirstRender {
  /** from before page.goto until every stack's section is in the DOM (page.goto, then polling) */
  ms: number;
  steps: Record<string, number>;
}

/** One new page: page.goto until all stacks' sections are in the DOM, and the timeline of it. */
async function firstRender(browser: Browser, url: string): Promise<FirstRender> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  // stamps the moment the last stack's section enters the DOM, whatever page.goto waits for
  await page.addInitScript((n) => {
    new MutationObserver((_, observer) => {
      if (document.querySelectorAll('section[data-stack]').length < n) return;
      performance.mark('stackd:all-stacks');
      observer.disconnect();
    }).observe(document, { subtree: true, childList: true });
  }, STACKS);
  const t0 = Date.now();
  await page.goto(url);
  const returned = Date.now() - t0;
  await page.waitForFunction((n) => document.querySelectorAll('section[data-stack]').length === n, STACKS, { timeout: 60_000 });
  const total = Date.now() - t0;
  const origin = await page.evaluate(() => performance.timeOrigin);
  const steps = {
    'navigation started (after page.goto was called)': origin - t0,
    ...(await page.evaluate(timeline)),
    'page.goto returned': returned - (origin - t0),
  };
  await page.close();
  return { ms: total, steps };
}

/** Marks as they arrive on the console's SSE stream, read by a plain HTTP client (the baseline). */
async function streamMarks(url: string, seen: Map<number, number>, signal: AbortSignal): Promise<void> {
  const res = await fetch(`${url}api/stream`, { signal });
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    const at = Date.now();
    for (const m of decoder.decode(chunk, { stream: true }).matchAll(/mark(\d+)x/g)) if (!seen.has(Number(m[1]))) seen.set(Number(m[1]), at);
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'stackd-bench-ui-'));
  const store = await openStore(`sqlite://${join(dir, 'state.db')}`);
  const abort = new AbortController();
  const browser = await chromium.launch({ executablePath: args.chromium, headless: true, args: ['--no-sandbox'] });
  const { server, url, feed } = await startConsole(store, { listen: '127.0.0.1:0', log: createLogger('bench-ui', 'warn') });
  try {
    await seed(store);
    // baseline: what chromium and the harness cost alone, in the same run and load: a static
    // page holding the 100 sections already (no module, no feed), served by this process too
    const bare = await staticPage(Array.from({ length: STACKS }, (_, i) => `<section data-stack="${stackName(i)}">${stackName(i)}</section>`).join(''));
    const shipped: FirstRender[] = [];
    const baseline: FirstRender[] = [];
    try {
      for (let r = 0; r < RENDERS; r++) {
        shipped.push(await firstRender(browser, url));
        baseline.push(await firstRender(browser, bare.url));
      }
    } finally {
      bare.server.close();
    }
    const median = (runs: FirstRender[]) =>
      percentile(
        runs.map((x) => x.ms),
        50,
      );
    const summary = (runs: FirstRender[]) => `median ${ms(median(runs))}, max ${ms(Math.max(...runs.map((x) => x.ms)))}`;
    console.log(`first render of ${STACKS} stacks (${TASKS} tasks in the feed), page.goto until every stack's section is in the DOM, ${RENDERS} pages each:`);
    console.log(`  console: ${summary(shipped)}`);
    console.log(`  baseline (a static page with the 100 sections: chromium and page.goto alone): ${summary(baseline)}`);
    console.log(`  ratio: ${(median(shipped) / median(baseline)).toFixed(2)}x (load ${load()})`);
    // where the time goes: medians of each step, in ms since the navigation started in the page
    console.log(`  breakdown (median ms since the navigation started)   console  baseline`);
    for (const step of Object.keys(shipped[0].steps)) {
      const at = (runs: FirstRender[]) =>
        percentile(
          runs.map((x) => x.steps[step] ?? Number.NaN),
          50,
        ).toFixed(0);
      console.log(`    ${step.padEnd(48)} ${at(shipped).padStart(7)} ${at(baseline).padStart(9)}`);
    }

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(url);
    await page.waitForFunction((n) => document.querySelectorAll('section[data-stack]').length === n, STACKS, { timeout: 60_000 });
    await page.evaluate(() => {
      const seen: Record<string, number> = {};
      (window as unknown as { seen: Record<string, number> }).seen = seen;
      new MutationObserver((records) => {
        const at = Date.now();
        for (const r of records) for (const m of (r.target.textContent ?? '').matchAll(/mark(\d+)x/g)) if (!(m[1] in seen)) seen[m[1]] = at;
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    const streamed = new Map<number, number>();
    void streamMarks(url, streamed, abort.signal).catch(() => undefined);
    const browserDelays: number[] = [];
    const streamDelays: number[] = [];
    for (let i = 0; i < UPDATES; i++) {
      const stack = stackName(i % STACKS);
      const name = serviceName(i % SERVICES);
      const t0 = Date.now();
      await store.txn([{ op: 'put', key: objectKey('Service', stack, name), value: JSON.stringify(service(stack, name, `stackd/busybox:mark${i}x`, 1)) }]);
      await page.waitForFunction((k) => k in (window as unknown as { seen: Record<string, number> }).seen, String(i), { timeout: 30_000 });
      const at = await page.evaluate((k) => (window as unknown as { seen: Record<string, number> }).seen[k], String(i));
      browserDelays.push(at - t0);
      if (streamed.has(i)) streamDelays.push((streamed.get(i) as number) - t0);
    }
    const line = (what: string, d: number[]) =>
      `${what}: p50 ${ms(percentile(d, 50))}, p99 ${ms(percentile(d, 99))}, max ${ms(Math.max(...d))} (${d.length} updates)`;
    console.log(line('live update, Store write -> DOM change', browserDelays));
    console.log(line('baseline, Store write -> SSE message in a plain client', streamDelays));
    console.log(`load ${load()}`);
  } finally {
    abort.abort();
    feed.close();
    server.closeAllConnections();
    server.close();
    await browser.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`bench-ui: ${(err as Error).message}`);
  process.exit(1);
});
