// Stack networks and volumes → what to create on a node's engine. Pure.
import type { NetworkSpec, VolumeSpec } from '../stackfile/types.js';
import { LABEL } from './labels.js';

export interface NetworkSettings {
  driver: string;
  labels: Record<string, string>;
  options: Record<string, string>;
  internal?: boolean;
  attachable?: boolean;
  /** cluster networking: the subnet, and this node's share of it (src/net/ipam.ts) */
  ipam?: { subnet: string; ipRange: string; gateway: string };
}

export interface VolumeSettings {
  driver: string;
  labels: Record<string, string>;
  options: Record<string, string>;
}

/** Swarm's default (and `overlay`) becomes `bridge`: every node's engine is on its own, so a stack
 *  network is one bridge per node and tasks reach each other by name only on the same node. */
export function networkSettings(stack: string, spec: NetworkSpec): NetworkSettings {
  const driver = !spec.driver || spec.driver === 'overlay' ? 'bridge' : spec.driver;
  return {
    driver,
    labels: { ...spec.labels, [LABEL.stack]: stack },
    options: spec.driver === 'overlay' ? {} : spec.driver_opts, // overlay's options mean nothing to a bridge
    ...(spec.internal !== undefined ? { internal: spec.internal } : {}),
    ...(spec.attachable !== undefined ? { attachable: spec.attachable } : {}),
  };
}

export function volumeSettings(stack: string, spec: VolumeSpec): VolumeSettings {
  return { driver: spec.driver || 'local', labels: { ...spec.labels, [LABEL.stack]: stack }, options: spec.driver_opts };
}
