// API benchmark: node dist/bench/api-bench.js --etcd HOST:PORT [--tasks 10000] [--lists 20]
// [--writes 1000] [--in-flight 8] [--watchers 100] [--watch-writes 200] [--events 5000]
// [--phase-seconds 120]
// The API server runs in this process on a throwaway etcd (hack/bench-api.sh starts one), so
// client and server share one core's worth of event loop: the figures are an upper bound of the
// server's cost. Each phase prints as soon as it ends and is bounded by --phase-seconds (an earlier
// attempt hung before printing anything); the load is printed before and after.
import { Agent, request } from 'node:https';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { objectKey } from '../api/keys.js';
import { startApiServer } from '../apiserver/server.js';
import { createToken } from '../apiserver/tokens.js';
import { encodeEvent, eventKey, newEvent } from '../events/event.js';
import { createLogger } from '../log.js';
import { openEtcdStore } from '../store/etcd.js';
import type { Store } from '../store/store.js';
import { percentile } from './store-bench-cases.js';

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
const ms = (n: number) => `${n.toFixed(1)} ms`;

function task(namespace: string, i: number) {
  const name = `t${String(i).padStart(6, '0')}`;
  return {
    apiVersion: 'stackd.io/v1',
    kind: 'Task',
    metadata: { name, namespace, uid: `u${i}`, generation: 1, labels: {}, annotations: {}, creationTimestamp: new Date().toISOString(), ownerReferences: [] },
    spec: { stack: namespace, service: 'web', slot: i, nodeName: `n${i % 100}`, desiredState: 'running', template: { image: 'stackd/busybox:latest' } },
    status: { state: 'running', timestamp: new Date().toISOString(), message: '' },
  };
}

async function seed(store: Store, namespace: string, n: number): Promise<void> {
  for (let i = 0; i < n; i += 500) {
    const ops = [];
    for (let j = i; j < Math.min(n, i + 500); j++)
      ops.push({ op: 'put' as const, key: objectKey('Task', namespace, task(namespace, j).metadata.name), value: JSON.stringify(task(namespace, j)) });
    await store.txn(ops);
  }
}

/** `p`, or an error naming the phase once `seconds` have passed. */
function bounded<T>(what: string, seconds: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not done after ${seconds}s`)), seconds * 1000)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

interface Client {
  base: string;
  token: string;
  ca: string;
  agent: Agent;
}

function call(c: Client, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${c.base}${path}`,
      { method, agent: c.agent, ca: c.ca, headers: { authorization: `Bearer ${c.token}`, 'content-type': contentType } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Runs `fn(i)` for i < n with `inFlight` at a time; each call's latency in ms. */
async function pool(n: number, inFlight: number, fn: (i: number) => Promise<void>): Promise<number[]> {
  const lat: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < n) {
        const i = next++;
        const t0 = performance.now();
        await fn(i);
        lat.push(performance.now() - t0);
      }
    }),
  );
  return lat;
}

async function listPhase(c: Client, store: Store, ns: string, lists: number): Promise<void> {
  const path = `/apis/stackd.io/v1/namespaces/${ns}/tasks`;
  const api = await pool(lists, 1, async () => {
    const r = await call(c, 'GET', path);
    if (r.status !== 200) throw new Error(`list: ${r.status} ${r.text.slice(0, 200)}`);
  });
  const direct = await pool(lists, 1, async () => void (await store.list(objectKey('Task', ns, ''))));
  console.log(
    `list   API p50 ${ms(percentile(api, 50))}, p99 ${ms(percentile(api, 99))} (target p99 < 5000 ms) | Store list p50 ${ms(percentile(direct, 50))}, p99 ${ms(percentile(direct, 99))}   [load ${load()}]`,
  );
}

