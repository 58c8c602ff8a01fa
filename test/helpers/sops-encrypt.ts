// A test-side stand-in for `sops --encrypt --age ...` (sops is not packaged for Debian 12): writes the
// format sops 3.x writes, which test/unit/gitops/sops-real.test.ts checks against files real sops wrote.
import { randomBytes } from 'node:crypto';
import { Encrypter, armor } from 'age-encryption';
import { additionalData, encryptValue, macBytes, newMacHash } from '../../src/gitops/sops/cipher.js';
import { parseSopsFile } from '../../src/gitops/sops/formats.js';
import { isEncryptedPath, type SopsMetadata } from '../../src/gitops/sops/metadata.js';

export interface EncryptOptions {
  /** sops's default: keys ending `_unencrypted` stay plain */
  unencryptedSuffix?: string;
  encryptedRegex?: string;
  macOnlyEncrypted?: boolean;
}

export async function encryptSops(plain: Buffer, fileName: string, recipients: string[], opts: EncryptOptions = {}): Promise<Buffer> {
  const file = parseSopsFile(plain, fileName);
  const rules: Partial<SopsMetadata> = opts.encryptedRegex
    ? { encrypted_regex: opts.encryptedRegex }
    : { unencrypted_suffix: opts.unencryptedSuffix ?? '_unencrypted' };
  const dataKey = randomBytes(32);
  const hash = newMacHash(opts.macOnlyEncrypted);
  for (const leaf of file.leaves()) {
    const encrypted = isEncryptedPath(leaf.path, rules);
    if (encrypted || !opts.macOnlyEncrypted) hash.update(macBytes(leaf.value));
    // sops's JSON store reads every number as a float64
    const type = file.format === 'json' && typeof leaf.value === 'number' ? 'float' : undefined;
    if (encrypted) leaf.set(encryptValue(leaf.value, dataKey, additionalData(leaf.path), type));
  }
  const lastmodified = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const age = [];
  for (const recipient of recipients) {
    const e = new Encrypter();
    e.addRecipient(recipient);
    age.push({ recipient, enc: armor.encode(await e.encrypt(dataKey)) });
  }
  file.setMetadata({
    kms: [],
    gcp_kms: [],
    azure_kv: [],
    hc_vault: [],
    age,
    lastmodified,
    mac: encryptValue(hash.digest('hex').toUpperCase(), dataKey, lastmodified),
    pgp: [],
    ...rules,
    ...(opts.macOnlyEncrypted ? { mac_only_encrypted: true } : {}),
    version: '3.8.1',
  });
  return file.render();
}
