// Screenshots of the web console's pages for the README (docs/console-*.png): a small cluster
// written straight into a throwaway embedded store (two stacks, a rollout half done, two nodes,
// a GitOps source, a few events), the console served from this process, Debian's chromium
// (headless, playwright-core) taking one PNG per page. Run by hack/console-screenshots.sh.
import { mkdtempSync, rmSync } from 'node:fs';
import { seedMeta } from './seed-meta.js';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { objectKey } from '../api/keys.js';
import { startConsole } from '../console/server.js';
import { eventKey } from '../events/event.js';
import { createLogger } from '../log.js';
import { openStore } from '../store/open.js';
import type { TxnOp } from '../store/store.js';

const out = process.argv[2] ?? 'docs';
const now = Date.now();
const at = (secondsAgo: number) => new Date(now - secondsAgo * 1000).toISOString();
const meta = (name: string, namespace: string, age = 3600) => seedMeta(name, namespace, new Date(now - age * 1000));
const ops: TxnOp[] = [];
const put = (key: string, obj: unknown) => ops.push({ op: 'put', key, value: JSON.stringify(obj) });

type Svc = { stack: string; name: string; image: string; ports?: number[]; desired: number; running: number; update?: object; revisions?: number };
const services: Svc[] = [
  { stack: 'accounts', name: 'web', image: 'stackd/accounts-web:dev', ports: [8080], desired: 2, running: 2 },
  {
    stack: 'accounts',
    name: 'api',
    image: 'stackd/accounts-api:v2',
    ports: [8081],
    desired: 3,
    running: 3,
    revisions: 2,
    update: {
      state: 'updating',
      message: 'updating 1 of 3 tasks',
      startedAt: at(20),
      fromRevision: '1',
      toRevision: '2',
      updated: 1,
      total: 3,
      failures: 0,
      verdicts: {},
    },
  },
  { stack: 'accounts', name: 'mysql', image: 'stackd/mysql-standin:5.7', desired: 1, running: 1 },
  { stack: 'shop', name: 'frontend', image: 'shop/frontend:1.4', ports: [80], desired: 3, running: 3 },
  { stack: 'shop', name: 'worker', image: 'shop/worker:1.4', desired: 2, running: 1 },
];
for (const stack of ['accounts', 'shop']) put(objectKey('Stack', '', stack), { kind: 'Stack', metadata: meta(stack, ''), spec: {}, status: {} });
for (const s of services) {
  const template = { image: s.image, ports: (s.ports ?? []).map((p) => ({ target: 80, published: p, protocol: 'tcp', mode: 'ingress' })) };
  const revisions = Array.from({ length: s.revisions ?? 1 }, (_, i) => ({
    revision: i + 1,
    hash: `h${i}`,
    template: { image: i + 1 === (s.revisions ?? 1) ? s.image : s.image.replace(/:.*/, ':v1') },
    createdAt: at(3600 - i * 3500),
    change: i === 0 ? 'deploy' : 'image',
  }));
  put(objectKey('Service', s.stack, s.name), {
    kind: 'Service',
    metadata: meta(s.name, s.stack),
    spec: { stack: s.stack, template },
    status: { replicas: { desired: s.desired, running: s.running, failed: 0 }, update: s.update, revisions },
  });
  for (let slot = 1; slot <= s.desired; slot++) {
    const updated = !s.update || slot === 1;
    const name = `${s.name}.${slot}.${s.stack}${slot}`;
    const running = slot <= s.running;
    put(objectKey('Task', s.stack, name), {
      kind: 'Task',
      metadata: meta(name, s.stack, updated ? 15 : 3600),
      spec: {
        stack: s.stack,
        service: s.name,
        slot,
        nodeName: slot % 2 ? 'manager-1' : 'worker-1',
        desiredState: 'running',
        specHash: 'h',
        template: {
          ...template,
          image: updated ? s.image : s.image.replace(/:.*/, ':v1'),
          deploy: { resources: { reservations: { cpus: 0.25, memory: 256 * 2 ** 20 } } },
        },
      },
      status: running
        ? { state: 'running', timestamp: at(updated ? 12 : 3500), message: '', containerId: `${(slot * 7919).toString(16)}a3f9c2d18e4b` }
        : { state: 'pending', timestamp: at(30), message: 'no suitable node (insufficient memory on 1 node)' },
    });
  }
}
for (const [name, availability, cpus] of [
  ['manager-1', 'active', 2],
  ['worker-1', 'drain', 4],
] as const)
  put(objectKey('Node', '', name), {
    kind: 'Node',
    metadata: meta(name, ''),
    spec: { role: name.startsWith('manager') ? 'manager' : 'worker', availability, labels: {} },
    status: { state: 'ready', hostname: name, engineLabels: {}, cpus, memoryBytes: 8 * 2 ** 30, lastHeartbeat: at(2) },
  });
