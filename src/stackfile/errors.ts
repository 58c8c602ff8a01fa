// Problems in stack files: every one names the file, line, column and the path of the value.

/** Where a value was written. `line` and `col` are 1-based. */
export interface Loc {
  file: string;
  line: number;
  col: number;
}

/** A path into the stack document: map keys and list indices. */
export type Path = readonly (string | number)[];

/** A problem found on the parsed value, before it is given a location. */
export interface Issue {
  path: Path;
  message: string;
  /** the problem is the key itself (unknown key, undefined name), not its value */
  onKey?: boolean;
}

export interface Problem extends Loc {
  /** "services.web.ports[0]", or "" for the document itself */
  path: string;
  message: string;
}

/** One or more problems; `message` has one line per problem. */
export class StackFileError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'StackFileError';
  }
}

/** `services.web.ports[0].target` */
export function pathString(path: Path): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

/** `stack.yaml:12:15 services.api.deploy.replicas: expected an integer, got "three"` */
export function formatProblem(p: Problem): string {
  const where = `${p.file}:${p.line}:${p.col}`;
  return p.path ? `${where} ${p.path}: ${p.message}` : `${where} ${p.message}`;
}

export function problemAt(loc: Loc, path: Path, message: string): Problem {
  return { file: loc.file, line: loc.line, col: loc.col, path: pathString(path), message };
}

/** Sort by file (in the order given), then line, then column; drop exact duplicates. */
export function sortProblems(problems: Problem[], fileOrder: readonly string[]): Problem[] {
  const rank = (f: string) => {
    const i = fileOrder.indexOf(f);
    return i < 0 ? fileOrder.length : i;
  };
  const sorted = [...problems].sort((a, b) => rank(a.file) - rank(b.file) || a.line - b.line || a.col - b.col);
  const seen = new Set<string>();
  return sorted.filter((p) => {
    const key = formatProblem(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
