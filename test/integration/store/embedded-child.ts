// Another process on the same SQLite file: a node child running a script against the compiled
// store (dist/, built by `npm run build`, which hack/test.sh runs before the tests).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { eventually } from './helpers.js';

const DIST_STORE = resolve('dist/store/embedded.js');

export class ChildStore {
  readonly lines: string[] = [];
  stderr = '';
  exitCode: number | null | undefined;
  private readonly child: ChildProcess;

  /** Runs `body` in an async function where `store` is the embedded store on `file`, `args` the
   *  given values and `say(line)` writes a line the test can wait for. */
  constructor(file: string, body: string, args: unknown = {}) {
    if (!existsSync(DIST_STORE)) throw new Error(`${DIST_STORE} is missing: run npm run build first`);
    const script = `
      import { openEmbeddedStore } from ${JSON.stringify(DIST_STORE)};
      const args = JSON.parse(process.argv[1]);
      const say = (line) => process.stdout.write(line + '\\n');
      const store = await openEmbeddedStore(${JSON.stringify(file)});
      ${body}
    `;
    this.child = spawn(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let partial = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop()!;
      this.lines.push(...parts);
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.child.on('exit', (code) => (this.exitCode = code));
  }

  /** Waits for a line starting with `prefix`; fails early if the child dies. */
  async waitFor(prefix: string, timeoutMs = 15_000): Promise<string> {
    return eventually(
      () => {
        const line = this.lines.find((l) => l.startsWith(prefix));
        if (line === undefined && this.exitCode !== undefined) throw new Error(`child exited (${this.exitCode}) before "${prefix}": ${this.stderr}`);
        return line;
      },
      `the child to say "${prefix}" (stderr: ${this.stderr})`,
      timeoutMs,
    );
  }

  async exited(timeoutMs = 30_000): Promise<number | null> {
    await eventually(() => this.exitCode !== undefined, `the child to exit (stderr: ${this.stderr})`, timeoutMs);
    return this.exitCode!;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child.kill(signal);
  }
}
