// The agent's Node: registered (or refreshed) at start, kept alive by a heartbeat on a lease.
import { objectKey } from '../api/keys.js';
import type { Node, NodeSpec, NodeStatus } from '../api/objects.js';
import { getObject } from '../client/objects.js';
import { materialize } from '../client/materialize.js';
import { encodeObject } from '../client/codec.js';
import { systemClock } from '../client/clock.js';
import type { Lease, Store } from '../store/store.js';
import { claimNode, type Claim } from './node-claim.js';

export interface NodeFacts {
  name: string;
  role: NodeSpec['role'];
  /** --label k=v given to the agent: set on the node at every start */
  labels: Record<string, string>;
  hostname: string;
  address?: string;
  /** cluster networking is on (--netns): ingress ports are the routing mesh's */
  mesh?: boolean;
  engineVersion?: string;
  engineLabels: Record<string, string>;
  cpus: number;
  memoryBytes: number;
  platform?: { os: string; arch: string };
  /** how a client on this machine reaches the node's engine (for `service logs`) */
  dockerEndpoint?: string;
}

/** Create the Node, or refresh what the agent knows of it; availability and other labels stay as set. */
export async function registerNode(store: Store, facts: NodeFacts): Promise<Node> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const existing = await getObject<Node>(store, 'Node', '', facts.name);
    const spec: NodeSpec = {
      role: facts.role,
      availability: existing?.spec.availability ?? 'active',
      labels: { ...(existing?.spec.labels ?? {}), ...facts.labels },
    };
    const m = materialize({ kind: 'Node', metadata: { name: facts.name, namespace: '' }, spec }, existing, systemClock);
    const status: NodeStatus = {
      ...(existing?.status ?? {}),
      state: 'ready',
      message: '',
      hostname: facts.hostname,
      address: facts.address,
      mesh: facts.mesh || undefined,
      engineVersion: facts.engineVersion,
      engineLabels: facts.engineLabels,
      cpus: facts.cpus,
      memoryBytes: facts.memoryBytes,
      ...(facts.platform ? { platform: facts.platform } : {}),
      ...(facts.dockerEndpoint ? { dockerEndpoint: facts.dockerEndpoint } : {}),
      lastHeartbeat: new Date().toISOString(),
    };
    const node = { ...m.object, status } as Node;
    const key = objectKey('Node', '', facts.name);
    const value = encodeObject(node);
    const res = await store.txn([existing ? { op: 'update', key, value, revision: Number(existing.metadata.resourceVersion) } : { op: 'create', key, value }]);
    if (res.succeeded) return { ...node, metadata: { ...node.metadata, resourceVersion: String(res.revision) } };
  }
  throw new Error(`node ${facts.name} is being changed by another writer; try again`);
}

/** A lease whose key says "this node's agent is alive" (and which agent: node-claim.ts); it
 *  disappears when the agent stops. Throws NodeClaimedError when a live agent holds the name. */
export async function startHeartbeat(store: Store, nodeName: string, ttlSeconds: number, me: Claim): Promise<Lease> {
  const lease = await store.grantLease(ttlSeconds);
  try {
    await claimNode(store, nodeName, me, lease.id, (ttlSeconds + 2) * 1000);
  } catch (err) {
    await lease.revoke().catch(() => undefined); // the retry grants another: keep none alive for nothing
    throw err;
  }
  return lease;
}
