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

function send(agent: Agent, options: LatencyTarget, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port: options.port,
        method: options.method,
        path: options.path,
        headers: { ...headers, 'Content-Length': '0' },
      },
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
  return {
    requests: latenciesMs.length,
    elapsedMs,
    throughput: (latenciesMs.length / elapsedMs) * 1000,
    latenciesMs,
    statuses,
    errors,
  };
}

export interface LatencyTarget {
  port: number;
  method: string;
  path: string;
}

/**
 * One request at a time, taking the targets in turn (A, B, C, A, B, C, ...) for `durationMs`, each on its
 * own keep-alive connection. Neighbouring requests see the same machine, so the difference between the
 * targets' latencies stays meaningful while other work comes and goes.
 */
export async function runPairedLatency(
  targets: LatencyTarget[],
  durationMs: number,
  headers: (n: number) => Record<string, string>,
): Promise<LoadResult[]> {
  const agents = targets.map(() => new Agent({ keepAlive: true, maxSockets: 1 }));
  const results = targets.map(() => ({ latenciesMs: [] as number[], statuses: new Map<number, number>(), errors: 0 }));
  const started = performance.now();
  const deadline = started + durationMs;
  for (let n = 0; performance.now() < deadline; n++) {
    for (const [i, target] of targets.entries()) {
      const result = results[i] as (typeof results)[number];
      const sent = performance.now();
      try {
        const status = await send(agents[i] as Agent, target, headers(n));
        result.latenciesMs.push(performance.now() - sent);
        result.statuses.set(status, (result.statuses.get(status) ?? 0) + 1);
      } catch {
        result.errors++;
      }
    }
  }
  const elapsedMs = performance.now() - started;
  for (const agent of agents) agent.destroy();
  return results.map((r) => ({
    ...r,
    requests: r.latenciesMs.length,
    elapsedMs,
    throughput: (r.latenciesMs.length / elapsedMs) * 1000,
  }));
}
