// Discovery documents, as kubectl and client-node read them: /api, /apis, /apis/stackd.io/v1, /version.
// There is no core group: `kubectl get nodes.stackd.io` names ours; `stacks` and `tasks` are unique.
import { EVENTS_PLURAL } from './events.js';
import { GROUP, GROUP_VERSION, RESOURCES, VERSION } from './resources.js';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete'];

export function apiVersions() {
  return { kind: 'APIVersions', apiVersion: 'v1', versions: [], serverAddressByClientCIDRs: [] };
}

export function apiGroupList() {
  const version = { groupVersion: GROUP_VERSION, version: VERSION };
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: GROUP, versions: [version], preferredVersion: version }] };
}

export function apiResourceList() {
  const resources = RESOURCES.flatMap((r) => [
    {
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: [...READ, ...WRITE],
      shortNames: r.shortNames,
      categories: ['stackd'],
    },
    ...r.subresources.map((sub) =>
      sub === 'scale'
        ? {
            name: `${r.plural}/scale`,
            singularName: '',
            namespaced: r.namespaced,
            group: 'autoscaling',
            version: 'v1',
            kind: 'Scale',
            verbs: ['get', 'patch', 'update'],
          }
        : { name: `${r.plural}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] },
    ),
  ]);
  // read-only: the manager records them (apiserver/events.ts); `ev` as kubectl's core events
  const events = { name: EVENTS_PLURAL, singularName: 'event', namespaced: true, kind: 'Event', verbs: READ, shortNames: ['ev'], categories: [] };
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: GROUP_VERSION, resources: [...resources, events] };
}

export function versionInfo() {
  return {
    major: '1',
    minor: '0',
    gitVersion: 'v1.0.0-stackd',
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch}`,
  };
}
