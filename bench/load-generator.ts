/**
 * A closed-loop HTTP load generator: `connections` keep-alive connections, each sending its next request
 * as soon as the previous answer arrived, for `durationMs`. Records every latency and status.
 */
import { Agent, request } from 'node:http';

export interface LoadOptions {
  port: number;
  method: string;
  path: string;
  connections: number;
  durationMs: number;
  /** Headers of the n-th request (n counts across all connections), e.g. a different user's API key. */
  headers: (n: number) => Record<string, string>;
}

export interface LoadResult {
  requests: number;
  elapsedMs: number;
  /** Requests per second over the whole run. */
  throughput: number;
  latenciesMs: number[];
  statuses: Map<number, number>;
  errors: number;
}

function send(agent: Agent, options: LoadOptions, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: '127.0.0.1', port: options.port, method: options.method, path: options.path, headers: { ...headers, 'Content-Length': '0' } },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections, maxFreeSockets: options.connections });
  const latenciesMs: number[] = [];
  const statuses = new Map<number, number>();
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const headers = options.headers(next++);
      const sent = performance.now();
      try {
        const status = await send(agent, options, headers);
        latenciesMs.push(performance.now() - sent);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, loop));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return { requests: latenciesMs.length, elapsedMs, throughput: (latenciesMs.length / elapsedMs) * 1000, latenciesMs, statuses, errors };
}
