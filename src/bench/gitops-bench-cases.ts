// The GitOps benchmark's measurements, each against a running stackd (manager + agent) over the
// same Store: commit-to-stack-updated through the webhook and through polling, and what an
// unchanged sync of many stacks costs (time, and the Store writes it makes).
import { firstValueFrom, race, timer, takeWhile, toArray, map } from 'rxjs';
import type { GitSource, Service, Task } from '../api/objects.js';
import { kindPrefix, objectKey } from '../api/keys.js';
import { getObject, listObjects } from '../client/objects.js';
import { requestSync } from '../gitops/request.js';
import { waitForSync } from '../gitops/wait-sync.js';
import { githubSignature } from '../gitops/webhook-auth.js';
import type { Store, WatchEvent } from '../store/store.js';
import type { BenchRepo } from './gitops-bench-repo.js';

export interface UpdateTimes {
  /** commit pushed → the Service in the Store has the new template */
  applied: number;
  /** commit pushed → a task of the new template is running */
  running: number;
}

const IMAGE = 'stackd/busybox:latest';
/** exits at once on SIGTERM (the shell runs the trap while it waits for the background sleep) */
const LOOP = "trap 'exit 0' TERM; while true; do sleep 1 & wait $$!; done";

/** One replica whose environment carries the revision, so each commit is a rollout. */
export function appStack(rev: number): string {
  return `services:
  app:
    image: ${IMAGE}
    command: ["sh", "-c", "${LOOP}"]
    environment:
      REV: "${rev}"
    stop_grace_period: 1s
`;
}

/** A stack with nothing to run: what an unchanged sync compares costs the same, no engine work. */
export function idleStack(i: number): string {
  return `services:
  app:
    image: ${IMAGE}
    command: ["sleep", "3600"]
    environment:
      INDEX: "${i}"
    deploy:
      replicas: 0
`;
}

const seconds = (t0: number) => (performance.now() - t0) / 1000;

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function serviceRev(store: Store, stack: string): Promise<string | null | undefined> {
  return (await getObject<Service>(store, 'Service', stack, 'app'))?.spec.template.environment.REV;
}

async function runningRev(store: Store, stack: string, rev: string): Promise<boolean> {
  const { items } = await listObjects<Task>(store, 'Task', stack);
  return items.some((t) => t.spec.desiredState === 'running' && t.status?.state === 'running' && t.spec.template.environment.REV === rev);
}

/** Pushes `rev` of the app stack, calls `trigger` (the webhook, or nothing for polling) and times
 *  the Store's Service and then a running task catching up. */
export async function timeUpdate(store: Store, repo: BenchRepo, stack: string, rev: number, trigger: (sha: string) => Promise<void>): Promise<UpdateTimes> {
  repo.write(`stacks/${stack}/stack.yml`, appStack(rev));
  const sha = await repo.commitAndPush(`rev ${rev}`);
  const t0 = performance.now();
  await trigger(sha);
  await until(async () => (await serviceRev(store, stack)) === String(rev), `${stack} REV=${rev} in the Store`);
  const applied = seconds(t0);
  await until(() => runningRev(store, stack, String(rev)), `a running task of ${stack} with REV=${rev}`);
  return { applied, running: seconds(t0) };
}

/** A GitHub-style push event for `sha`, signed with `token`; throws unless answered 202. */
export async function callWebhook(url: string, source: string, token: string, sha: string): Promise<void> {
  const body = JSON.stringify({ ref: 'refs/heads/main', after: sha });
  const res = await fetch(`${url}/hooks/git/${source}`, {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/json', 'X-GitHub-Event': 'push', 'X-Hub-Signature-256': githubSignature(body, token) },
  });
  if (res.status !== 202) throw new Error(`webhook answered ${res.status}: ${(await res.text()).trim()}`);
}

/** `gitops sync`: request a sync and wait until it is handled; the source as it ended. */
export async function syncNow(store: Store, name: string, timeoutMs = 300_000): Promise<GitSource> {
  const at = new Date().toISOString();
  await requestSync(store, name, at);
  const src = await waitForSync(store, name, at, timeoutMs);
  if (!src) throw new Error(`gitsource ${name}: no sync within ${timeoutMs / 1000}s`);
  return src;
}

export interface Writes {
  /** keys written other than the source's own object, by kind ("stacks", "services", ...) */
  writes: Record<string, number>;
  /** writes to the GitSource itself */
  sourceWrites: number;
}

export interface SyncCost extends Writes {
  seconds: number;
}

async function currentRevision(store: Store): Promise<number> {
  return (await store.list(kindPrefix('GitSource'))).revision;
}

/** Every write under /stackd/ in revisions from..to (inclusive). */
async function writesBetween(store: Store, from: number, to: number): Promise<WatchEvent[]> {
  if (to < from) return [];
  const batches$ = store.watch('/stackd/', from).pipe(
    takeWhile((m) => m.type === 'events' && m.revision < to, true),
    map((m) => (m.type === 'events' ? m.events.filter((e) => e.kv.modRevision <= to) : [])),
    toArray(),
  );
  // writes outside /stackd/ (leases, elections) may end the range: give up waiting after a while
  const batches = await firstValueFrom(race(batches$, timer(3000).pipe(map(() => [] as WatchEvent[][]))));
  return batches.flat();
}

function classify(events: WatchEvent[], source: string): Writes {
  const sourceKey = objectKey('GitSource', '', source);
  const writes: Record<string, number> = {};
  let sourceWrites = 0;
  for (const e of events) {
    if (e.kv.key === sourceKey) sourceWrites++;
    else {
      const kind = e.kv.key.split('/')[2] ?? '?';
      writes[kind] = (writes[kind] ?? 0) + 1;
    }
  }
  return { writes, sourceWrites };
}

/** Times an unchanged sync and counts what it wrote to the Store. */
export async function unchangedSync(store: Store, name: string): Promise<SyncCost> {
  const from = (await currentRevision(store)) + 1;
  const t0 = performance.now();
  const src = await syncNow(store, name);
  const took = seconds(t0);
  return { seconds: took, ...classify(await writesBetween(store, from, Number(src.metadata.resourceVersion)), name) };
}

/** The Store writes made while a polling source with nothing new polls for `ms` (once the source
 *  has seen its last rollout finish: that status write is not the polls'). */
export async function idlePolls(store: Store, name: string, ms: number): Promise<Writes> {
  const rolling = async () => (await getObject<GitSource>(store, 'GitSource', '', name))?.status?.stacks?.some((r) => r.result === 'rolling out') ?? true;
  await until(async () => !(await rolling()), `the rollouts of gitsource ${name}`);
  const from = (await currentRevision(store)) + 1;
  await new Promise((r) => setTimeout(r, ms));
  return classify(await writesBetween(store, from, await currentRevision(store)), name);
}
