// `gitops add` flags → a GitSourceSpec, checked before anything is written. Pure.
import type { GitSourceSpec } from '../api/objects.js';
import { parseDuration } from '../stackfile/units.js';

export interface AddFlags {
  repo?: string;
  branch: string;
  path: string;
  interval: string;
  prune?: boolean;
  secretRef?: string;
  webhookSecretRef?: string;
}

const NAME = /^[a-z0-9]([a-z0-9_.-]{0,61}[a-z0-9])?$/;
/** scp-like SSH address: [user@]host:path (no scheme) */
const SCP_LIKE = /^([A-Za-z0-9._-]+@)?[A-Za-z0-9.-]+:(?!\/\/)[^\s]+$/;
const SCHEMES = ['https:', 'http:', 'ssh:', 'file:'];

/** The problem with `name` as an object name, or undefined. */
export function checkName(what: string, name: string): string | undefined {
  return NAME.test(name) ? undefined : `${what} "${name}" is not valid: use lower-case letters, digits, '-', '_' and '.' (at most 63)`;
}

/** The problem with a repository URL, or undefined. Passwords never belong in the URL (use --secret-ref). */
export function checkRepoUrl(repo: string): string | undefined {
  // git would read "--upload-pack=cmd" or "-oProxyCommand=cmd" as an option, whatever follows
  if (repo.startsWith('-')) return `--repo "${repo}" must not start with '-'`;
  if (SCP_LIKE.test(repo) && !repo.includes('::')) return undefined;
  let url: URL;
  try {
    url = new URL(repo);
  } catch {
    return `--repo "${repo}" is not a URL: expected https://host/org/repo.git, ssh://git@host/org/repo.git, git@host:org/repo.git or file:///path`;
  }
  if (!SCHEMES.includes(url.protocol)) return `--repo: scheme ${url.protocol.replace(/:$/, '')} is not supported (use https, http, ssh or file)`;
  if (url.password)
    return '--repo must not hold a password: store it with `stackctl gitops create-secret NAME --from-file password=FILE` and pass --secret-ref NAME';
  if (url.protocol !== 'file:' && !url.hostname) return `--repo "${repo}" has no host`;
  return undefined;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: git refuses control characters in ref names, and so do we
const REF_FORBIDDEN = /[\s~^:?*[\\\x00-\x1f\x7f]/;

/** The problem with a branch name (git check-ref-format's main rules), or undefined. */
export function checkBranch(branch: string): string | undefined {
  const bad =
    branch === '' ||
    branch.startsWith('-') ||
    branch.startsWith('/') ||
    branch.endsWith('/') ||
    branch.endsWith('.lock') ||
    branch.includes('..') ||
    branch.includes('@{') ||
    REF_FORBIDDEN.test(branch);
  return bad ? `--branch "${branch}" is not a valid branch name` : undefined;
}

/** The problem with --path (relative, inside the repository), or undefined. */
export function checkPath(path: string): string | undefined {
  if (path.startsWith('/')) return `--path "${path}" must be relative to the repository root`;
  if (path.split('/').includes('..')) return `--path "${path}" must stay inside the repository`;
  return undefined;
}

/** The spec, or the list of problems (one line each). */
export function gitSourceSpec(flags: AddFlags): { spec: GitSourceSpec } | { errors: string[] } {
  const errors: string[] = [];
  if (!flags.repo) errors.push('--repo is required (the clone URL of the repository)');
  else {
    const e = checkRepoUrl(flags.repo);
    if (e) errors.push(e);
  }
  for (const e of [checkBranch(flags.branch), checkPath(flags.path)]) if (e) errors.push(e);
  try {
    if (parseDuration(flags.interval) < 1000) errors.push(`--interval ${flags.interval}: must be at least 1s`);
  } catch (err) {
    errors.push(`--interval: ${(err as Error).message}`);
  }
  for (const [flag, ref] of [
    ['--secret-ref', flags.secretRef],
    ['--webhook-secret-ref', flags.webhookSecretRef],
  ] as const) {
    const e = ref === undefined ? undefined : checkName(flag, ref);
    if (e) errors.push(e);
  }
  if (errors.length) return { errors };
  const path = flags.path.replace(/^\.\/?/, '').replace(/\/+$/, '') || '.';
  return {
    spec: {
      repo: flags.repo!,
      branch: flags.branch,
      path,
      interval: flags.interval,
      prune: flags.prune ?? false,
      suspend: false,
      ...(flags.secretRef ? { secretRef: flags.secretRef } : {}),
      ...(flags.webhookSecretRef ? { webhookSecretRef: flags.webhookSecretRef } : {}),
    },
  };
}

/** kubectl's --from-literal key=value / --from-file key=path pairs; the key must be one Flux knows. */
export function parseSecretPair(flag: string, pair: string, keys: readonly string[]): { key: string; value: string } {
  const eq = pair.indexOf('=');
  if (eq <= 0) throw new Error(`${flag}: expected key=${flag === '--from-file' ? 'path' : 'value'}, got "${pair.split('=')[0]}..."`);
  const key = pair.slice(0, eq);
  if (!keys.includes(key)) throw new Error(`${flag}: unknown key "${key}" (expected one of ${keys.join(', ')})`);
  return { key, value: pair.slice(eq + 1) };
}