put(objectKey('GitSource', '', 'platform'), {
  kind: 'GitSource',
  metadata: meta('platform', ''),
  spec: { repo: 'https://git.example.com/ops/platform.git', branch: 'main', path: 'stacks', interval: '1m', prune: true, suspend: false },
  status: {
    lastAppliedRevision: 'main@3f2a9c1e7b5d4a8f9e0c1b2a3d4e5f6a7b8c9d0e',
    lastAttemptedRevision: 'main@3f2a9c1e7b5d4a8f9e0c1b2a3d4e5f6a7b8c9d0e',
    conditions: [{ type: 'Ready', status: 'True', reason: 'Applied', message: 'applied 2 stacks at 3f2a9c1e', lastTransitionTime: at(300) }],
    stacks: [
      { stack: 'accounts', file: 'stacks/accounts.yaml', result: 'applied' },
      { stack: 'shop', file: 'stacks/shop.yaml', result: 'unchanged' },
    ],
  },
});
const events: [string, string, string, string, string, string, number, number][] = [
  ['accounts', 'Service', 'api', 'Normal', 'RolloutStarted', 'rollout 2 started (3 tasks)', 1, 20],
  ['shop', 'Service', 'worker', 'Warning', 'FailedScheduling', 'worker.2: no suitable node (insufficient memory on 1 node)', 4, 30],
  ['accounts', 'Service', 'web', 'Warning', 'TaskFailed', 'web.2 failed: exit code 137: killed', 1, 600],
  ['accounts', 'Service', 'web', 'Normal', 'TaskRestarted', 'web.2 restarted (attempt 1)', 1, 595],
  ['', 'Node', 'worker-1', 'Normal', 'NodeDrained', 'node worker-1 availability active → drain', 1, 120],
  ['', 'GitSource', 'platform', 'Normal', 'SyncApplied', 'applied 3f2a9c1e7b5d4a8f9e0c1b2a3d4e5f6a7b8c9d0e', 1, 300],
];
events.forEach(([stack, kind, name, type, reason, message, count, ago], i) => {
  put(eventKey(stack, `e${i}`), {
    kind: 'Event',
    metadata: { name: `e${i}`, namespace: stack, creationTimestamp: at(ago) },
    involvedObject: { kind, stack, name },
    type,
    reason,
    message,
    count,
    firstTimestamp: at(ago),
    lastTimestamp: at(ago),
    source: { component: 'manager' },
  });
});

const pages: [string, string][] = [
  ['stacks', '#/'],
  ['service', '#/service/accounts/api'],
  ['nodes', '#/nodes'],
  ['gitops', '#/gitops'],
  ['events', '#/events'],
];

async function main(): Promise<void> {
  const dir = mkdtempSync('/tmp/stackd-shots-');
  const store = await openStore(`sqlite://${join(dir, 'state.db')}`);
  await store.txn(ops);
  const { server, url, feed } = await startConsole(store, { listen: '127.0.0.1:0', log: createLogger('shots', 'warn') });
  const browser = await chromium.launch({ executablePath: process.env.STACKD_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 560 } });
    for (const [name, hash] of pages) {
      await page.goto(`${url}${hash}`);
      await page.getByTestId('live').filter({ hasText: 'live' }).waitFor();
      await page.locator('main h1').waitFor();
      await page.screenshot({ path: join(out, `console-${name}.png`) });
      console.log(`${join(out, `console-${name}.png`)}`);
    }
  } finally {
    await browser.close();
    feed.close();
    server.closeAllConnections();
    server.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`console-screenshots: ${(err as Error).message}`);
  process.exit(1);
});
