// The manager's GitOps settings: where fetched repositories are kept, and the age keys for SOPS.
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { resolveStoreLocation } from '../store/open.js';
import type { Decrypt } from './read-repo.js';
import { decryptSops, isSopsEncrypted, loadAgeIdentities, type AgeIdentities } from './sops/index.js';

export interface GitOpsOptions {
  cacheDir: string;
  decrypt?: Decrypt;
}

/** Beside the embedded store's file, else ~/.stackd/gitops-cache. */
export function defaultCacheDir(storeUrl: string | undefined, env = process.env): string {
  const location = resolveStoreLocation(storeUrl, { env, home: homedir(), cwd: process.cwd() });
  return location.kind === 'sqlite' ? join(dirname(location.path), 'gitops-cache') : join(homedir(), '.stackd', 'gitops-cache');
}

/** Decrypts SOPS files in memory; other files pass through. */
export function sopsDecrypter(identities: AgeIdentities): Decrypt {
  return async (content, file) => (isSopsEncrypted(content, file) ? decryptSops(content, file, identities) : content);
}

/** From stackd's flags: --gitops-cache-dir, --sops-age-key-file (else SOPS_AGE_KEY_FILE / SOPS_AGE_KEY). */
export async function gitOpsOptions(flags: { store?: string; gitopsCacheDir?: string; sopsAgeKeyFile?: string }): Promise<GitOpsOptions> {
  const identities = await loadAgeIdentities({ file: flags.sopsAgeKeyFile });
  return { cacheDir: flags.gitopsCacheDir ?? defaultCacheDir(flags.store), decrypt: sopsDecrypter(identities) };
}
