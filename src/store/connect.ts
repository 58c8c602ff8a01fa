// How stackd authenticates to etcd: TLS files (CA, client certificate and key) and etcd's own
// user/password. Each setting comes from its flag, else its STACKD_STORE_* variable.
import { readFile } from 'node:fs/promises';
import { parseKeyFile, Sealer } from './sealer.js';

/** The flags as commander hands them over (camelCase of --store-cacert etc.). */
export interface StoreConnectFlags {
  storeCacert?: string;
  storeCert?: string;
  storeKey?: string;
  storeUser?: string;
  storePasswordFile?: string;
  /** AES-256-GCM keys for secrets at rest (sealer.ts) */
  encryptionKeyFile?: string;
}

/** Where each setting came from, for messages: "--store-cert" or "STACKD_STORE_CERT". */
export interface Setting {
  value: string;
  source: string;
}

export interface ConnectSettings {
  cacert?: Setting;
  cert?: Setting;
  key?: Setting;
  user?: Setting;
  /** a file holding the password (first line) */
  passwordFile?: Setting;
  /** the password itself, from STACKD_STORE_PASSWORD (never a flag: it would show in ps) */
  password?: Setting;
}

/** What the etcd client needs, files read. */
export interface EtcdSecurity {
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  auth?: { username: string; password: string };
}

/** A store setting the user must fix (exit 2). */
export class StoreConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreConfigError';
  }
}

function pick(flag: string | undefined, flagName: string, env: Record<string, string | undefined>, envName: string): Setting | undefined {
  if (flag) return { value: flag, source: flagName };
  const fromEnv = env[envName];
  return fromEnv ? { value: fromEnv, source: envName } : undefined;
}

/** Flags first, then the environment. Pure. */
export function resolveConnectSettings(flags: StoreConnectFlags, env: Record<string, string | undefined>): ConnectSettings {
  return {
    cacert: pick(flags.storeCacert, '--store-cacert', env, 'STACKD_STORE_CACERT'),
    cert: pick(flags.storeCert, '--store-cert', env, 'STACKD_STORE_CERT'),
    key: pick(flags.storeKey, '--store-key', env, 'STACKD_STORE_KEY'),
    user: pick(flags.storeUser, '--store-user', env, 'STACKD_STORE_USER'),
    passwordFile: pick(flags.storePasswordFile, '--store-password-file', env, 'STACKD_STORE_PASSWORD_FILE'),
    password: pick(undefined, '', env, 'STACKD_STORE_PASSWORD'),
  };
}

/** The settings that make no sense together, as one line; undefined when they fit. Pure. */
export function checkConnectSettings(s: ConnectSettings, tls: boolean, storeUrl: string): string | undefined {
  const tlsFiles = [s.cacert, s.cert, s.key].filter((x): x is Setting => x !== undefined);
  if (!tls && tlsFiles.length > 0) return `${tlsFiles[0].source} is set but store ${storeUrl} is plain etcd://: use etcds:// for TLS`;
  if (s.cert && !s.key) return `${s.cert.source} needs a key: set --store-key or STACKD_STORE_KEY`;
  if (s.key && !s.cert) return `${s.key.source} needs a certificate: set --store-cert or STACKD_STORE_CERT`;
  const secret = s.passwordFile ?? s.password;
  if (s.user && !secret) return `${s.user.source} needs a password: set --store-password-file or STACKD_STORE_PASSWORD`;
  if (secret && !s.user) return `${secret.source} needs a user: set --store-user or STACKD_STORE_USER`;
  return undefined;
}

async function readSetting(s: Setting): Promise<Buffer> {
  try {
    return await readFile(s.value);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new StoreConfigError(`cannot read ${s.source} ${s.value}: ${code}`);
  }
}

/** Checks the settings and reads the files they name. */
export async function loadEtcdSecurity(s: ConnectSettings, tls: boolean, storeUrl: string): Promise<EtcdSecurity> {
  const problem = checkConnectSettings(s, tls, storeUrl);
  if (problem) throw new StoreConfigError(problem);
  const security: EtcdSecurity = {};
  if (tls) {
    security.tls = {
      ca: s.cacert && (await readSetting(s.cacert)),
      cert: s.cert && (await readSetting(s.cert)),
      key: s.key && (await readSetting(s.key)),
    };
  }
  if (s.user) {
    const password = s.passwordFile ? (await readSetting(s.passwordFile)).toString('utf8').split(/\r?\n/)[0] : s.password!.value;
    security.auth = { username: s.user.value, password };
  }
  return security;
}

/** The Sealer for --encryption-key-file (else STACKD_ENCRYPTION_KEY_FILE); without either, one
 *  with no key (sealed values then fail to open with a message naming the flag). */
export async function loadSealer(flags: StoreConnectFlags, env: Record<string, string | undefined>): Promise<Sealer> {
  const file = pick(flags.encryptionKeyFile, '--encryption-key-file', env, 'STACKD_ENCRYPTION_KEY_FILE');
  if (!file) return new Sealer([]);
  const text = (await readSetting(file)).toString('utf8');
  try {
    return new Sealer(parseKeyFile(text, file.value), file.value);
  } catch (err) {
    throw new StoreConfigError((err as Error).message);
  }
}
