// Keys the compose-spec allows that mean nothing for a stack spread over a fleet (or that Docker
// Engine 20.10 cannot do): like `docker stack deploy`, stackd warns once per key ("Ignoring
// unsupported options: ...") and drops them before its own schema reads the file. Keys whose
// absence would silently change what runs (resource limits, shared namespaces, read_only...) are
// not here: schema-service.ts refuses them with a reason.
import { type Problem, problemAt } from './errors.js';
import type { LMap, LNode } from './yaml-source.js';

const SERVICE_IGNORED = [
  // Compose-only or host-only settings
  'annotations',
  'attach',
  'blkio_config',
  'cgroup',
  'cpu_count',
  'cpu_percent',
  'cpu_rt_period',
  'cpu_rt_runtime',
  'credential_spec',
  'device_cgroup_rules',
  'develop',
  'dns_opt',
  'dns_search',
  'domainname',
  'external_links',
  'gpus',
  'isolation',
  'label_file',
  'links',
  'logging',
  'mac_address',
  'mem_swappiness',
  'models',
  'oom_kill_disable',
  'oom_score_adj',
  'platform',
  'post_start',
  'pre_stop',
  'provider',
  'pull_policy',
  'pull_refresh_after',
  'storage_opt',
  'use_api_socket',
  'uts',
  // build options the engine's classic builder has no use for
  'build.cache_from',
  'build.cache_to',
  'build.entitlements',
  'build.extra_hosts',
  'build.isolation',
  'build.network',
  'build.no_cache',
  'build.platforms',
  'build.privileged',
  'build.provenance',
  'build.pull',
  'build.sbom',
  'build.shm_size',
  'build.tags',
  'build.ulimits',
  // per-task addresses cannot be static when a service has several tasks on several nodes
  'networks.*.interface_name',
  'networks.*.ipv4_address',
  'networks.*.ipv6_address',
  'networks.*.link_local_ips',
  'networks.*.mac_address',
  'networks.*.driver_opts',
  'networks.*.priority',
  'networks.*.gw_priority',
  'depends_on.*.restart',
  'healthcheck.start_interval',
  'ports.*.name',
  'ports.*.app_protocol',
  'volumes.*.consistency',
  'volumes.*.bind.recursive',
  'volumes.*.bind.selinux',
];
const TOP_IGNORED = [
  'models',
  'networks.*.enable_ipv4',
  'networks.*.enable_ipv6',
  'networks.*.ipam.options',
  'networks.*.ipam.config.*.ip_range',
  'networks.*.ipam.config.*.gateway',
  'networks.*.ipam.config.*.aux_addresses',
];

/** Objects of the schema where x-* keys are allowed and mean nothing to stackd (top level and services keep theirs). */
const X_SERVICE = [
  'build',
  'deploy',
  'deploy.placement.preferences.*',
  'deploy.resources',
  'deploy.resources.limits',
  'deploy.resources.reservations',
  'deploy.restart_policy',
  'deploy.update_config',
  'deploy.rollback_config',
  'healthcheck',
  'networks.*',
  'ports.*',
  'volumes.*',
  'volumes.*.bind',
  'volumes.*.volume',
  'volumes.*.tmpfs',
  'configs.*',
  'secrets.*',
  'depends_on.*',
  'env_file.*',
  'logging',
  'extends',
];
const X_TOP = ['networks.*', 'networks.*.ipam', 'networks.*.ipam.config.*', 'volumes.*', 'configs.*', 'secrets.*'];

const split = (p: string) => p.split('.');
const IGNORED = [...SERVICE_IGNORED.map((p) => ['services', '*', ...split(p)]), ...TOP_IGNORED.map(split)];
const X_OBJECTS = [...X_SERVICE.map((p) => ['services', '*', ...split(p)]), ...X_TOP.map(split)];

/** The tree without ignored keys, and one warning per ignored key (at its first use). */
export function dropIgnored(root: LNode): { root: LNode; warnings: Problem[] } {
  const warnings: Problem[] = [];
  const warned = new Set<string>();
  let out = root;
  for (const pattern of IGNORED) {
    const name = pattern.filter((p, i) => p !== '*' && !(i === 0 && p === 'services')).join('.');
    out = edit(out, pattern.slice(0, -1), (map) => {
      const key = pattern[pattern.length - 1];
      const value = map.entries.get(key);
      if (!value) return map;
      if (!warned.has(name)) {
        warned.add(name);
        warnings.push(problemAt(value.keyLoc ?? value.loc, [], `Ignoring unsupported options: ${name}`));
      }
      return without(map, (k) => k === key);
    });
  }
  for (const pattern of X_OBJECTS) out = edit(out, pattern, (map) => without(map, (k) => k.startsWith('x-')));
  return { root: out, warnings };
}

/** `root` with `f` applied to every map at `pattern` (`*`: any key or list item); unchanged parts shared. */
function edit(node: LNode, pattern: string[], f: (map: LMap) => LMap): LNode {
  if (pattern.length === 0) return node.kind === 'map' ? f(node) : node;
  const [head, ...rest] = pattern;
  if (node.kind === 'seq' && head === '*') {
    const items = node.items.map((item) => edit(item, rest, f));
    return items.every((x, i) => x === node.items[i]) ? node : { ...node, items };
  }
  if (node.kind !== 'map') return node;
  let changed = false;
  const entries = new Map<string, LNode>();
  for (const [k, v] of node.entries) {
    const next = head === '*' || head === k ? edit(v, rest, f) : v;
    changed ||= next !== v;
    entries.set(k, next);
  }
  return changed ? { ...node, entries } : node;
}

function without(map: LMap, drop: (key: string) => boolean): LMap {
  if (![...map.entries.keys()].some(drop)) return map;
  return { ...map, entries: new Map([...map.entries].filter(([k]) => !drop(k))) };
}