async function writePhase(c: Client, store: Store, ns: string, writes: number, inFlight: number, tasks: number): Promise<void> {
  let t0 = performance.now();
  const api = await pool(writes, inFlight, async (i) => {
    const name = task(ns, i % tasks).metadata.name;
    const r = await call(c, 'PATCH', `/apis/stackd.io/v1/namespaces/${ns}/tasks/${name}/status`, { status: { message: `w${i}` } }, 'application/merge-patch+json');
    if (r.status !== 200 && r.status !== 409) throw new Error(`patch: ${r.status} ${r.text.slice(0, 200)}`);
  });
  const apiRate = writes / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  const direct = await pool(writes, inFlight, async (i) => {
    const key = objectKey('Task', ns, task(ns, i % tasks).metadata.name);
    const kv = await store.get(key);
    const obj = JSON.parse(kv!.value);
    obj.status.message = `d${i}`;
    await store.txn([{ op: 'update', key, value: JSON.stringify(obj), revision: kv!.modRevision }]);
  });
  const directRate = writes / ((performance.now() - t0) / 1000);
  console.log(
    `writes API ${apiRate.toFixed(0)}/s, p50 ${ms(percentile(api, 50))}, p99 ${ms(percentile(api, 99))} (target p99 < 1000 ms) | Store read+CAS ${directRate.toFixed(0)}/s, p99 ${ms(percentile(direct, 99))} (${inFlight} in flight)   [load ${load()}]`,
  );
}

async function watchPhase(c: Client, store: Store, ns: string, watchers: number, writes: number): Promise<void> {
  await seed(store, ns, 10);
  const start = await store.list(objectKey('Task', ns, ''));
  // by the write's message: an event may arrive before this process has seen its txn answer
  const sentAt = new Map<string, number>();
  const lags: number[] = [];
  let delivered = 0;
  const reqs = await Promise.all(
    Array.from(
      { length: watchers },
      () =>
        new Promise<ReturnType<typeof request>>((resolve, reject) => {
          const req = request(
            `${c.base}/apis/stackd.io/v1/namespaces/${ns}/tasks?watch=1&resourceVersion=${start.revision}`,
            { agent: c.agent, ca: c.ca, headers: { authorization: `Bearer ${c.token}` } },
            (res) => {
              let buf = '';
              res.on('data', (d: Buffer) => {
                const now = performance.now();
                buf += d.toString();
                for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
                  const ev = JSON.parse(buf.slice(0, nl));
                  buf = buf.slice(nl + 1);
                  const sent = sentAt.get(ev.object?.status?.message);
                  if (sent !== undefined) {
                    lags.push(now - sent);
                    delivered++;
                  }
                }
              });
              resolve(req);
            },
          );
          req.on('error', reject);
          req.end();
        }),
    ),
  );
  try {
    for (let i = 0; i < writes; i++) {
      const t = task(ns, i % 10);
      t.status.message = `m${i}`;
      sentAt.set(t.status.message, performance.now());
      await store.txn([{ op: 'put', key: objectKey('Task', ns, t.metadata.name), value: JSON.stringify(t) }]);
      await new Promise((r) => setTimeout(r, 5)); // a steady stream, not one burst
    }
    const deadline = Date.now() + 10_000;
    while (delivered < watchers * writes && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  } finally {
    for (const r of reqs) r.destroy();
  }
  console.log(
    `watch  ${watchers} watchers x ${writes} writes: ${delivered}/${watchers * writes} delivered, lag p50 ${ms(percentile(lags, 50))}, p99 ${ms(percentile(lags, 99))} (target p99 < 100 ms)   [load ${load()}]`,
  );
}

/** `stackctl events --type warning --since 10m` through the API: the server filtering (sinceTime
 *  and a fieldSelector) against the whole stack's events downloaded, as the client did before. */
