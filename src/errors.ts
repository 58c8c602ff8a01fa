// Errors stackctl and stackd report as one line (or one line per problem) with an exit code, never a stack trace.
import { StoreUnavailableError } from './store/store.js';
import { StoreConfigError } from './store/connect.js';
import { SealedValueError } from './store/sealer.js';

/** Bad input: exit 2. `lines` are printed one per line ("stack.yaml:12:15 services.api...: ..."). */
export class InputError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
    this.name = 'InputError';
  }
}

/** Anything else the user must act on: exit 1 with the message. */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

/** Print `err` the way the CLI promises and return the exit code. */
export function reportError(err: unknown, prog: string): number {
  if (err instanceof InputError) {
    for (const line of err.lines) process.stderr.write(`${line}\n`);
    return 2;
  }
  if (err instanceof CommandError) {
    if (err.message === '') return err.exitCode; // already said (e.g. `up` interrupted: 130)
    process.stderr.write(`${prog}: ${err.message}\n`);
    return err.exitCode;
  }
  if (err instanceof StoreConfigError) {
    process.stderr.write(`${prog}: ${err.message}\n`);
    return 2;
  }
  if (err instanceof StoreUnavailableError || err instanceof SealedValueError) {
    process.stderr.write(`${prog}: ${err.message}\n`);
    return 1;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`${prog}: ${message}\n`);
  if (process.env.STACKD_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
  return 1;
}
