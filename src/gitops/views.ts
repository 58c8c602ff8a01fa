// How `gitops ls` and `gitops status` show a GitSource. Pure.
import type { Condition } from '../api/meta.js';
import type { GitSource } from '../api/objects.js';

export const SOURCE_HEADERS = ['NAME', 'REPO', 'BRANCH', 'PATH', 'READY', 'REVISION', 'SUSPENDED', 'MESSAGE'];

function condition(src: GitSource, type: string): Condition | undefined {
  return src.status?.conditions?.find((c) => c.type === type);
}

export interface SourceRow {
  name: string;
  repo: string;
  branch: string;
  path: string;
  ready: string;
  revision: string;
  suspended: boolean;
  message: string;
}

export function sourceRow(src: GitSource): SourceRow {
  const ready = condition(src, 'Ready');
  return {
    name: src.metadata.name,
    repo: src.spec.repo,
    branch: src.spec.branch,
    path: src.spec.path,
    ready: ready?.status ?? 'Unknown',
    revision: src.status?.lastAppliedRevision ?? '',
    suspended: src.spec.suspend,
    // the first line: a table row stays one line
    message: (ready?.message ?? 'waiting for the first sync').split('\n')[0],
  };
}

export function sourceCells(r: SourceRow): string[] {
  return [r.name, r.repo, r.branch, r.path, r.ready, shortRevision(r.revision), String(r.suspended), r.message];
}

/** main@0123456789abcdef... → main@0123456 */
export function shortRevision(rev: string): string {
  const at = rev.lastIndexOf('@');
  return at < 0 ? rev : `${rev.slice(0, at)}@${rev.slice(at + 1, at + 13)}`;
}

/** `gitops status NAME`, as text. */
export function renderStatus(src: GitSource): string {
  const s = src.status ?? {};
  const lines = [
    `Name:                 ${src.metadata.name}`,
    `Repository:           ${src.spec.repo} (branch ${src.spec.branch}, path ${src.spec.path})`,
    `Interval:             ${src.spec.interval}${src.spec.suspend ? ' (suspended)' : ''}`,
    `Prune:                ${src.spec.prune}`,
    `Last applied:         ${s.lastAppliedRevision ?? '-'}`,
    `Last attempted:       ${s.lastAttemptedRevision ?? '-'}`,
    `Drift corrected:      ${s.driftCorrected?.length ? s.driftCorrected.join(', ') : 'none'}`,
    'Conditions:',
    ...(s.conditions ?? []).map((c) => `  ${c.type.padEnd(12)} ${c.status.padEnd(7)} ${c.reason}: ${c.message.split('\n').join('\n      ')}`),
    'Stacks:',
    ...(s.stacks ?? []).map((r) => `  ${r.stack.padEnd(20)} ${r.result.padEnd(12)} ${r.file}${r.message ? `  ${r.message}` : ''}`),
  ];
  return `${lines.join('\n')}\n`;
}
