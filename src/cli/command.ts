// What stackctl's commands repeat, said once: `-o/--format` (a bad value is a usage error, exit 2),
// an action run with the Store open and closed after it (input that needs no Store checked first,
// so nothing is opened or written on bad input), and a service found by its STACK_SERVICE name.
import { type Command, Option } from 'commander';
import type { Service } from '../api/objects.js';
import type { Store } from '../store/store.js';
import { withStore } from './context.js';
import type { OutputFormat } from './format.js';
import { findService } from './resolve.js';

/** `-o, --format` with these values, the first the default; another value is a usage error (exit 2). */
export function formatOption(formats: readonly string[] = ['table', 'json']): Option {
  return new Option('-o, --format <format>', 'output format').choices(formats).default(formats[0]);
}

/** The options of a listing (formatOption's table or json). */
export interface Listing {
  format: OutputFormat;
}

/** What an action gets besides its arguments. */
export interface StoreContext<O, I = undefined> {
  store: Store;
  /** the command's options, as commander parsed them */
  opts: O;
  /** what `check` returned */
  input: I;
  cmd: Command;
}

type Action = (...all: unknown[]) => Promise<void>;

/**
 * A commander action run with the Store open: `run(context, ...arguments)`. With two functions,
 * the first checks and prepares the input (`check(opts, ...arguments)`) before the Store is
 * opened, and `run` gets what it returned as `context.input`.
 */
export function storeAction<O, A extends unknown[] = []>(run: (c: StoreContext<O>, ...args: A) => Promise<unknown>): Action;
export function storeAction<O, I, A extends unknown[] = []>(
  check: (opts: O, ...args: A) => I | Promise<I>,
  run: (c: StoreContext<O, I>, ...args: A) => Promise<unknown>,
): Action;
export function storeAction(first: (...x: never[]) => unknown, second?: (...x: never[]) => Promise<unknown>): Action {
  const check = second ? (first as (opts: unknown, ...args: unknown[]) => unknown) : undefined;
  const run = (second ?? first) as (c: StoreContext<unknown, unknown>, ...args: unknown[]) => Promise<unknown>;
  return async (...all) => {
    // commander calls an action with the arguments, then the options, then the command
    const cmd = all[all.length - 1] as Command;
    const opts = all[all.length - 2];
    const args = all.slice(0, -2);
    const input = check ? await check(opts, ...args) : undefined;
    await withStore(cmd, (store) => run({ store, opts, input, cmd }, ...args));
  };
}

/** storeAction for `COMMAND STACK_SERVICE ...`: the service is looked up first ("no such service" otherwise). */
export function serviceAction<O, A extends unknown[] = []>(run: (c: StoreContext<O> & { svc: Service; name: string }, ...rest: A) => Promise<unknown>): Action {
  return storeAction<O, [string, ...A]>(async (c, name, ...rest) => run({ ...c, svc: await findService(c.store, name), name }, ...rest));
}
