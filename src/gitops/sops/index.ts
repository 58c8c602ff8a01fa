// SOPS files encrypted to age keys: detection and decryption, the only place stackd decrypts them.
// Supports what sops 3.x writes for YAML, JSON, dotenv and binary files; see docs/design.md "SOPS".
import { parseAllDocuments } from 'yaml';
import { type Decrypted, additionalData, decryptValue, macBytes, newMacHash } from './cipher.js';
import { formatOf, parseBinaryEnvelope, parseSopsFile, type Leaf, type SopsFile } from './formats.js';
import type { AgeIdentities } from './identities.js';
import { isEncryptedPath, readMetadata } from './metadata.js';

export { AgeIdentities, loadAgeIdentities, type LoadAgeIdentitiesOptions } from './identities.js';

/** Whether the file is one sops encrypted: it carries sops metadata with a MAC. Never throws. */
export function isSopsEncrypted(content: Buffer, fileName: string): boolean {
  const text = content.toString('utf8');
  if (!text.includes('sops') || !text.includes('mac')) return false;
  switch (formatOf(fileName)) {
    case 'yaml':
    case 'json': {
      const docs = parseAllDocuments(text, { uniqueKeys: false });
      const first = Array.isArray(docs) ? docs[0] : undefined;
      return !!first && first.errors.length === 0 && typeof first.getIn(['sops', 'mac']) === 'string';
    }
    case 'dotenv':
      return /^sops_(mac|version)=/m.test(text);
    case 'ini':
      return /^\[sops\]/m.test(text) && /^mac\s*=/m.test(text);
    case 'binary':
      return typeof parseBinaryEnvelope(content)?.sops.mac === 'string';
  }
}

/**
 * The plaintext of a sops file in its own format (YAML without the sops block, JSON, dotenv, or a
 * binary file's raw bytes), after checking its MAC. Errors are one line and start with `fileName`.
 */
export async function decryptSops(content: Buffer, fileName: string, identities: AgeIdentities): Promise<Buffer> {
  let file: SopsFile;
  let leaves: Leaf[];
  try {
    file = parseSopsFile(content, fileName);
    leaves = file.leaves();
  } catch (e) {
    throw new Error(`${fileName}: ${(e as Error).message}`);
  }
  const meta = readMetadata(file.metadata(), fileName);
  const key = await identities.unwrapDataKey(meta.age, fileName);
  const hash = newMacHash(meta.mac_only_encrypted);
  for (const leaf of leaves) {
    if (!isEncryptedPath(leaf.path, meta)) {
      if (!meta.mac_only_encrypted) hash.update(macBytes(leaf.value));
      continue;
    }
    const where = `${fileName}: ${leaf.path.join('.') || '(root)'}`;
    if (typeof leaf.value !== 'string') throw new Error(`${where}: value is not encrypted`);
    let plain: Decrypted;
    try {
      plain = decryptValue(leaf.value, key, additionalData(leaf.path));
    } catch (e) {
      throw new Error(`${where}: ${(e as Error).message}`);
    }
    hash.update(plain.raw);
    leaf.set(file.format === 'binary' ? plain.raw : plain.value);
  }
  let mac: string;
  try {
    mac = decryptValue(meta.mac, key, meta.lastmodified).raw.toString('utf8');
  } catch {
    throw new Error(`${fileName}: the sops MAC does not decrypt: the metadata was changed or is corrupt`);
  }
  if (mac !== hash.digest('hex').toUpperCase()) {
    throw new Error(`${fileName}: MAC mismatch: the file was changed after sops encrypted it`);
  }
  file.setMetadata(undefined);
  return file.render();
}
