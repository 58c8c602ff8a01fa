// `docker exec` through the Engine API: create the exec, start it hijacked (one socket carries
// stdin up and the output down), copy until the engine closes it, then read the exit code from the
// exec's inspect. With a TTY the output is raw bytes; without, stdout and stderr come framed.
import type { Duplex } from 'node:stream';
import type Dockerode from 'dockerode';
import { FrameDemuxer } from './demux.js';
import { dockerError } from './docker-errors.js';
import type { DockerRuntime } from './docker.js';

export interface TerminalSize {
  columns: number;
  rows: number;
}

export interface ExecOptions {
  tty: boolean;
  /** attach stdin (`docker exec -i`) */
  interactive: boolean;
  user?: string;
  workdir?: string;
  /** "KEY=value" */
  env?: string[];
  stdin?: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** with tty: the terminal's size; default stdout's when stdout is a terminal */
  size?: TerminalSize;
  /** with tty: subscribes to size changes, returns the unsubscribe; default stdout's 'resize' */
  onResize?: (listener: (size: TerminalSize) => void) => () => void;
}

/** Runs `cmd` in the running container; resolves with its exit code. */
export async function execInContainer(runtime: DockerRuntime, containerId: string, cmd: string[], opts: ExecOptions): Promise<number> {
  const what = `exec in ${containerId}`;
  const size = opts.tty ? (opts.size ?? terminalSize(opts.stdout)) : undefined;
  let exec: Dockerode.Exec;
  let socket: Duplex;
  try {
    exec = await runtime.docker.getContainer(containerId).exec({
      Cmd: cmd,
      AttachStdin: opts.interactive,
      AttachStdout: true,
      AttachStderr: true,
      Tty: opts.tty,
      ...(opts.user ? { User: opts.user } : {}),
      ...(opts.workdir ? { WorkingDir: opts.workdir } : {}),
      ...(opts.env?.length ? { Env: opts.env } : {}),
      // API 1.42+ sizes the terminal at start; older engines ignore it and take the resize below
      ...(size ? { ConsoleSize: [size.rows, size.columns] } : {}),
    } as Dockerode.ExecCreateOptions);
    socket = (await exec.start({ hijack: true, stdin: opts.interactive, Tty: opts.tty })) as Duplex;
  } catch (err) {
    throw dockerError(err, runtime.endpoint, what);
  }
  const resize = (s: TerminalSize) => void exec.resize({ h: s.rows, w: s.columns }).catch(() => {}); // the exec may have ended
  if (size) resize(size);
  const unsubscribe = opts.tty ? (opts.onResize ?? followTerminal(opts.stdout))(resize) : () => {};
  const stdin = opts.interactive ? opts.stdin : undefined;
  // Without a TTY, the end of stdin half-closes the socket and the command sees end of input. With
  // one, the engine would close the terminal's output too: the command's own exit ends the exec.
  stdin?.pipe(socket, { end: !opts.tty });
  try {
    await copyOutput(socket, opts);
  } catch (err) {
    throw dockerError(err, runtime.endpoint, what);
  } finally {
    unsubscribe();
    stdin?.unpipe(socket);
  }
  return exitCode(exec, runtime, what);
}

/** Resolves when the engine closes the socket (the command ended). */
function copyOutput(socket: Duplex, opts: ExecOptions): Promise<void> {
  const demux = new FrameDemuxer();
  const write = (out: NodeJS.WritableStream, data: Buffer) => {
    if (out.write(data)) return;
    socket.pause(); // a slow reader (a pipe to less) holds the command back rather than our memory
    out.once('drain', () => socket.resume());
  };
  socket.on('data', (chunk: Buffer) => {
    if (opts.tty) write(opts.stdout, chunk);
    else for (const c of demux.push(chunk)) write(c.stream === 'stderr' ? opts.stderr : opts.stdout, c.data);
  });
  return new Promise((resolve, reject) => {
    socket.on('error', reject);
    socket.on('close', () => resolve());
  });
}

/** The output's end can come just before the engine records the exit: inspect until it has. */
async function exitCode(exec: Dockerode.Exec, runtime: DockerRuntime, what: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    let info: Dockerode.ExecInspectInfo;
    try {
      info = await exec.inspect();
    } catch (err) {
      throw dockerError(err, runtime.endpoint, what);
    }
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    if (attempt >= 100) throw dockerError(new Error('the command ended but the engine reports no exit code'), runtime.endpoint, what);
    await new Promise((r) => setTimeout(r, 20));
  }
}

type MaybeTerminal = NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };

function terminalSize(out: NodeJS.WritableStream): TerminalSize | undefined {
  const t = out as MaybeTerminal;
  return t.isTTY && t.columns && t.rows ? { columns: t.columns, rows: t.rows } : undefined;
}

/** A terminal stdout's 'resize' events (node's tty.WriteStream); nothing for a pipe or a file. */
function followTerminal(out: NodeJS.WritableStream): (listener: (size: TerminalSize) => void) => () => void {
  return (listener) => {
    if (!terminalSize(out)) return () => {};
    const onResize = () => {
      const s = terminalSize(out);
      if (s) listener(s);
    };
    out.on('resize', onResize);
    return () => out.removeListener('resize', onResize);
  };
}
