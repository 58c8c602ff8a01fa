// stackctl reencrypt: every secret (stack secrets, GitOps credentials) rewritten under the first
// key of --encryption-key-file: the step after adding a new first key, before dropping the old one.
import type { Command } from 'commander';
import { SEALED_PREFIXES } from '../../api/keys.js';
import type { StoreFlags } from '../../store/flags.js';
import { openStore } from '../../store/open.js';
import { reencryptAll } from '../../store/reencrypt.js';
import { CommandError } from '../../errors.js';

export function registerReencrypt(program: Command): void {
  program
    .command('reencrypt')
    .description('Rewrite every secret encrypted under the first key of --encryption-key-file (key rotation; also encrypts secrets stored in the clear)')
    .action(async (_opts: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<StoreFlags>();
      const store = await openStore(flags.store, flags);
      try {
        const primary = store.sealer.primary;
        if (!primary) throw new CommandError('reencrypt needs the keys: give --encryption-key-file or STACKD_ENCRYPTION_KEY_FILE', 2);
        const res = await reencryptAll(store, SEALED_PREFIXES);
        process.stdout.write(`${res.rewritten} rewritten, ${res.current} already under key ${primary.id}\n`);
      } finally {
        await store.close();
      }
    });
}
