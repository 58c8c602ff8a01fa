// GET /apis/stackd.io/v1/controlplane: the managers' presence keys and the leader election's
// campaigners, as the Store holds them (key, value, create/mod revision), for `stackctl cluster
// status` through the API (who leads is the oldest campaigner: cli/cluster-view.ts decides). Read by
// admins and viewers; a node identity has no business with the control plane.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MANAGER_ELECTION, MANAGER_PREFIX } from '../api/keys.js';
import { electionPrefix } from '../store/store-election.js';
import type { KeyValue, Store } from '../store/store.js';
import { ApiError, sendJson } from './http.js';
import { GROUP_VERSION } from './resources.js';
import type { Identity } from './tokens.js';

export const CONTROL_PLANE_PATH = `/apis/${GROUP_VERSION}/controlplane`;

const bare = ({ key, value, createRevision, modRevision }: KeyValue): KeyValue => ({ key, value, createRevision, modRevision });

export async function controlPlaneRoute(store: Store, who: Identity, path: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (path !== CONTROL_PLANE_PATH) return false;
  if (who.role === 'node') throw new ApiError('Forbidden', `controlplane.stackd.io is forbidden: node ${who.node} may not read the control plane`);
  if (req.method !== 'GET') throw new ApiError('MethodNotAllowed', `${req.method} is not served on controlplane`);
  const [presence, campaigners] = await Promise.all([store.list(MANAGER_PREFIX), store.list(electionPrefix(MANAGER_ELECTION))]);
  sendJson(res, 200, {
    apiVersion: GROUP_VERSION,
    kind: 'ControlPlane',
    metadata: { name: 'stackd', resourceVersion: String(Math.max(presence.revision, campaigners.revision)) },
    managers: presence.items.map(bare),
    campaigners: campaigners.items.map(bare),
  });
  return true;
}
