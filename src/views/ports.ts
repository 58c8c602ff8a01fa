import type { PortSpec } from '../stackfile/types.js';

/** "*:8080->80/tcp" like `docker service ls`. */
export function formatPorts(ports: PortSpec[]): string {
  return ports.map((p) => `${p.host_ip ?? '*'}:${p.published ?? ''}->${p.target}/${p.protocol}`).join(', ');
}
