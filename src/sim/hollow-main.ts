// SIMULATION: `node dist/sim/hollow-main.js --store URL --prefix hollow- --first 0 --count 100
// [--groups 5]` runs that many hollow nodes (real agents over in-memory runtimes) until SIGTERM.
// The nodes are split into groups, each with a Store client of its own: SIGUSR2 crashes the last
// group still alive (its agents stop and its client closes without revoking their heartbeat
// leases, which then lapse as a dead host's would), and prints {"lost":[names]}. Every 2 s, and
// once at exit, it prints {"nodes":N,"created":..,"running":..,"exited":..,"starts":..}.
import { setMaxListeners } from 'node:events';
import { parseArgs } from 'node:util';
import { createLogger } from '../log.js';
import { openStore } from '../store/open.js';
import { hollowGroups, startHollowNodes, type HollowNodes } from './hollow-nodes.js';

const { values } = parseArgs({
  options: {
    store: { type: 'string' },
    prefix: { type: 'string', default: 'hollow-' },
    first: { type: 'string', default: '0' },
    count: { type: 'string', default: '10' },
    groups: { type: 'string', default: '1' },
    'start-delay-ms': { type: 'string', default: '0' },
    'healthy-after-ms': { type: 'string', default: '0' },
    'heartbeat-ttl': { type: 'string', default: '5' },
  },
});
const num = (name: keyof typeof values) => {
  const n = Number(values[name]);
  if (!Number.isFinite(n) || n < 0) {
    process.stderr.write(`hollow-main: --${name} ${values[name]}: expected a number\n`);
    process.exit(2);
  }
  return n;
};

const log = createLogger('hollow', process.env.STACKD_LOG_LEVEL ?? 'warn');
const all = new AbortController();
process.once('SIGTERM', () => all.abort());
process.once('SIGINT', () => all.abort());
const groups = await Promise.all(
  hollowGroups(num('first'), num('count'), Math.max(1, num('groups'))).map(async ({ first, count }) => {
    const store = await openStore(values.store);
    const stop = new AbortController();
    setMaxListeners(Infinity, stop.signal); // every hollow agent of the group listens on it
    all.signal.addEventListener('abort', () => stop.abort(), { once: true });
    const opts = {
      prefix: values.prefix!,
      first,
      count,
      startDelayMs: num('start-delay-ms'),
      healthyAfterMs: num('healthy-after-ms'),
      heartbeatTtlSeconds: num('heartbeat-ttl'),
      log,
    };
    return {
      store,
      stop,
      nodes: startHollowNodes(store, opts, stop.signal) as HollowNodes,
      names: Array.from({ length: count }, (_, i) => `${values.prefix}${first + i}`),
    };
  }),
);
let alive = groups.length;
process.on('SIGUSR2', () => {
  if (alive === 0) return;
  const g = groups[--alive];
  g.stop.abort();
  void g.store.close();
  process.stdout.write(`${JSON.stringify({ lost: g.names })}\n`);
});
const report = () => {
  const sum = { nodes: 0, created: 0, running: 0, exited: 0, starts: 0 };
  for (const r of groups.slice(0, alive).flatMap((g) => g.nodes.runtimes)) {
    const c = r.counts();
    sum.nodes++;
    sum.created += c.created;
    sum.running += c.running;
    sum.exited += c.exited;
    sum.starts += r.starts;
  }
  process.stdout.write(`${JSON.stringify(sum)}\n`);
};
const timer = setInterval(report, 2000);
await Promise.all(groups.map((g) => g.nodes.done));
clearInterval(timer);
report();
await Promise.all(groups.map((g) => g.store.close()));
// reports still queued for a closed store would retry forever: this process is done
process.exit(0);
