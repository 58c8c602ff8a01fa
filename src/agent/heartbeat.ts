// The node is ready while both its agent and its Docker Engine live. The heartbeat lease is held
// only while the engine answers; when the engine stops answering, the lease is revoked (the node
// goes down and its tasks are replaced elsewhere) and the problem is written on the Node as the
// condition EngineReachable=False, shown by `node ls` and `node inspect`.
import { catchError, filter, firstValueFrom, from, fromEvent, interval, map, mergeMap, of, take, takeUntil } from 'rxjs';
import { objectKey } from '../api/keys.js';
import type { Node } from '../api/objects.js';
import { encodeObject } from '../client/codec.js';
import { getObject } from '../client/objects.js';
import type { Logger } from '../log.js';
import type { ContainerRuntime } from '../runtime/container-runtime.js';
import type { Store } from '../store/store.js';
import { startHeartbeat } from './register.js';
import { thisAgent, type Claim } from './node-claim.js';
import { retrying } from './retrying.js';

/** What the heartbeat asks of the engine: whether it answers. */
type EngineIdentity = Pick<ContainerRuntime, 'endpoint' | 'engineInfo'>;

const ENGINE_CHECK_MS = 2_000;

/** Record whether the engine answers, as a condition on the Node (if it is registered yet). */
export async function setEngineCondition(store: Store, nodeName: string, reachable: boolean, message: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const node = await getObject<Node>(store, 'Node', '', nodeName);
    if (!node?.status) return;
    const others = (node.status.conditions ?? []).filter((c) => c.type !== 'EngineReachable');
    const prev = node.status.conditions?.find((c) => c.type === 'EngineReachable');
    const status = reachable ? 'True' : 'False';
    if (prev?.status === status && prev.message === message) return;
    const condition = {
      type: 'EngineReachable',
      status,
      reason: reachable ? 'Answering' : 'Unreachable',
      message,
      lastTransitionTime: new Date().toISOString(),
    } as const;
    const next: Node = { ...node, status: { ...node.status, conditions: [...others, condition] } };
    const key = objectKey('Node', '', nodeName);
    const res = await store.txn([{ op: 'update', key, value: encodeObject(next), revision: Number(node.metadata.resourceVersion) }]);
    if (res.succeeded) return;
  }
}

/** Resolves with the engine's error the first time it does not answer, or with undefined once
 *  `until` aborts (its timer must not outlive the round: it would keep a stopped daemon alive). */
function engineDown(runtime: EngineIdentity, until: AbortSignal): Promise<string | undefined> {
  return firstValueFrom(
    interval(ENGINE_CHECK_MS).pipe(
      takeUntil(fromEvent(until, 'abort')),
      mergeMap(() =>
        from(runtime.engineInfo()).pipe(
          map(() => undefined),
          catchError((err: Error) => of(err.message)),
        ),
      ),
      filter((problem): problem is string => problem !== undefined),
      take(1),
    ),
    { defaultValue: undefined },
  );
}

/** The lease of the agent's live heartbeat (undefined while there is none): the garbage collector
 *  works only while the agent holds its node. */
export class HeartbeatState {
  lease: string | undefined;
  readonly me: Claim = thisAgent();
}

/** Runs for the agent's life; `onBeat` is called each time the heartbeat is (re)established.
 *  Throws NodeClaimedError if another live agent holds the node name. */
export async function heartbeat(
  store: Store,
  runtime: EngineIdentity,
  nodeName: string,
  ttl: number,
  signal: AbortSignal,
  log: Logger,
  state: HeartbeatState,
  onBeat: () => void = () => undefined,
): Promise<void> {
  const aborted = new Promise<{ type: 'stop' }>((r) => signal.addEventListener('abort', () => r({ type: 'stop' }), { once: true }));
  while (!signal.aborted) {
    if (!(await retrying(`docker ${runtime.endpoint}`, () => runtime.engineInfo(), signal, log))) return;
    await setEngineCondition(store, nodeName, true, '').catch(() => undefined);
    const lease = await retrying('heartbeat', () => startHeartbeat(store, nodeName, ttl, state.me), signal, log);
    if (!lease) return;
    state.lease = lease.id;
    onBeat();
    const round = new AbortController();
    const why = await Promise.race([
      firstValueFrom(lease.lost$).then((reason) => ({ type: 'lease' as const, reason })),
      engineDown(runtime, round.signal).then((reason) => (reason === undefined ? ({ type: 'stop' } as const) : { type: 'engine' as const, reason })),
      aborted,
    ]).finally(() => round.abort());
    state.lease = undefined;
    if (why.type === 'lease') log.warn(`heartbeat lease lost (${why.reason}); renewing`);
    if (why.type === 'engine') {
      log.warn(`${why.reason}: node ${nodeName} goes down until the engine answers`);
      await setEngineCondition(store, nodeName, false, why.reason).catch(() => undefined);
      await lease.revoke().catch(() => undefined);
    }
  }
}
