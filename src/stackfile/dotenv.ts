// `.env` files: KEY=VALUE lines, `export ` prefix, # comments, single quotes (literal) and double
// quotes (with \n \t \\ \" escapes, may span lines), as Compose reads them.
import { type Problem, problemAt } from './errors.js';
import { setOwn } from './safe.js';

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"', $: '$' };

export function parseDotenv(text: string, file: string, raw = false): { vars: Record<string, string>; problems: Problem[] } {
  const vars: Record<string, string> = {};
  if (raw) return { vars: rawLines(text), problems: [] };
  const problems: Problem[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*/.exec(lines[i]);
    if (!m) {
      if (!/^\s*(#.*)?$/.test(lines[i])) {
        problems.push(problemAt({ file, line: lineNo, col: 1 }, [], 'expected KEY=VALUE'));
      }
      continue;
    }
    const col = m[0].length + 1;
    let rest = lines[i].slice(m[0].length);
    const quote = rest[0];
    if (quote !== '"' && quote !== "'") {
      setOwn(vars, m[1], rest.replace(/(^|\s+)#.*$/, '').trimEnd());
      continue;
    }
    // quoted: the value may continue over the following lines until the closing quote
    let value = '';
    let j = 1;
    let closed = false;
    for (;;) {
      for (; j < rest.length; j++) {
        const c = rest[j];
        if (c === quote) {
          closed = true;
          break;
        }
        if (quote === '"' && c === '\\' && j + 1 < rest.length) value += ESCAPES[rest[++j]] ?? `\\${rest[j]}`;
        else value += c;
      }
      if (closed || i + 1 >= lines.length) break;
      value += '\n';
      rest = lines[++i];
      j = 0;
    }
    const after = rest.slice(j + 1);
    if (!closed) problems.push(problemAt({ file, line: lineNo, col }, [m[1]], `unterminated ${quote} quote`));
    else if (!/^\s*(#.*)?$/.test(after)) {
      problems.push(problemAt({ file, line: i + 1, col: j + 2 }, [m[1]], 'unexpected text after the closing quote'));
    } else setOwn(vars, m[1], value);
  }
  return { vars, problems };
}

/** `format: raw` (Compose): KEY=VALUE taken as written, no quotes, escapes or comments after values. */
function rawLines(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0 && !line.trimStart().startsWith('#')) setOwn(vars, line.slice(0, eq).trim(), line.slice(eq + 1));
  }
  return vars;
}
