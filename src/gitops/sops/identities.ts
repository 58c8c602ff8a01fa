// age identities (secret keys) for SOPS files, loaded the way sops finds them, and the data-key unwrap.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { Decrypter, armor, identityToRecipient } from 'age-encryption';
import type { AgeStanza } from './metadata.js';

/** Secret keys held privately: inspecting, logging or JSON-encoding one shows only the public recipients. */
export class AgeIdentities {
  readonly #keys: readonly string[];

  constructor(
    keys: readonly string[],
    /** the public keys (`age1...`), safe to show */
    readonly recipients: readonly string[],
    /** where the keys came from: `SOPS_AGE_KEY`, a file path */
    readonly sources: readonly string[],
  ) {
    this.#keys = keys;
  }

  get size(): number {
    return this.#keys.length;
  }

  /** The SOPS data key from the first stanza one of these identities opens. `what` names the file. */
  async unwrapDataKey(stanzas: readonly AgeStanza[], what: string): Promise<Buffer> {
    const list = stanzas.map((s) => s.recipient).join(', ');
    if (this.#keys.length === 0) throw new Error(`${what}: no age identity configured (set SOPS_AGE_KEY_FILE or SOPS_AGE_KEY) for recipients ${list}`);
    const decrypter = new Decrypter();
    for (const k of this.#keys) decrypter.addIdentity(k);
    // stanzas to our own recipients first; a stale `recipient` field still gets a try after them
    const ours = (s: AgeStanza) => (this.recipients.includes(s.recipient) ? 0 : 1);
    for (const stanza of [...stanzas].sort((a, b) => ours(a) - ours(b))) {
      let file: Uint8Array;
      try {
        file = armor.decode(`${stanza.enc.trim()}\n`);
      } catch {
        throw new Error(`${what}: the data key for ${stanza.recipient} is not valid armored age`);
      }
      const key = await decrypter.decrypt(file).catch(() => undefined);
      if (key?.length === 32) return Buffer.from(key);
      if (key) throw new Error(`${what}: the data key for ${stanza.recipient} is ${key.length} bytes, not 32`);
    }
    throw new Error(`${what}: no age identity matches recipients ${list}`);
  }

  toJSON(): object {
    return { recipients: this.recipients, sources: this.sources };
  }

  [inspect.custom](): string {
    return `AgeIdentities(${this.recipients.join(', ') || 'none'})`;
  }
}

export interface LoadAgeIdentitiesOptions {
  /** a key file given to the manager (`--sops-age-key-file`) */
  file?: string;
  /** defaults to process.env: SOPS_AGE_KEY (keys inline), SOPS_AGE_KEY_FILE */
  env?: NodeJS.ProcessEnv;
}

/**
 * Keys from, in order: the given file, SOPS_AGE_KEY, SOPS_AGE_KEY_FILE or, when none of these is set, as sops does, the user's
 * `$XDG_CONFIG_HOME/sops/age/keys.txt` when it exists. A named file that is missing is an error.
 */
export async function loadAgeIdentities(opts: LoadAgeIdentitiesOptions = {}): Promise<AgeIdentities> {
  const env = opts.env ?? process.env;
  const found: Array<{ source: string; text: string }> = [];
  for (const file of [opts.file, env.SOPS_AGE_KEY_FILE].filter((f): f is string => !!f)) {
    const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new Error(`${file}: cannot read the age key file: ${e.code ?? e.message}`);
    });
    found.push({ source: file, text });
  }
  if (env.SOPS_AGE_KEY) found.push({ source: 'SOPS_AGE_KEY', text: env.SOPS_AGE_KEY });
  const config = env.XDG_CONFIG_HOME ?? (env.HOME ? join(env.HOME, '.config') : undefined);
  if (config && found.length === 0) {
    const file = join(config, 'sops', 'age', 'keys.txt');
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) found.push({ source: file, text });
  }
  const keys: string[] = [];
  const recipients: string[] = [];
  for (const { source, text } of found) {
    for (const [i, line] of text.split(/\r?\n/).entries()) {
      const key = line.trim();
      if (key === '' || key.startsWith('#')) continue;
      const recipient = key.startsWith('AGE-SECRET-KEY-') ? await identityToRecipient(key).catch(() => undefined) : undefined;
      if (!recipient) throw new Error(`${source}:${i + 1}: not an age secret key (expected AGE-SECRET-KEY-1...)`);
      if (recipients.includes(recipient)) continue;
      keys.push(key);
      recipients.push(recipient);
    }
  }
  return new AgeIdentities(
    keys,
    recipients,
    found.map((f) => f.source),
  );
}
