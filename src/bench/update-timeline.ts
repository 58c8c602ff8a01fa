// bench:update: prints the per-batch timeline of the stackd rolling update just made
// (update-timeline-plan.ts). Run by hack/bench-update.sh: --store URL --stack NAME --since EPOCH_S
// --image IMAGE (the target) --parallelism N.
import { parseArgs } from 'node:util';
import { kindPrefix } from '../api/keys.js';
import type { Task } from '../api/objects.js';
import { decodeObject } from '../client/codec.js';
import { openStore } from '../store/open.js';
import { formatTimeline, updateTimeline } from './update-timeline-plan.js';

const { values } = parseArgs({
  options: { store: { type: 'string' }, stack: { type: 'string' }, since: { type: 'string' }, image: { type: 'string' }, parallelism: { type: 'string' } },
});
const store = await openStore(values.store!);
try {
  const list = await store.list(kindPrefix('Task', values.stack));
  const tasks = list.items.map((kv) => decodeObject<Task>(kv));
  const rows = updateTimeline(tasks, Number(values.since) * 1000, (t) => t.spec.template.image === values.image, Number(values.parallelism));
  for (const line of formatTimeline(rows)) console.log(`  ${line}`);
} finally {
  await store.close();
}
