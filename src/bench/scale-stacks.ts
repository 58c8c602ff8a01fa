// The stacks of a scale run: M replicas in stacks of at most 10,000, each stack two services, one
// spread over the nodes' zones and one held to tier-a nodes (hollow nodes' labels, src/sim), so
// placement does the work of constraints and spread preferences at scale. Pure.

export const MAX_STACK_REPLICAS = 10_000;

export interface ScaleStack {
  name: string;
  replicas: number;
  /** the stack file; `revision` changes the template (an environment variable) for a rolling update */
  file: (revision: number) => string;
}

export function scaleStacks(totalReplicas: number, prefix = 'scale'): ScaleStack[] {
  const count = Math.max(1, Math.ceil(totalReplicas / MAX_STACK_REPLICAS));
  const base = Math.floor(totalReplicas / count);
  return Array.from({ length: count }, (_, i) => {
    const replicas = base + (i < totalReplicas % count ? 1 : 0);
    const web = Math.ceil(replicas / 2);
    return { name: `${prefix}${i}`, replicas, file: (revision: number) => stackFile(web, replicas - web, revision) };
  });
}

function stackFile(web: number, api: number, revision: number): string {
  const service = (replicas: number, placement: string[]) =>
    [
      '    image: stackd/busybox:latest',
      '    command: ["sleep", "1d"]',
      '    environment:',
      `      REVISION: "${revision}"`,
      '    deploy:',
      `      replicas: ${replicas}`,
      '      update_config:',
      '        parallelism: 100',
      // the benchmark measures the control plane, not the monitor window (5 s per batch by default:
      // 100 batches of 100 would be over 8 minutes by design)
      '        monitor: 0s',
      '      placement:',
      ...placement.map((l) => `        ${l}`),
    ].join('\n');
  return [
    'services:',
    '  web:',
    service(web, ['preferences:', '  - spread: node.labels.zone']),
    '  api:',
    service(api, ['constraints:', '  - node.labels.tier == a']),
    '',
  ].join('\n');
}
