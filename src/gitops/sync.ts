// One sync of a GitSource: fetch, load every stack (all or nothing), deploy, prune, judge the
// rollouts. Returns the status to write; planning lives in plan.ts, stack-result.ts, conditions.ts.
import { join } from 'node:path';
import type { Resource } from '../api/meta.js';
import type { GitSource, GitSourceStatus, GitStackResult, Network, Service, Task } from '../api/objects.js';
import { listObjects } from '../client/objects.js';
import { withTransitionTimes } from '../manager/status.js';
import { missingExternalNetworks } from '../net/cluster-network.js';
import { deployStack, removeStack } from '../stacks/apply.js';
import type { Store } from '../store/store.js';
import { sourceConditions, type SyncOutcome } from './conditions.js';
import { readGitOpsSecret } from './credentials.js';
import { fetchCommit, FetchError } from './git-fetch.js';
import { nextInventory, planSync } from './plan.js';
import { loadRepo, type Decrypt, type RepoStack } from './read-repo.js';
import { GITSOURCE_LABEL, requestedAt } from './request.js';
import { judgeRollout, unsettled } from './stack-result.js';

export interface GitOpsContext {
  store: Store;
  /** one folder per source is kept under it */
  cacheDir: string;
  decrypt?: Decrypt;
  log: (msg: string) => void;
}

function finish(src: GitSource, status: GitSourceStatus, outcome: SyncOutcome): GitSourceStatus {
  const handled = requestedAt(src);
  return {
    ...status,
    observedGeneration: src.metadata.generation,
    ...(handled ? { lastHandledRequestedAt: handled } : {}),
    conditions: withTransitionTimes(sourceConditions(outcome), src.status?.conditions, new Date()),
  };
}

async function judgeStored(store: Store, stack: string, since: Date) {
  const [services, tasks] = await Promise.all([listObjects<Service>(store, 'Service', stack), listObjects<Task>(store, 'Task', stack)]);
  return judgeRollout(services.items, tasks.items, since);
}

/** Deploy one stack of the commit and say how it stands. */
async function applyStack(
  ctx: GitOpsContext,
  src: GitSource,
  stack: RepoStack,
  existed: boolean,
  newCommit: boolean,
): Promise<{ result: GitStackResult; drift: boolean }> {
  const before = src.status?.stacks?.find((s) => s.stack === stack.name);
  const base = { stack: stack.name, file: stack.file, digest: stack.digest };
  const now = new Date();
  let wrote: boolean;
  try {
    const missing = missingExternalNetworks(stack.input.stack, (await listObjects<Network>(ctx.store, 'Network', '')).items, stack.input.externalAt);
    if (missing.length) return { result: { ...base, result: 'failed', message: missing.join('; ') }, drift: false };
    const out = await deployStack(ctx.store, stack.name, stack.input, { prune: true, labels: { [GITSOURCE_LABEL]: src.metadata.name } });
    wrote = out.revision !== 0;
  } catch (err) {
    return { result: { ...base, result: 'failed', message: (err as Error).message }, drift: false };
  }
  const drift = wrote && existed && before?.digest === stack.digest;
  if (!wrote && !unsettled(before)) {
    const kept = !newCommit && before ? before : { ...base, result: 'unchanged' as const };
    return { result: { ...kept, ...base }, drift };
  }
  const deployedAt = wrote ? now.toISOString() : before?.deployedAt;
  const verdict = await judgeStored(ctx.store, stack.name, new Date(deployedAt ?? 0));
  return { result: { ...base, ...(deployedAt ? { deployedAt } : {}), ...verdict }, drift };
}

