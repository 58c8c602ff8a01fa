// How git is given credentials without putting them in process arguments, logs or status. Pure.
// HTTPS: an Authorization header through GIT_CONFIG_COUNT/KEY/VALUE (environment, never argv).
// SSH: GIT_SSH_COMMAND naming a 0600 key file and a known_hosts file, with strict host checking.

export type GitCredentials = Record<string, Buffer>;

export interface AuthFiles {
  /** where the SSH private key was written (0600) */
  identity?: string;
  /** where known_hosts was written */
  knownHosts?: string;
}

export function isSshUrl(repo: string): boolean {
  return repo.startsWith('ssh://') || /^([A-Za-z0-9._-]+@)?[A-Za-z0-9.-]+:(?!\/\/)/.test(repo);
}

/** Environment for one git command: no prompts, no user or system config, and the credentials. */
export function gitEnv(repo: string, creds: GitCredentials | undefined, files: AuthFiles): Record<string, string> {
  const env: Record<string, string> = {
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
  };
  const config: [string, string][] = [];
  if (isSshUrl(repo)) {
    const opts = ['-o BatchMode=yes', '-o StrictHostKeyChecking=yes'];
    if (files.identity) opts.push(`-i ${files.identity}`, '-o IdentitiesOnly=yes');
    if (files.knownHosts) opts.push(`-o UserKnownHostsFile=${files.knownHosts}`);
    env.GIT_SSH_COMMAND = `ssh ${opts.join(' ')}`;
  } else if (creds?.password || creds?.username) {
    const basic = Buffer.concat([creds.username ?? Buffer.from('git'), Buffer.from(':'), creds.password ?? Buffer.alloc(0)]).toString('base64');
    config.push(['http.extraHeader', `Authorization: Basic ${basic}`]);
  }
  if (config.length) {
    env.GIT_CONFIG_COUNT = String(config.length);
    config.forEach(([k, v], i) => {
      env[`GIT_CONFIG_KEY_${i}`] = k;
      env[`GIT_CONFIG_VALUE_${i}`] = v;
    });
  }
  return env;
}

/** The environment names gitEnv may set (simple-git drops GIT_* variables not named). */
export const GIT_ENV_NAMES = [
  'GIT_TERMINAL_PROMPT',
  'GIT_CONFIG_NOSYSTEM',
  'GIT_CONFIG_GLOBAL',
  'GIT_SSH_COMMAND',
  'GIT_CONFIG_COUNT',
  'GIT_CONFIG_KEY_0',
  'GIT_CONFIG_VALUE_0',
];

/** URLs lose their userinfo ("https://user:token@host" → "https://***@host") wherever they appear. */
export function scrubUrls(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@'"]+@/gi, '$1***@');
}

export type FetchFailure = 'AuthenticationFailed' | 'FetchFailed';

const AUTH_PATTERNS = [
  /Authentication failed/i,
  /could not read (Username|Password)/i,
  /Permission denied \(publickey/i,
  /Host key verification failed/i,
  /HTTP(\/\d(\.\d)?)? (401|403)\b/,
  /returned error: (401|403)\b/,
];

export function classifyFetchError(message: string): FetchFailure {
  return AUTH_PATTERNS.some((p) => p.test(message)) ? 'AuthenticationFailed' : 'FetchFailed';
}

/** git's message, cut to the lines that say what went wrong, one line. */
export function fetchErrorMessage(raw: string): string {
  const lines = scrubUrls(raw)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const important = lines.filter((l) => /^(fatal|error|remote):/i.test(l) || AUTH_PATTERNS.some((p) => p.test(l)));
  return (important.length ? important : lines).join('; ').slice(0, 500);
}
