// The overlay's wiring on one host: a VXLAN device per cluster network, enslaved to that network's
// bridge, flooding broadcasts (ARP) to every other node; unicast then follows the addresses the
// device learns. All nodes' bridges of a network form one L2 segment. Device names carry the
// cluster's tag (host-names.ts): an agent removes only its own cluster's. Planning is pure.
import type { HostNet } from './host.js';
import { vxlanFor } from './host-names.js';

export const VXLAN_PORT = 4789;
/** 1500 minus VXLAN's 50 bytes of outer headers */
export const OVERLAY_MTU = 1450;

export interface VxlanDevice {
  name: string;
  vni: number;
  master?: string;
  /** peer addresses in its flood list */
  peers: string[];
}

/** A cluster network on this host: its VNI and its bridge (the engine's). */
export interface LocalOverlay {
  vni: number;
  bridge: string;
}

/** Commands that turn `actual` into one device per `wanted` network, each flooding to `peers`.
 *  Of the devices not wanted, only those `own` says are this cluster's are removed: the host may
 *  carry another cluster's (and its legacy `sdvx<vni>` ones, which no name tells apart). */
export function planVxlan(wanted: LocalOverlay[], actual: VxlanDevice[], local: string, peers: string[], own: (device: string) => boolean): string[][] {
  const cmds: string[][] = [];
  const names = new Set(wanted.map((w) => vxlanFor(w.bridge)));
  for (const dev of actual) if (own(dev.name) && !names.has(dev.name)) cmds.push(['ip', 'link', 'del', dev.name]);
  for (const { vni, bridge } of wanted) {
    const name = vxlanFor(bridge);
    const dev = actual.find((d) => d.name === name);
    if (!dev) {
      cmds.push(['ip', 'link', 'add', name, 'type', 'vxlan', 'id', String(vni), 'dstport', String(VXLAN_PORT), 'local', local, 'learning']);
    }
    if (dev?.master !== bridge) cmds.push(['ip', 'link', 'set', name, 'mtu', String(OVERLAY_MTU), 'master', bridge, 'up']);
    const have = dev?.peers ?? [];
    for (const p of peers) if (!have.includes(p)) cmds.push(['bridge', 'fdb', 'append', '00:00:00:00:00:00', 'dev', name, 'dst', p]);
    for (const p of have) if (!peers.includes(p)) cmds.push(['bridge', 'fdb', 'del', '00:00:00:00:00:00', 'dev', name, 'dst', p]);
  }
  return cmds;
}

/** stackd's VXLAN devices on the host (every cluster's), with their flood lists. */
export async function readVxlan(host: HostNet): Promise<VxlanDevice[]> {
  const out = await host.run(['ip', '-d', '-o', 'link', 'show', 'type', 'vxlan']);
  const devs: VxlanDevice[] = [];
  for (const line of out.split('\n')) {
    const m = /^\d+:\s+(sd(?:vx|x[0-9a-f]{4})\d+)[@:]/.exec(line);
    const id = /vxlan id (\d+)/.exec(line);
    if (!m || !id) continue;
    const master = /\smaster (\S+)/.exec(line)?.[1];
    const fdb = await host.run(['bridge', 'fdb', 'show', 'dev', m[1]]);
    const peers = fdb
      .split('\n')
      .map((l) => /^00:00:00:00:00:00 dst ([\d.]+)/.exec(l)?.[1])
      .filter((p): p is string => p !== undefined);
    devs.push({ name: m[1], vni: Number(id[1]), ...(master ? { master } : {}), peers });
  }
  return devs;
}

/** Applies the plan; a device that exists already (a race with a restart) is not an error. */
export async function applyVxlan(host: HostNet, cmds: string[][]): Promise<void> {
  for (const cmd of cmds) {
    await host.run(cmd).catch((err: Error) => {
      if (!/File exists|No such file/.test(err.message)) throw err;
    });
  }
}
