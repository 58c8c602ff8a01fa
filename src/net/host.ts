// Commands run in a network namespace: the engine's host (`--netns`), or a container's
// (/proc/PID/ns/net). ip, bridge and iptables-restore are the kernel's own tools; nothing here
// forwards a packet itself.
import { spawn } from 'node:child_process';

export class HostNet {
  /** @param netns a network namespace file; undefined: the agent's own */
  constructor(readonly netns: string | undefined) {}

  run(argv: string[], input?: string): Promise<string> {
    return runIn(this.netns, argv, input);
  }
}

/** Runs argv (in `netns` when given); resolves stdout, rejects with the command and its stderr. */
export function runIn(netns: string | undefined, argv: string[], input?: string): Promise<string> {
  const full = netns ? ['nsenter', `--net=${netns}`, '--', ...argv] : argv;
  return new Promise((resolve, reject) => {
    const child = spawn(full[0], full.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${argv.join(' ')}: ${err.trim() || `exit ${code}`}`));
    });
    child.stdin.on('error', () => undefined); // the command may exit before reading it all
    child.stdin.end(input ?? '');
  });
}

/** The host's address other nodes reach it at: its first global IPv4 address on an interface
 *  that is not the engine's or stackd's (bridges, veths, VXLAN devices). */
export async function detectAddress(host: HostNet): Promise<string | undefined> {
  const out = await host.run(['ip', '-4', '-o', 'addr', 'show', 'scope', 'global']);
  for (const line of out.split('\n')) {
    const m = /^\d+:\s+(\S+)\s+inet\s+([\d.]+)\//.exec(line);
    if (m && !/^(docker\d*|br-|veth|sdvx|sdbr|sd[bx][0-9a-f]{4}\d)/.test(m[1])) return m[2];
  }
  return undefined;
}