export async function syncSource(ctx: GitOpsContext, src: GitSource): Promise<GitSourceStatus> {
  const name = src.metadata.name;
  const prev = src.status ?? {};
  const { repo, branch, path, secretRef, prune } = src.spec;
  const creds = secretRef ? await readGitOpsSecret(ctx.store, secretRef) : undefined;
  if (secretRef && !creds) {
    const message = `gitopssecret ${secretRef} not found (create it with stackctl gitops create-secret ${secretRef} --from-file ...)`;
    return finish(src, prev, { kind: 'fetch-failed', reason: 'AuthenticationFailed', message });
  }
  let sha: string;
  try {
    sha = (await fetchCommit({ dir: join(ctx.cacheDir, name), repo, branch, creds })).sha;
  } catch (err) {
    if (!(err instanceof FetchError)) throw err;
    const message =
      err.reason !== 'AuthenticationFailed'
        ? err.message
        : secretRef
          ? `the server refused the credentials in gitopssecret ${secretRef}: ${err.message}`
          : `the repository needs credentials (stackctl gitops create-secret, then --secret-ref): ${err.message}`;
    ctx.log(`gitsource ${name}: ${err.reason}: ${message}`);
    return finish(src, prev, { kind: 'fetch-failed', reason: err.reason, message });
  }
  const revision = `${branch}@${sha}`;
  const loaded = await loadRepo(join(ctx.cacheDir, name), path, ctx.decrypt);
  if (!loaded.ok) {
    ctx.log(`gitsource ${name}: ${revision} is not valid; nothing applied`);
    return finish(src, { ...prev, lastAttemptedRevision: revision }, { kind: 'invalid', revision, problems: loaded.problems });
  }

  const existing = new Map<string, Resource>((await listObjects(ctx.store, 'Stack')).items.map((s) => [s.metadata.name, s]));
  const plan = planSync({
    source: name,
    prune,
    inventory: prev.inventory ?? [],
    wanted: loaded.stacks.map(({ name: n, file, digest }) => ({ name: n, file, digest })),
    existing,
    previous: prev.stacks ?? [],
  });
  const newCommit = revision !== prev.lastAppliedRevision;
  const results: GitStackResult[] = [...plan.held, ...plan.conflicts];
  const drift: string[] = newCommit ? [] : [...(prev.driftCorrected ?? [])];
  const failedCreates = new Set<string>();
  for (const w of plan.apply) {
    const stack = loaded.stacks.find((s) => s.name === w.name)!;
    const out = await applyStack(ctx, src, stack, existing.has(w.name), newCommit);
    results.push(out.result);
    if (out.drift && !drift.includes(w.name)) drift.push(w.name);
    if (out.result.result === 'failed' && !existing.has(w.name)) failedCreates.add(w.name);
    if (out.result.result !== prev.stacks?.find((s) => s.stack === w.name)?.result)
      ctx.log(`gitsource ${name}: stack ${w.name} ${out.result.result}${out.drift ? ' (drift corrected)' : ''}`);
  }
  for (const stack of plan.prune) {
    await removeStack(ctx.store, stack);
    ctx.log(`gitsource ${name}: stack ${stack} pruned (gone from git)`);
    results.push({ stack, file: prev.stacks?.find((s) => s.stack === stack)?.file ?? '', result: 'pruned' });
  }
  if (!newCommit) results.push(...(prev.stacks ?? []).filter((s) => s.result === 'pruned' && !results.some((r) => r.stack === s.stack)));
  for (const stack of plan.orphaned) {
    results.push({ stack, file: prev.stacks?.find((s) => s.stack === stack)?.file ?? '', result: 'orphaned', message: 'gone from git; kept because prune is off' });
  }
  results.sort((a, b) => a.stack.localeCompare(b.stack));
  const status: GitSourceStatus = {
    ...prev,
    lastAttemptedRevision: revision,
    lastAppliedRevision: revision,
    inventory: nextInventory(plan, failedCreates),
    stacks: results,
    driftCorrected: drift.sort(),
  };
  return finish(src, status, { kind: 'applied', revision, stacks: results });
}

/** Between syncs: judge the rollouts the last sync left going, without fetching. */
export async function recheckRollouts(ctx: GitOpsContext, src: GitSource): Promise<GitSourceStatus> {
  const prev = src.status ?? {};
  const stacks: GitStackResult[] = [];
  for (const r of prev.stacks ?? []) {
    stacks.push(unsettled(r) ? { ...withoutMessage(r), ...(await judgeStored(ctx.store, r.stack, new Date(r.deployedAt ?? 0))) } : r);
  }
  const revision = prev.lastAppliedRevision ?? '';
  return { ...prev, stacks, conditions: withTransitionTimes(sourceConditions({ kind: 'applied', revision, stacks }), prev.conditions, new Date()) };
}

function withoutMessage(r: GitStackResult): GitStackResult {
  const { message: _m, ...rest } = r;
  return rest;
}
