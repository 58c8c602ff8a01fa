// GitOps benchmark: node dist/bench/gitops-bench.js --store URL --webhook URL --dir DIR --run ID
//   [--rounds 5] [--interval 5s] [--stacks 100]
// Needs a running stackd on that store with --webhook-listen (hack/bench-gitops.sh starts one).
// Makes its own repositories (file://) and sources, all named after --run, and prints:
//   webhook   commit pushed → Service updated / new task running, through POST /hooks/git/NAME
//   polling   the same with only the source's interval (commits at random phases)
//   unchanged a sync of --stacks stacks with nothing new: its time and its Store writes
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { writeGitOpsSecret } from '../gitops/credentials.js';
import { createGitSource, updateGitSourceSpec } from '../gitops/sources.js';
import { parseDuration } from '../stackfile/units.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';
import { BenchRepo } from './gitops-bench-repo.js';
import { callWebhook, idlePolls, idleStack, syncNow, timeUpdate, unchangedSync, type SyncCost, type UpdateTimes, type Writes } from './gitops-bench-cases.js';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const f2 = (x: number) => x.toFixed(2);
const log = (msg: string) => process.stderr.write(`${msg}\n`);
/** infrastructure writes that happen whatever the sync does */
const BACKGROUND = new Set(['heartbeats', 'nodes']);

interface Options {
  dir: string;
  run: string;
  webhook: string;
  rounds: number;
  interval: string;
  stacks: number;
}

async function updates(store: Store, o: Options, mode: 'webhook' | 'polling'): Promise<UpdateTimes[]> {
  const repo = await BenchRepo.create(o.dir, mode);
  const name = `${o.run}-${mode}`;
  const stack = `${o.run}-${mode === 'webhook' ? 'wh' : 'poll'}`;
  const token = randomBytes(24).toString('hex');
  await writeGitOpsSecret(store, name, { token: Buffer.from(token) });
  const spec = { repo: repo.url, branch: 'main', path: 'stacks', prune: true, suspend: false, webhookSecretRef: name };
  const interval = mode === 'polling' ? o.interval : '1h';
  // rev 0 (not timed): the first deploy, the image and network in place
  const first = await timeUpdate(store, repo, stack, 0, async () => {
    if (!(await createGitSource(store, name, { ...spec, interval }))) throw new Error(`gitsource ${name} exists already`);
  });
  log(`  ${mode}: first deploy ${f2(first.running)} s`);
  const webhook = (sha: string) => callWebhook(o.webhook, name, token, sha);
  const intervalMs = parseDuration(o.interval);
  const times: UpdateTimes[] = [];
  for (let rev = 1; rev <= o.rounds; rev++) {
    if (mode === 'polling') await new Promise((r) => setTimeout(r, Math.random() * intervalMs));
    const t = await timeUpdate(store, repo, stack, rev, mode === 'webhook' ? webhook : async () => undefined);
    log(`  ${mode} ${rev}: applied ${f2(t.applied)} s, running ${f2(t.running)} s`);
    times.push(t);
  }
  return times;
}

/** Lets the polling source poll twice with nothing new and counts the writes; then suspends both
 *  sources so that they are quiet while the unchanged sync is measured. */
async function quietPolls(store: Store, o: Options): Promise<Writes> {
  const writes = await idlePolls(store, `${o.run}-polling`, 2 * parseDuration(o.interval) + 500);
  log(`  two unchanged polls: writes ${JSON.stringify(writes.writes)}, to the source ${writes.sourceWrites}`);
  for (const mode of ['webhook', 'polling']) await updateGitSourceSpec(store, `${o.run}-${mode}`, (spec) => ({ ...spec, suspend: true }));
  return writes;
}

async function unchanged(store: Store, o: Options): Promise<{ first: number; costs: SyncCost[] }> {
  const repo = await BenchRepo.create(o.dir, 'many');
  const name = `${o.run}-many`;
  for (let i = 0; i < o.stacks; i++) repo.write(`stacks/${o.run}-s${String(i).padStart(3, '0')}/stack.yml`, idleStack(i));
  await repo.commitAndPush(`${o.stacks} stacks`);
  if (!(await createGitSource(store, name, { repo: repo.url, branch: 'main', path: 'stacks', interval: '1h', prune: true, suspend: false }))) {
    throw new Error(`gitsource ${name} exists already`);
  }
  const t0 = performance.now();
  const src = await syncNow(store, name);
  const first = (performance.now() - t0) / 1000;
  const applied = src.status?.inventory?.length ?? 0;
  if (applied !== o.stacks) throw new Error(`gitsource ${name}: ${applied}/${o.stacks} stacks applied (${JSON.stringify(src.status?.conditions)})`);
  log(`  first sync of ${o.stacks} stacks: ${f2(first)} s`);
  const costs: SyncCost[] = [];
  for (let i = 0; i < o.rounds; i++) {
    const cost = await unchangedSync(store, name);
    log(`  unchanged sync ${i + 1}: ${f2(cost.seconds)} s, writes ${JSON.stringify(cost.writes)}, to the source ${cost.sourceWrites}`);
    costs.push(cost);
  }
  return { first, costs };
}

