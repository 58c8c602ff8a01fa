// What a node's cluster networking (net/agent-net.ts) reads of the objects it does not own, as
// Kubernetes lets a kubelet read every Service, Node and EndpointSlice: which task of which service
// is where at what address (VIP rules, DNS, the routing mesh's backends), each service's network
// names, aliases and published ports, which stacks share a cluster network, and every node's
// underlay address (VXLAN peers), and what `kubectl get` prints of them. Nothing else: no task
// template, environment, image, command, config or secret. A node's own tasks and Node are served
// whole (it gets them anyway). Pure.
import type { BaseStatus, Resource } from '../api/meta.js';
import type { Node, Service, Stack, Task } from '../api/objects.js';

/** The projection of `obj` that node `node` is served when it lists or watches a whole kind. */
export function networkView(obj: Resource, node: string): Resource {
  const projected = (spec: unknown, status?: object): Resource => ({ ...obj, metadata: { ...obj.metadata, annotations: {} }, spec, status: status as BaseStatus });
  switch (obj.kind) {
    case 'Task': {
      const t = obj as Task;
      if (t.spec.nodeName === node) return obj;
      const { stack, service, slot, nodeName, desiredState } = t.spec;
      const s = t.status;
      return projected({ stack, service, slot, nodeName, desiredState }, s && { state: s.state, health: s.health, addresses: s.addresses });
    }
    case 'Service': {
      const { stack, template: t, stopped } = (obj as Service).spec;
      const { mode, replicas, endpoint_mode } = t.deploy;
      const template = { networks: t.networks, network_mode: t.network_mode, ports: t.ports, deploy: { mode, replicas, endpoint_mode } };
      return projected({ stack, template, stopped }, obj.status && { replicas: (obj as Service).status?.replicas });
    }
    case 'Stack':
      return projected({ name: (obj as Stack).spec.name, networks: (obj as Stack).spec.networks });
    case 'Node': {
      if (obj.metadata.name === node) return obj;
      const s = (obj as Node).status;
      return projected(obj.spec, s && { state: s.state, hostname: s.hostname, address: s.address, mesh: s.mesh });
    }
    default:
      return obj;
  }
}
