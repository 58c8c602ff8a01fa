// Many containers' logs on one stream, Compose's way: `web-1  | line`, the prefix padded to the
// widest and coloured per service. Containers can join while it runs (replacements, restarts).
import type { ProjectContainer } from './containers.js';

const COLORS = [36, 33, 32, 35, 34, 96, 93, 92, 95, 94];

export interface LogMuxOptions {
  follow: boolean;
  tail?: number;
  timestamps: boolean;
  color: boolean;
  /** every service of the project, for stable colours and the prefix width */
  services: string[];
}

/** Whether to colour: a terminal, and NO_COLOR unset (https://no-color.org). */
export function wantColor(out: NodeJS.WriteStream, env: Record<string, string | undefined> = process.env): boolean {
  return Boolean(out.isTTY) && !env.NO_COLOR;
}

export function logPrefix(service: string, index: number, width: number, color: number | undefined): string {
  const label = `${service}-${index}`.padEnd(width);
  return color === undefined ? `${label}  | ` : `\x1b[${color}m${label}  | \x1b[0m`;
}

export class LogMux {
  private readonly active = new Map<string, Promise<void>>();
  private readonly stop = new AbortController();
  private readonly width: number;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly opts: LogMuxOptions,
  ) {
    this.width = Math.max(0, ...opts.services.map((s) => s.length + 2));
  }

  /** Stream `c`'s logs unless they already are; `since` (epoch seconds) skips what was shown before. */
  add(c: ProjectContainer, since?: number): void {
    if (this.active.has(c.id) || this.stop.signal.aborted) return;
    const i = this.opts.services.indexOf(c.service);
    const prefix = logPrefix(c.service, c.index, this.width, this.opts.color ? COLORS[Math.max(i, 0) % COLORS.length] : undefined);
    const done = this.pump(c, prefix, since).finally(() => this.active.delete(c.id));
    this.active.set(c.id, done);
  }

  /** Resolves once every stream added so far has ended (without follow: all logs printed). */
  async drained(): Promise<void> {
    while (this.active.size > 0) await Promise.all([...this.active.values()]);
  }

  close(): void {
    this.stop.abort();
  }

  private async pump(c: ProjectContainer, prefix: string, since?: number): Promise<void> {
    let rest = '';
    const emit = (text: string) => {
      const lines = (rest + text).split('\n');
      rest = lines.pop() ?? '';
      if (lines.length) this.out.write(lines.map((l) => `${prefix}${l.replace(/\r$/, '')}\n`).join(''));
    };
    try {
      const chunks = c.runtime.logs(c.id, {
        follow: this.opts.follow,
        tail: since === undefined ? this.opts.tail : undefined,
        timestamps: this.opts.timestamps,
        since,
        signal: this.stop.signal,
      });
      for await (const chunk of chunks) emit(chunk.data.toString('utf8'));
    } catch (err) {
      if (!this.stop.signal.aborted && !/no such container|404/i.test((err as Error).message)) {
        process.stderr.write(`${c.service}-${c.index}: ${(err as Error).message}\n`);
      }
    } finally {
      if (rest) this.out.write(`${prefix}${rest}\n`);
    }
  }
}