async function eventsPhase(c: Client, store: Store, ns: string, events: number, lists: number): Promise<void> {
  // an hour of events, one in 20 a Warning: the last 10 minutes' warnings are about 1 in 120
  const now = Date.now();
  for (let i = 0; i < events; i += 500) {
    const ops = [];
    for (let j = i; j < Math.min(events, i + 500); j++) {
      const ev = newEvent(
        `service.web.e${j}`,
        { kind: 'Service', stack: ns, name: 'web' },
        j % 20 === 0 ? 'Warning' : 'Normal',
        'R',
        `event ${j} of the bench`,
        { component: 'manager', host: 'bench' },
        new Date(now - 3_600_000 + (j * 3_600_000) / events),
      );
      ops.push({ op: 'put' as const, key: eventKey(ns, ev.metadata.name), value: encodeEvent(ev) });
    }
    await store.txn(ops);
  }
  const base = `/apis/stackd.io/v1/namespaces/${ns}/events`;
  const filtered = `${base}?${new URLSearchParams({ fieldSelector: 'type=Warning', sinceTime: new Date(now - 600_000).toISOString() })}`;
  const read = async (path: string) => {
    let bytes = 0;
    const lat = await pool(lists, 1, async () => {
      const r = await call(c, 'GET', path);
      if (r.status !== 200) throw new Error(`events: ${r.status} ${r.text.slice(0, 200)}`);
      bytes = Buffer.byteLength(r.text);
    });
    return { lat, bytes };
  };
  const all = await read(base);
  const some = await read(filtered);
  console.log(
    `events ${events} in the stack, --type warning --since 10m: server-filtered ${some.bytes} bytes, p50 ${ms(percentile(some.lat, 50))}, p99 ${ms(percentile(some.lat, 99))} | all downloaded ${all.bytes} bytes (${(all.bytes / some.bytes).toFixed(0)}x), p50 ${ms(percentile(all.lat, 50))}, p99 ${ms(percentile(all.lat, 99))} (${(percentile(all.lat, 50) / percentile(some.lat, 50)).toFixed(1)}x)   [load ${load()}]`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      etcd: { type: 'string' },
      tasks: { type: 'string', default: '10000' },
      lists: { type: 'string', default: '20' },
      writes: { type: 'string', default: '1000' },
      'in-flight': { type: 'string', default: '8' },
      watchers: { type: 'string', default: '100' },
      'watch-writes': { type: 'string', default: '200' },
      events: { type: 'string', default: '5000' },
      'phase-seconds': { type: 'string', default: '120' },
    },
  });
  if (!values.etcd) throw new Error('--etcd HOST:PORT is required (hack/bench-api.sh starts one)');
  const n = (k: keyof typeof values) => Number(values[k]);
  const limit = n('phase-seconds');
  console.log(`bench:api  ${n('tasks')} tasks, ${n('writes')} writes, ${n('watchers')} watchers; load before ${load()}`);
  const store = await openEtcdStore([values.etcd]);
  const log = createLogger('bench-api', 'warn');
  const { server, url, leases } = await startApiServer(store, { listen: '127.0.0.1:0', stateDir: mkdtempSync(join(tmpdir(), 'stackd-bench-api-')), log });
  const { token } = await createToken(store, 'admin');
  const ca = (await store.get('/stackd/apiserver/ca.crt'))!.value;
  const c: Client = { base: url, token, ca, agent: new Agent({ keepAlive: true, maxSockets: 256, ca }) };
  const run = Date.now().toString(36);
  const phases: Array<[string, () => Promise<void>]> = [
    ['seed', async () => seed(store, `apl${run}`, n('tasks'))],
    ['list', () => listPhase(c, store, `apl${run}`, n('lists'))],
    ['writes', () => writePhase(c, store, `apl${run}`, n('writes'), n('in-flight'), n('tasks'))],
    ['watch', () => watchPhase(c, store, `apw${run}`, n('watchers'), n('watch-writes'))],
    ['events', () => eventsPhase(c, store, `ape${run}`, n('events'), n('lists'))],
  ];
  let failed = false;
  for (const [name, fn] of phases) {
    try {
      await bounded(name, limit, fn());
    } catch (err) {
      failed = true;
      console.log(`${name}: ${(err as Error).message}`);
    }
  }
  console.log(`load after ${load()}`);
  leases.close();
  server.closeAllConnections();
  server.close();
  c.agent.destroy();
  await store.close();
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.error(`bench:api: ${(err as Error).message}`);
  process.exit(1);
});
