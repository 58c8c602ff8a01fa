// `rollback STACK [--to-revision N]`: every service of a stack back to an earlier stack revision,
// in one transaction (docker/cli#595 asks Swarm for this).
import type { Command } from 'commander';
import { objectKey } from '../../api/keys.js';
import type { Service, Stack, Task } from '../../api/objects.js';
import { encodeObject } from '../../client/codec.js';
import { listObjects } from '../../client/objects.js';
import { rollbackTemplate, templateOf } from '../../orchestrator/revisions.js';
import { specHash } from '../../orchestrator/spec-hash.js';
import { nextStackRevisions, stackRollbackTarget } from '../../stacks/stack-revisions.js';
import type { TxnOp } from '../../store/store.js';
import { storeAction } from '../command.js';
import { revisionNumber } from './rollout.js';
import { CommandError } from '../../errors.js';
import { findStack } from '../resolve.js';
import { awaitConvergence } from '../wait.js';

export function registerStackRollback(program: Command): void {
  program
    .command('rollback')
    .description('Return every service of a stack to an earlier stack revision (default: the previous one)')
    .argument('<stack>', 'stack name')
    .option('--to-revision <n>', 'stack revision number')
    .option('-d, --detach', 'return at once instead of waiting for the rollouts', false)
    .action(
      storeAction<{ toRevision?: string; detach: boolean }, number | undefined, [string]>(
        (opts) => revisionNumber(opts.toRevision),
        async ({ store, opts, input: toRevision }, name) => {
          const since = new Date();
          const stack: Stack = await findStack(store, name);
          const target = stackRollbackTarget(name, stack.status?.revisions, toRevision);
          if (typeof target === 'string') throw new CommandError(target);
          const [services, tasks] = await Promise.all([listObjects<Service>(store, 'Service', name), listObjects<Task>(store, 'Task', name)]);
          const ops: TxnOp[] = [];
          const moved: string[] = [];
          for (const [svcName, hash] of Object.entries(target.services)) {
            const svc = services.items.find((s) => s.metadata.name === svcName);
            if (!svc) throw new CommandError(`service ${name}_${svcName} of stack revision ${target.revision} no longer exists; redeploy instead`);
            if (specHash(svc.spec.template) === hash) continue;
            const old = templateOf(hash, svc.status?.revisions ?? [], tasks.items);
            if (!old) throw new CommandError(`service ${name}_${svcName}: revision ${hash} is no longer kept`);
            const next: Service = {
              ...svc,
              metadata: { ...svc.metadata, generation: svc.metadata.generation + 1 },
              spec: { ...svc.spec, template: rollbackTemplate(old, svc.spec.template) },
            };
            ops.push({ op: 'update', key: objectKey('Service', name, svcName), value: encodeObject(next), revision: Number(svc.metadata.resourceVersion) });
            moved.push(`${name}_${svcName}`);
          }
          if (ops.length === 0) throw new CommandError(`stack ${name} already runs stack revision ${target.revision}`);
          const revisions = nextStackRevisions(stack.status?.revisions, target.services, new Date(), `rollback to ${target.revision}`);
          if (revisions) {
            const next: Stack = { ...stack, status: { ...stack.status, revisions } };
            const value = encodeObject(next);
            ops.push({ op: 'update', key: objectKey('Stack', '', name), value, revision: Number(stack.metadata.resourceVersion) });
          }
          const res = await store.txn(ops);
          if (!res.succeeded) throw new CommandError(`stack ${name} changed meanwhile; try again`);
          process.stdout.write(`stack ${name} rolling back to stack revision ${target.revision}: ${moved.join(', ')}\n`);
          if (opts.detach) return;
          await awaitConvergence(store, `stack ${name} rollback`, name, { timeoutMs: 10 * 60_000, since });
          process.stdout.write(`stack ${name} rolled back\n`);
        },
      ),
    );
}
