// One live agent per node name in a store. The node's heartbeat key (on the agent's lease) says
// which agent holds the name: host, pid, since when. A second agent claiming a name held by a live
// one is refused, naming the first; an agent restarted after a crash (kill -9) takes the name over
// from its dead predecessor, whose lease may live on for a few seconds, without waiting when it
// can tell (same host, process gone), else once the old lease has lapsed.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { heartbeatKey } from '../api/keys.js';
import { CommandError } from '../errors.js';
import type { KeyValue, Store } from '../store/store.js';

export interface Claim {
  host: string;
  pid: number;
  /** when this agent started (RFC 3339) */
  since: string;
  /** this agent process, unique */
  instance: string;
}

export function thisAgent(): Claim {
  return { host: hostname(), pid: process.pid, since: new Date().toISOString(), instance: randomUUID() };
}

/** The claim in a heartbeat key; undefined for one written before claims existed (a date). Pure. */
export function parseClaim(value: string): Claim | undefined {
  try {
    const c = JSON.parse(value) as Partial<Claim>;
    return typeof c?.host === 'string' && typeof c.pid === 'number' && typeof c.instance === 'string' ? (c as Claim) : undefined;
  } catch {
    return undefined;
  }
}

export type Verdict = 'take' | 'refuse' | 'wait';

/** What to do about the claim found on the name. Pure (`alive` asks the OS about a local pid). */
export function judgeClaim(found: Claim | undefined, me: Claim, alive: (pid: number) => boolean): Verdict {
  if (found?.instance === me.instance) return 'take'; // ours (a lease renewed after a store outage)
  if (found && found.host === me.host) return alive(found.pid) ? 'refuse' : 'take';
  return 'wait'; // another host's, or an older agent's: live only if its lease outlives its TTL
}

/** A stackd process with that pid runs on this host. */
export function stackdAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('stackd');
  } catch {
    return true; // no /proc: the pid is taken, assume by the agent
  }
}

export class NodeClaimedError extends CommandError {
  override name = 'NodeClaimedError';
}

function refusal(node: string, kv: KeyValue): NodeClaimedError {
  const c = parseClaim(kv.value);
  const who = c ? `host ${c.host}, pid ${c.pid}, since ${c.since}` : `started ${kv.value} by an older stackd`;
  return new NodeClaimedError(`node ${node} is already claimed by a live agent (${who}); stop it, or give this one another --node-name`);
}

/**
 * Writes the node's heartbeat key on `lease` for `me`, or throws NodeClaimedError when a live agent
 * holds the name. Without a claim on the name it is one transaction. `lapseMs`: how long an
 * unjudgeable claim may take to lapse if its agent is dead (the heartbeat TTL and some slack).
 */
export async function claimNode(store: Store, node: string, me: Claim, lease: string, lapseMs: number, alive = stackdAlive, pollMs = 250): Promise<void> {
  const key = heartbeatKey(node);
  const value = JSON.stringify(me);
  let waitingFor: { value: string; until: number } | undefined;
  for (;;) {
    const found = await store.get(key);
    if (!found) {
      if ((await store.txn([{ op: 'create', key, value, lease }])).succeeded) return;
      continue; // another agent was quicker: judge its claim
    }
    const verdict = judgeClaim(parseClaim(found.value), me, alive);
    if (verdict === 'refuse') throw refusal(node, found);
    if (verdict === 'take') {
      if ((await store.txn([{ op: 'update', key, value, lease, revision: found.modRevision }])).succeeded) return;
      continue;
    }
    if (waitingFor?.value !== found.value) waitingFor = { value: found.value, until: Date.now() + lapseMs };
    else if (Date.now() > waitingFor.until) throw refusal(node, found);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
