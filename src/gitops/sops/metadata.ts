// The `sops` block: which values are encrypted, to whom the data key is encrypted, and the MAC.

export interface AgeStanza {
  recipient: string;
  /** the data key, age-encrypted to the recipient, ASCII-armored */
  enc: string;
}

export interface SopsMetadata {
  age: AgeStanza[];
  lastmodified: string;
  mac: string;
  version: string;
  unencrypted_suffix?: string;
  encrypted_suffix?: string;
  unencrypted_regex?: string;
  encrypted_regex?: string;
  mac_only_encrypted?: boolean;
}

/** Validates the block a file carries; `what` names the file in errors. */
export function readMetadata(raw: unknown, what: string): SopsMetadata {
  if (!isRecord(raw)) throw new Error(`${what}: no sops metadata`);
  const str = (k: string): string | undefined => (typeof raw[k] === 'string' ? (raw[k] as string) : undefined);
  const groups = Array.isArray(raw.key_groups) ? raw.key_groups.filter(isRecord) : [];
  if (groups.length > 1) throw new Error(`${what}: key groups (Shamir secret sharing) are not supported`);
  const ageEntries = [...list(raw.age), ...groups.flatMap((g) => list(g.age))];
  const age = ageEntries.filter(isRecord).map((a) => ({ recipient: String(a.recipient ?? ''), enc: String(a.enc ?? '') }));
  const mac = str('mac');
  const lastmodified = str('lastmodified');
  if (!mac || !lastmodified) throw new Error(`${what}: sops metadata lacks mac or lastmodified`);
  if (age.length === 0) {
    const others = ['pgp', 'kms', 'gcp_kms', 'azure_kv', 'hc_vault'].filter((k) => list(raw[k]).length > 0);
    throw new Error(`${what}: no age recipients in sops metadata${others.length ? ` (only ${others.join(', ')})` : ''}`);
  }
  for (const k of ['unencrypted_comment_regex', 'encrypted_comment_regex']) {
    if (str(k)) throw new Error(`${what}: sops ${k} is not supported`);
  }
  const meta: SopsMetadata = { age, lastmodified, mac, version: str('version') ?? '' };
  for (const k of ['unencrypted_suffix', 'encrypted_suffix', 'unencrypted_regex', 'encrypted_regex'] as const) {
    if (str(k)) meta[k] = str(k);
  }
  if (raw.mac_only_encrypted === true || raw.mac_only_encrypted === 'true') meta.mac_only_encrypted = true;
  return meta;
}

/** sops's rule for whether the value at a path is encrypted (sops.go, Tree.Encrypt/Decrypt). */
export function isEncryptedPath(path: string[], meta: Partial<SopsMetadata>): boolean {
  let encrypted = true;
  if (meta.unencrypted_suffix && path.some((p) => p.endsWith(meta.unencrypted_suffix!))) encrypted = false;
  if (meta.encrypted_suffix) encrypted = path.some((p) => p.endsWith(meta.encrypted_suffix!));
  if (meta.unencrypted_regex && path.some((p) => goRegExp(meta.unencrypted_regex!).test(p))) encrypted = false;
  if (meta.encrypted_regex) encrypted = path.some((p) => goRegExp(meta.encrypted_regex!).test(p));
  return encrypted;
}

/** Go's RE2 syntax is close to JavaScript's; leading inline flags like `(?i)` become JS flags. */
function goRegExp(re: string): RegExp {
  const m = /^\(\?([imsU]+)\)/.exec(re);
  const flags = m ? [...m[1]].filter((f) => 'ims'.includes(f)).join('') : '';
  return new RegExp(m ? re.slice(m[0].length) : re, flags);
}

/**
 * dotenv and INI files carry the block flattened into `sops_`-prefixed keys (sops stores/flatten.go):
 * `age__list_0__map_recipient` is `age[0].recipient`.
 */
export function unflatten(flat: Array<[string, string]>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of flat) {
    const path = flatPath(key);
    let node = root as Record<string | number, unknown>;
    for (let i = 0; i < path.length - 1; i++) {
      node[path[i]] ??= typeof path[i + 1] === 'number' ? [] : {};
      node = node[path[i]] as Record<string | number, unknown>;
    }
    node[path[path.length - 1]] = value;
  }
  return root;
}

function flatPath(key: string): Array<string | number> {
  const parts = key.split(/(__list_\d+|__map_)/).filter((p) => p !== '');
  const path: Array<string | number> = [parts[0]];
  for (let i = 1; i < parts.length; i++) {
    const index = /^__list_(\d+)$/.exec(parts[i]);
    if (index) path.push(Number(index[1]));
    else if (parts[i] === '__map_') path.push(parts[++i] ?? '');
  }
  return path;
}

/** The inverse of unflatten, for the test encryptor: `[["age__list_0__map_recipient", "age1..."], ...]`. */
export function flatten(value: unknown, prefix = ''): Array<[string, string]> {
  if (Array.isArray(value)) return value.flatMap((v, i) => flatten(v, `${prefix}__list_${i}`));
  if (isRecord(value)) {
    return Object.entries(value).flatMap(([k, v]) => flatten(v, prefix === '' ? k : `${prefix}__map_${k}`));
  }
  return value === undefined ? [] : [[prefix, String(value)]];
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