function report(o: Options, hook: UpdateTimes[], poll: UpdateTimes[], idle: Writes, many: { first: number; costs: SyncCost[] }): void {
  const interval = parseDuration(o.interval) / 1000;
  const m = (xs: UpdateTimes[], k: keyof UpdateTimes) => median(xs.map((x) => x[k]));
  const syncWrites = (c: Writes) =>
    Object.entries(c.writes)
      .filter(([k]) => !BACKGROUND.has(k))
      .reduce((n, [, v]) => n + v, 0);
  const background = (c: Writes) =>
    Object.entries(c.writes)
      .filter(([k]) => BACKGROUND.has(k))
      .reduce((n, [, v]) => n + v, 0);
  const unchangedS = median(many.costs.map((c) => c.seconds));
  const rows: [string, string, string][] = [
    ['commit → stack updated', 'applied (s)', 'running (s)'],
    ['webhook', f2(m(hook, 'applied')), f2(m(hook, 'running'))],
    [`polling, interval ${o.interval}`, f2(m(poll, 'applied')), f2(m(poll, 'running'))],
    ['expected polling: interval/2 + webhook', f2(interval / 2 + m(hook, 'applied')), f2(interval / 2 + m(hook, 'running'))],
  ];
  console.log(`medians of ${o.rounds} round(s)`);
  for (const [a, b, c] of rows) console.log(`${a.padEnd(40)} ${b.padStart(12)} ${c.padStart(12)}`);
  console.log(`${'polling/webhook (applied)'.padEnd(40)} ${`${f2(m(poll, 'applied') / m(hook, 'applied'))}x`.padStart(12)}`);
  console.log(
    `${'two unchanged polls: writes to stacks'.padEnd(40)} ${String(syncWrites(idle)).padStart(12)}    (target: 0; ${idle.sourceWrites} to the GitSource itself)`,
  );
  console.log('');
  console.log(`${`first sync, ${o.stacks} stacks`.padEnd(40)} ${f2(many.first).padStart(12)} s`);
  console.log(`${`unchanged sync, ${o.stacks} stacks`.padEnd(40)} ${f2(unchangedS).padStart(12)} s  (target: under 1 s)`);
  console.log(
    `${'  its writes to stacks and their objects'.padEnd(40)} ${String(Math.max(...many.costs.map(syncWrites))).padStart(12)}    (target: 0; most of any round)`,
  );
  console.log(
    `${'  its writes to the GitSource itself'.padEnd(40)} ${String(Math.max(...many.costs.map((c) => c.sourceWrites))).padStart(12)}    (the request and the status)`,
  );
  console.log(
    `${'  background writes meanwhile'.padEnd(40)} ${String(Math.max(...many.costs.map(background))).padStart(12)}    (heartbeats, nodes: not the sync's)`,
  );
  console.log(`${'unchanged sync / first sync'.padEnd(40)} ${`${f2(unchangedS / many.first)}x`.padStart(12)}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      store: { type: 'string' },
      webhook: { type: 'string' },
      dir: { type: 'string' },
      run: { type: 'string' },
      rounds: { type: 'string', default: '5' },
      interval: { type: 'string', default: '5s' },
      stacks: { type: 'string', default: '100' },
    },
  });
  if (!values.store || !values.webhook || !values.dir || !values.run)
    throw new Error('usage: gitops-bench.js --store URL --webhook URL --dir DIR --run ID [--rounds N] [--interval 5s] [--stacks 100]');
  const o: Options = {
    dir: values.dir,
    run: values.run,
    webhook: values.webhook,
    rounds: Number(values.rounds),
    interval: values.interval!,
    stacks: Number(values.stacks),
  };
  const store = await openStore(values.store);
  try {
    const hook = await updates(store, o, 'webhook');
    const poll = await updates(store, o, 'polling');
    const idle = await quietPolls(store, o);
    const many = await unchanged(store, o);
    report(o, hook, poll, idle, many);
  } finally {
    await store.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`gitops-bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
