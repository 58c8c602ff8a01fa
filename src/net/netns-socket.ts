// Sockets bound inside another network namespace (the engine host's, when the agent runs outside
// it): a short-lived child enters the namespace, binds, and hands the socket to the agent over
// IPC; the agent then serves on it in its own process, and lets the child go.
import { spawn } from 'node:child_process';
import type { Socket } from 'node:dgram';
import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';

export function bindUdp(netns: string | undefined, port: number, address = '0.0.0.0'): Promise<Socket> {
  if (!netns) {
    return new Promise((resolve, reject) => {
      const s = createSocket('udp4');
      s.once('error', reject);
      s.bind(port, address, () => resolve(s));
    });
  }
  return inNetns<Socket>(netns, 'udp', port, address);
}

/** A listening TCP server (DNS over TCP). */
export function listenTcp(netns: string | undefined, port: number, address = '0.0.0.0'): Promise<Server> {
  if (!netns) {
    return new Promise((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen({ port, host: address }, () => resolve(s));
    });
  }
  return inNetns<Server>(netns, 'tcp', port, address);
}

function inNetns<T>(netns: string, proto: 'udp' | 'tcp', port: number, address: string): Promise<T> {
  const child = fileURLToPath(new URL('./netns-socket-child.js', import.meta.url));
  return new Promise((resolve, reject) => {
    const proc = spawn('nsenter', [`--net=${netns}`, '--', process.execPath, child, proto, String(port), address], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    // the child exits only once told it may (disconnect): under load its exit could otherwise be
    // seen before the message carrying the socket, and a bound socket taken for a failure
    proc.on('message', (_m, handle) => {
      resolve(handle as unknown as T);
      if (proc.connected) proc.disconnect();
    });
    proc.on('error', reject);
    proc.on('exit', (code) => reject(new Error(`bind ${proto} ${address}:${port} in ${netns}: ${err.trim() || `exit ${code}`}`)));
  });
}
