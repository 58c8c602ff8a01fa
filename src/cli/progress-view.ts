// The live per-service view while `deploy` waits: bars on a terminal, plain lines elsewhere.
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { ServiceJudgement, StackJudgement } from '../orchestrator/convergence.js';

export interface ProgressView {
  update(p: StackJudgement): void;
  stop(): void;
}

function summary(s: ServiceJudgement): string {
  const state = s.error ? s.phase : s.done ? 'converged' : s.waiting ? s.waiting : 'starting';
  return `${s.running}/${s.desired} running${s.failed ? `, ${s.failed} failed` : ''}: ${state}`;
}

/** One line per change of a service's summary: readable in CI logs and pipes. */
function linesView(out: NodeJS.WritableStream): ProgressView {
  const last = new Map<string, string>();
  return {
    update(p) {
      for (const s of p.services) {
        const line = summary(s);
        if (last.get(s.name) === line) continue;
        last.set(s.name, line);
        out.write(`${s.name}: ${line}\n`);
      }
    },
    stop() {},
  };
}

function barsView(out: NodeJS.WriteStream): ProgressView {
  const multi = new MultiBar(
    { format: '{name} [{bar}] {value}/{total} {state}', hideCursor: true, clearOnComplete: false, stream: out, barsize: 20 },
    Presets.shades_classic,
  );
  const bars = new Map<string, SingleBar>();
  const width = { name: 0 };
  return {
    update(p) {
      width.name = Math.max(width.name, ...p.services.map((s) => s.name.length));
      for (const s of p.services) {
        const payload = { name: s.name.padEnd(width.name), state: s.error ? s.phase : s.done ? 'converged' : (s.waiting ?? 'starting') };
        const bar = bars.get(s.name);
        if (!bar) bars.set(s.name, multi.create(Math.max(s.desired, 1), s.running, payload));
        else {
          bar.setTotal(Math.max(s.desired, 1));
          bar.update(s.running, payload);
        }
      }
    },
    stop: () => multi.stop(),
  };
}

export function progressView(out: NodeJS.WriteStream = process.stderr): ProgressView {
  return out.isTTY ? barsView(out) : linesView(out);
}
