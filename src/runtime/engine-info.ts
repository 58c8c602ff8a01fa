// The engine's identity (GET /info and /version) over plain node:http, without dockerode: an agent
// asks it before registering its node, and loading dockerode then would cost a restarted agent
// about a third of a second before it claims its node back (issue 10).
import http from 'node:http';
import https from 'node:https';
import { dockerError } from './docker-errors.js';
import type { EngineInfo } from './types.js';

/** How to reach an engine, as docker-modem takes it. */
export interface EngineAddress {
  socketPath?: string;
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
}

/** unix:///path, a bare socket path, tcp://host:port (or http://, https://). */
export function dockerOptions(url: string): EngineAddress {
  if (url.startsWith('/')) return { socketPath: url };
  const m = /^(unix|tcp|http|https):\/\/(.+)$/.exec(url);
  if (!m) throw new Error(`docker address ${JSON.stringify(url)}: expected unix:///path or tcp://host:port`);
  if (m[1] === 'unix') return { socketPath: m[2] };
  const hostPort = /^([^:/]+|\[[^\]]+\]):(\d+)\/?$/.exec(m[2]);
  if (!hostPort) throw new Error(`docker address ${JSON.stringify(url)}: expected ${m[1]}://host:port`);
  return { host: hostPort[1].replace(/^\[|\]$/g, ''), port: Number(hostPort[2]), protocol: m[1] === 'https' ? 'https' : 'http' };
}

/** How errors name the engine: unix:///run/x.sock or tcp://host:port. */
export function endpointOf(address: EngineAddress): string {
  return address.socketPath ? `unix://${address.socketPath}` : `tcp://${address.host}:${address.port}`;
}

export function defaultDockerUrl(url?: string): string {
  return url ?? (process.env.DOCKER_HOST || 'unix:///var/run/docker.sock');
}

/** The engine's identity: all a node needs to register and to tell whether its engine answers. */
export class EngineProbe {
  readonly endpoint: string;
  private readonly address: EngineAddress;

  constructor(url?: string) {
    this.address = dockerOptions(defaultDockerUrl(url));
    this.endpoint = endpointOf(this.address);
  }

  async engineInfo(): Promise<EngineInfo> {
    try {
      return engineInfoOf(await Promise.all([this.get('/info'), this.get('/version')]));
    } catch (err) {
      throw dockerError(err, this.endpoint, 'engine info');
    }
  }

  /** One GET with a JSON answer; failures shaped as docker-modem's (statusCode, json) or Node's socket errors. */
  private get(path: string): Promise<Record<string, unknown>> {
    const { socketPath, host, port, protocol } = this.address;
    const request = protocol === 'https' ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = request({ socketPath, host, port, path, agent: false, timeout: 10_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = text;
          }
          if (res.statusCode === 200 && json && typeof json === 'object') resolve(json as Record<string, unknown>);
          else reject(Object.assign(new Error(`(HTTP code ${res.statusCode}) GET ${path}`), { statusCode: res.statusCode, json }));
        });
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error(`GET ${path}: no answer within 10 s`), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end();
    });
  }
}

/** The engine's /info and /version answers as stackd's EngineInfo. */
export function engineInfoOf([info, version]: Record<string, unknown>[]): EngineInfo {
  const labels = Object.fromEntries(((info.Labels ?? []) as string[]).map((l) => [l.split('=')[0], l.slice(l.indexOf('=') + 1)]));
  return {
    version: info.ServerVersion as string,
    apiVersion: version.ApiVersion as string,
    hostname: info.Name as string,
    cpus: info.NCPU as number,
    memoryBytes: info.MemTotal as number,
    labels,
    os: info.OSType as string,
    arch: info.Architecture as string,
  };
}
