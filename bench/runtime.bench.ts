/**
 * `npm run bench:runtime`: what the generated Python gate costs a real app. One uvicorn worker serves an
 * endpoint behind the gated test app's own auth dependency (an API key looked up through its SQLAlchemy
 * session), once without skene and once with skene installed and the gate on the route, on SQLite and on
 * PostgreSQL (a throwaway cluster, as the runtime tests start it).
 *
 * Scenarios, in interleaved rounds (the order rotates every round):
 *   ungated            the app without skene
 *   gated, counting    200 distinct users: free users with a limit far away and one paid (unlimited) user,
 *                      so every request takes the counting path (plan lookup, pre-check, atomic upsert)
 *   gated, blocked     every user already at the limit: the 402 path
 * Each round measures every scenario under load (N keep-alive connections: throughput, p50/p99, uvicorn's
 * CPU time per request), then the latency a lone request pays: one request at a time, taking the
 * scenarios in turn, so neighbouring requests see the same machine ("added p50" is gated minus ungated).
 * Checks: every answer has the expected status, and the store counted exactly the gated 200s.
 * Then the store's statements are timed in-process (runtime_support.py microbench) to show where the
 * gate's time goes, the apps are driven in-process as ASGI callables (runtime_support.py asgi: the median
 * CPU time per request with the scenarios taking turns request by request, the "added CPU in-process"
 * target; then, in a round of its own beside the ungated app, the ungated request after one counted write by
 * the bare database driver, the floor of any counter kept in the app's database), and the same in-process
 * requests are run under valgrind's callgrind (see below).
 *
 * The in-process timing runs in three separate processes, each kept on one CPU with every thread it starts,
 * and the target is their median: a sync handler hands each request from the event loop's thread to the
 * threadpool's and back, and on a virtual machine free to use two CPUs the CPU time that work is charged
 * depends on where the hypervisor places the two threads, not on the work. Measured with the bench's own
 * driver: 40 µs of plain Python put before the request read +52 to +105 µs on two CPUs and +50 to +53 on
 * one; one bare SQLite write +100 to +149 µs on two and +69 to +100 on one; the counting request +145 to
 * +199 µs in four runs on two CPUs and +90 to +106 in three on one. One run free to use every CPU is still
 * shown beside them.
 *
 * callgrind (runtime_support.py instructions) counts instructions per request, which stay the same on a
 * busy machine where the CPU figures do not. Its estimate of the added CPU is the added instructions at the
 * ungated request's CPU time per instruction in this run's one-CPU timings.
 *
 * Options: --rounds N (5) · --seconds S (3, load phase) · --latency-seconds S (1.5 per scenario) · --connections N (8)
 * · --users N (200) · --only sqlite|postgresql · --instructions N (400 requests per scenario under callgrind; 0
 * skips it) · --keep
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { type LoadResult, runLoad, runPairedLatency } from './load-generator.js';
import { median, percentile, ratio, renderTable, verdict } from './report.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON = '/usr/bin/python3';
const support = join(repo, 'bench', 'runtime_support.py');

const TARGETS = {
  sqlite: { throughputRatio: 0.5, addedP50Ms: 0.3, addedCpuMs: 0.1 },
  postgresql: { throughputRatio: 0.35, addedP50Ms: 0.6, addedCpuMs: 0.25 },
} as const;
type Database = keyof typeof TARGETS;

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '3' },
    'latency-seconds': { type: 'string', default: '1.5' },
    connections: { type: 'string', default: '8' },
    users: { type: 'string', default: '200' },
    instructions: { type: 'string', default: '400' },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const rounds = Number(args.rounds);
const loadMs = Number(args.seconds) * 1000;
const latencyMs = Number(args['latency-seconds']) * 1000;
const connections = Number(args.connections);
const users = Number(args.users);
const instructionCalls = Number(args.instructions);
// Requests per scenario in each in-process timing (runtime_support.py asgi), and how many separate processes
// time them on one CPU (see the header).
const IN_PROCESS_CALLS = 2000;
const IN_PROCESS_RUNS = 3;
const databases: Database[] = args.only ? [args.only as Database] : ['sqlite', 'postgresql'];

interface Scenario {
  name: string;
  server: 'ungated' | 'gated';
  path: string;
  status: number;
}

const SCENARIOS: Scenario[] = [
  { name: 'ungated', server: 'ungated', path: '/api/work', status: 200 },
  { name: 'gated, counting', server: 'gated', path: '/api/work', status: 200 },
  { name: 'gated, blocked (402)', server: 'gated', path: '/api/blocked', status: 402 },
];

interface Measured {
  load: LoadResult[];
  single: LoadResult[];
  /** uvicorn's CPU time per request under load (ms): steadier than wall figures on a busy machine. */
  cpuPerRequest: number[];
}

/** User + system CPU time of a process, all its threads, in ms (Linux /proc). */
function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat(5), utime and stime, in clock ticks (USER_HZ, 100 on Linux).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function runPython(command: string[]): string {
  const out = spawnSync(PYTHON, [support, ...command], { cwd: repo, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`runtime_support.py ${command[0]} failed:\n${out.stdout}${out.stderr}`);
  return out.stdout;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function httpStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
  });
}

interface Server {
  port: number;
  process: ChildProcess;
  stderr: () => string;
}

async function startUvicorn(project: string, databaseUrl: string, gated: boolean): Promise<Server> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PYTHONPATH: project,
    TESTAPP_DATABASE_URL: databaseUrl,
    BENCH_GATED: gated ? '1' : '0',
  };
  delete env.SKENE_DATABASE_URL;
  const child = spawn(
    PYTHON,
    [
      '-m',
      'uvicorn',
      'testapp.bench_app:app',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--log-level',
      'warning',
      '--no-access-log',
    ],
    { cwd: project, env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const deadline = Date.now() + 30_000;
  while ((await httpStatus(port, '/health')) !== 200) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`uvicorn (${gated ? 'gated' : 'ungated'}) did not start:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, process: child, stderr: () => stderr };
}

async function stopServer(server: Server): Promise<void> {
  if (server.process.exitCode !== null) return;
  server.process.kill('SIGINT');
  const timer = setTimeout(() => server.process.kill('SIGKILL'), 10_000);
  await once(server.process, 'exit');
  clearTimeout(timer);
}

interface Postgres {
  url: string;
  stop: () => Promise<void>;
}

/** PostgreSQL through support.Postgres, kept alive by a Python process until its stdin closes. */
async function startPostgres(): Promise<Postgres> {
  const child = spawn(PYTHON, [support, 'postgres'], { cwd: repo, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const [first] = (await Promise.race([once(lines, 'line'), once(child, 'exit').then(() => [undefined])])) as [
    string | undefined,
  ];
  if (!first) throw new Error('PostgreSQL did not start');
  return {
    url: (JSON.parse(first) as { url: string }).url,
    stop: async () => {
      child.stdin?.end();
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

const headersFor = (n: number): Record<string, string> => ({ 'X-API-Key': `key-${(n % users) + 1}` });

async function measureDatabase(project: string, database: Database, databaseUrl: string, problems: string[]) {
  log(`${database}: preparing ${users} users ...`);
  runPython(['prepare', project, databaseUrl, String(users)]);
  const servers = {
    ungated: await startUvicorn(project, databaseUrl, false),
    gated: await startUvicorn(project, databaseUrl, true),
  };
  const results = new Map<string, Measured>(
    SCENARIOS.map((s) => [s.name, { load: [], single: [], cpuPerRequest: [] }]),
  );
  let gatedOk = 0;
  const check = (scenario: Scenario, result: LoadResult): void => {
    const wrong = [...result.statuses.entries()].filter(([status]) => status !== scenario.status);
    if (wrong.length > 0 || result.errors > 0) {
      problems.push(
        `${database} ${scenario.name}: expected only ${scenario.status}, got ${JSON.stringify(Object.fromEntries(result.statuses))}, ${result.errors} connection errors`,
      );
    }
    if (scenario.name === 'gated, counting') gatedOk += result.statuses.get(200) ?? 0;
  };
  const run = async (scenario: Scenario, conns: number, durationMs: number): Promise<LoadResult> => {
    const result = await runLoad({
      port: servers[scenario.server].port,
      method: 'POST',
      path: scenario.path,
      connections: conns,
      durationMs,
      headers: headersFor,
    });
    check(scenario, result);
    return result;
  };
  try {
    for (const scenario of SCENARIOS) await run(scenario, connections, 1000); // warm-up
    for (let round = 0; round < rounds; round++) {
      const order = SCENARIOS.map((_, i) => SCENARIOS[(i + round) % SCENARIOS.length] as Scenario);
      const summary: string[] = [];
      for (const scenario of order) {
        const measured = results.get(scenario.name) as Measured;
        const pid = servers[scenario.server].process.pid as number;
        const cpuBefore = processCpuMs(pid);
        const load = await run(scenario, connections, loadMs);
        measured.cpuPerRequest.push((processCpuMs(pid) - cpuBefore) / load.requests);
        measured.load.push(load);
        summary.push(`${scenario.name} ${load.throughput.toFixed(0)} req/s`);
      }
      const targets = order.map((s) => ({ port: servers[s.server].port, method: 'POST', path: s.path }));
      const paired = await runPairedLatency(targets, latencyMs * order.length, headersFor);
      for (const [i, scenario] of order.entries()) {
        const single = paired[i] as LoadResult;
        check(scenario, single);
        (results.get(scenario.name) as Measured).single.push(single);
        summary.push(`${scenario.name} p50 ${percentile(single.latenciesMs, 50).toFixed(2)} ms`);
      }
      log(`${database} round ${round + 1}/${rounds}: ${summary.join(' · ')}`);
    }
  } finally {
    for (const server of Object.values(servers)) {
      await stopServer(server);
      if (server.stderr().includes('Traceback'))
        problems.push(`${database}: uvicorn printed a traceback:\n${server.stderr()}`);
    }
  }
  const counted = (JSON.parse(runPython(['usage', project, databaseUrl, 'bench'])) as { used: number }).used;
  if (counted !== gatedOk)
    problems.push(`${database}: the store counted ${counted} units for ${gatedOk} gated 200 answers`);
  log(`${database}: timing the store's statements in-process ...`);
  const micro = JSON.parse(runPython(['microbench', project, databaseUrl, '300'])) as Array<{
    what: string;
    us: number;
  }>;
  const inProcess: InProcess[] = [];
  for (let run = 1; run <= IN_PROCESS_RUNS; run++) {
    log(`${database}: driving the apps in-process (ASGI, no HTTP), on one CPU, run ${run}/${IN_PROCESS_RUNS} ...`);
    inProcess.push(JSON.parse(runPython(['asgi', project, databaseUrl, String(IN_PROCESS_CALLS), 'one'])) as InProcess);
  }
  log(`${database}: driving the apps in-process, free to use every CPU ...`);
  const inProcessFree = JSON.parse(
    runPython(['asgi', project, databaseUrl, String(IN_PROCESS_CALLS), 'all']),
  ) as InProcess;
  let instructions: Instructions | undefined;
  if (instructionCalls > 0) {
    log(`${database}: counting instructions per request under callgrind (${instructionCalls} per scenario) ...`);
    instructions = JSON.parse(
      runPython(['instructions', project, databaseUrl, String(instructionCalls)]),
    ) as Instructions;
  }
  return { results, counted, gatedOk, micro, inProcess, inProcessFree, instructions };
}

interface Instructions {
  calls: number;
  python: string;
  per_request: Array<{ scenario: string; instructions: number }>;
}

/** Instructions per request and, from them, the added CPU at the ungated request's CPU per instruction. */
function renderInstructions(
  database: Database,
  data: Instructions,
  baseCpuUs: number | undefined,
): { text: string; met: boolean } {
  const base = data.per_request.find((r) => r.scenario === 'ungated');
  const usPerInstruction = base && baseCpuUs ? baseCpuUs / base.instructions : Number.NaN;
  const target = TARGETS[database].addedCpuMs;
  let met = true;
  const rows = data.per_request.map((r) => {
    if (!base || r === base) return [r.scenario, r.instructions.toLocaleString('en-US'), '', '', ''];
    const added = r.instructions - base.instructions;
    const estimateMs = (added * usPerInstruction) / 1000;
    const counting = r.scenario === 'gated, counting';
    if (counting) met &&= estimateMs <= target;
    return [
      r.scenario,
      r.instructions.toLocaleString('en-US'),
      `${added >= 0 ? '+' : ''}${added.toLocaleString('en-US')}`,
      `${estimateMs >= 0 ? '+' : ''}${estimateMs.toFixed(3)}`,
      counting ? `<= ${target} ${verdict(estimateMs <= target)}` : '',
    ];
  });
  const gated = data.per_request.find((r) => r.scenario === 'gated, counting');
  const bare = data.per_request.find((r) => r.scenario === BARE_COUNT);
  const split =
    base && gated && bare
      ? `\nOf the counting request's ${(gated.instructions - base.instructions).toLocaleString('en-US')} added ` +
        `instructions, ${(bare.instructions - base.instructions).toLocaleString('en-US')} are the bare driver's count; ` +
        `skene's own code: ${(gated.instructions - bare.instructions).toLocaleString('en-US')}.`
      : '';
  const text =
    `${database}, instructions per request under callgrind (valgrind --tool=callgrind, every thread of the process; ` +
    `${data.calls} in-process ASGI requests per scenario after a warm-up, Python ${data.python}); the estimate is ` +
    `the added instructions at the ungated request's CPU per instruction in this run's in-process figures (one CPU) ` +
    `(${(usPerInstruction * 1000).toFixed(2)} ns each): an estimate, not a measurement of time:\n` +
    renderTable(['scenario', 'instructions/req', 'added', 'est. added cpu ms', 'target'], rows) +
    split;
  return { text, met };
}

interface InProcess {
  per_request: Array<{
    scenario: string;
    cpu_us: number;
    cpu_mean_us: number;
    kernel_us: number;
    wall_us: number;
    /** The bare count's own round: the ungated requests it is compared with. */
    baseline_cpu_us?: number;
  }>;
  /** How many CPUs the run's process could use. */
  cpus: number;
  profiles: Record<
    string,
    Array<{ function: string; calls_per_request: number; self_us: number; cumulative_us: number }>
  >;
}

type PerRequest = InProcess['per_request'][number];

const BARE_COUNT = "ungated + a bare driver's count";

/** What one scenario costs over the ungated request, in one run of the in-process driver. */
function addedUs(run: InProcess, scenario: string): number | undefined {
  const base = run.per_request.find((r) => r.scenario === 'ungated');
  const row = run.per_request.find((r) => r.scenario === scenario);
  if (!base || !row || row === base) return undefined;
  return row.cpu_us - (row.baseline_cpu_us ?? base.cpu_us);
}

/** The in-process figures: each scenario's median over the one-CPU runs, with the spread of the added CPU
 * across those runs and, for comparison, what the run free to use every CPU read. */
function renderInProcess(database: Database, runs: InProcess[], free: InProcess): { text: string; met: boolean } {
  const first = runs[0] as InProcess;
  const targetUs = TARGETS[database].addedCpuMs * 1000;
  const signed = (us: number) => `${us >= 0 ? '+' : ''}${us.toFixed(0)}`;
  const across = (scenario: string, pick: (r: PerRequest) => number) =>
    median(runs.map((run) => pick(run.per_request.find((r) => r.scenario === scenario) as PerRequest)));
  const addedAcross = (scenario: string) =>
    runs.map((run) => addedUs(run, scenario)).filter((us): us is number => us !== undefined);
  let met = true;
  const perRequest = renderTable(
    [
      'scenario',
      'cpu µs/req (median)',
      'of it kernel (mean)',
      'wall µs (median)',
      'added cpu µs',
      `range over ${runs.length} runs`,
      'target',
      'added, every CPU (1 run)',
    ],
    first.per_request.map((r) => {
      const added = addedAcross(r.scenario);
      const addedMedian = added.length > 0 ? median(added) : undefined;
      const counting = r.scenario === 'gated, counting' && addedMedian !== undefined;
      if (counting) met &&= (addedMedian as number) <= targetUs;
      const freeAdded = addedUs(free, r.scenario);
      return [
        r.baseline_cpu_us === undefined ? r.scenario : `${r.scenario} (own round)`,
        across(r.scenario, (x) => x.cpu_us).toFixed(0),
        across(r.scenario, (x) => x.kernel_us).toFixed(0),
        across(r.scenario, (x) => x.wall_us).toFixed(0),
        addedMedian === undefined ? '' : signed(addedMedian),
        added.length > 0 ? `${signed(Math.min(...added))} to ${signed(Math.max(...added))}` : '',
        counting ? `<= ${targetUs} ${verdict((addedMedian as number) <= targetUs)}` : '',
        freeAdded === undefined ? '' : signed(freeAdded),
      ];
    }),
  );
  const split = (() => {
    const added = addedAcross('gated, counting');
    const floor = addedAcross(BARE_COUNT);
    if (added.length === 0 || floor.length === 0) return '';
    const own = runs.map((run) => (addedUs(run, 'gated, counting') ?? 0) - (addedUs(run, BARE_COUNT) ?? 0));
    return (
      `Of the counting request's ${signed(median(added))} µs, ${signed(median(floor))} µs is what one counted write costs in this ` +
      `app when done with the bare driver on a connection of its own (its statement, and the effect of a write by ` +
      `another connection on the app's own queries), measured in a round of its own beside the ungated app so that ` +
      `its writes do not slow skene's: the floor of any counter kept in the app's database. The rest, ` +
      `${signed(median(own))} µs (median of the runs' differences), is skene's own code.`
    );
  })();
  const profiles = Object.entries(first.profiles).map(
    ([scenario, rows]) =>
      `cProfile, ${scenario} (event-loop thread; the store's own threads are not sampled), per request, first run:\n` +
      renderTable(
        ['generated function', 'calls', 'self µs', 'cumulative µs'],
        rows
          .slice(0, 8)
          .map((r) => [r.function, String(r.calls_per_request), r.self_us.toFixed(1), r.cumulative_us.toFixed(1)]),
      ),
  );
  return {
    text: [
      `${database}, the apps driven in-process as ASGI callables (no HTTP; the scenarios take turns request by ` +
        `request; CPU time of the whole process per request, median of ${IN_PROCESS_CALLS.toLocaleString('en-US')} ` +
        `each; ${runs.length} runs in separate processes, each kept on one CPU, and one free to use all ` +
        `${free.cpus}):\n${perRequest}`,
      ...(split ? [split] : []),
      ...profiles,
    ].join('\n\n'),
    met,
  };
}

function rowsFor(database: Database, results: Map<string, Measured>): { rows: string[][]; met: boolean } {
  const figure = (name: string) => {
    const m = results.get(name) as Measured;
    return {
      throughput: median(m.load.map((r) => r.throughput)),
      loadP50: median(m.load.map((r) => percentile(r.latenciesMs, 50))),
      loadP99: median(m.load.map((r) => percentile(r.latenciesMs, 99))),
      p50: median(m.single.map((r) => percentile(r.latenciesMs, 50))),
      p99: median(m.single.map((r) => percentile(r.latenciesMs, 99))),
      cpu: median(m.cpuPerRequest),
    };
  };
  const base = figure('ungated');
  const target = TARGETS[database];
  let met = true;
  const rows = SCENARIOS.map((scenario) => {
    const f = figure(scenario.name);
    const cells = [
      database,
      scenario.name,
      f.throughput.toFixed(0),
      f.loadP50.toFixed(2),
      f.loadP99.toFixed(2),
      f.p50.toFixed(2),
      f.p99.toFixed(2),
      f.cpu.toFixed(2),
    ];
    if (scenario.server === 'ungated') return [...cells, '', '', '', '', ''];
    const throughputRatio = f.throughput / base.throughput;
    const added = f.p50 - base.p50;
    if (scenario.name === 'gated, counting')
      met &&= throughputRatio >= target.throughputRatio && added <= target.addedP50Ms;
    return [
      ...cells,
      ratio(throughputRatio),
      `>= ${target.throughputRatio}x ${verdict(throughputRatio >= target.throughputRatio)}`,
      `${added >= 0 ? '+' : ''}${added.toFixed(2)}`,
      `<= ${target.addedP50Ms} ${verdict(added <= target.addedP50Ms)}`,
      `${f.cpu - base.cpu >= 0 ? '+' : ''}${(f.cpu - base.cpu).toFixed(2)}`,
    ];
  });
  return { rows, met };
}

const loadAtStart = loadavg()[0] as number;
const workDir = mkdtempSync(join(tmpdir(), 'skene-bench-runtime-'));
const project = join(workDir, 'project');
const problems: string[] = [];
const tables: string[][] = [];
const microTables: string[] = [];
const countChecks: string[] = [];
const estimates: string[] = [];
let allMet = true;
try {
  log('rendering the runtime into a copy of test/python/apps/gated ...');
  runPython(['render', project]);
  for (const database of databases) {
    const postgres = database === 'postgresql' ? await startPostgres() : undefined;
    try {
      const url = postgres ? postgres.url : `sqlite:///${join(workDir, 'bench.db')}`;
      const { results, counted, gatedOk, micro, inProcess, inProcessFree, instructions } = await measureDatabase(
        project,
        database,
        url,
        problems,
      );
      const { rows, met } = rowsFor(database, results);
      const inProcessReport = renderInProcess(database, inProcess, inProcessFree);
      const ungatedCpuUs = median(
        inProcess.map((run) => run.per_request.find((r) => r.scenario === 'ungated')?.cpu_us ?? Number.NaN),
      );
      const instructionReport = instructions ? renderInstructions(database, instructions, ungatedCpuUs) : undefined;
      allMet &&= met && inProcessReport.met;
      tables.push(...rows);
      countChecks.push(
        `${database}: store counted ${counted} units for ${gatedOk} gated 200 answers ${verdict(counted === gatedOk)}`,
      );
      microTables.push(
        `${database}, the store's calls one after another, per call:\n${renderTable(
          ['store call', 'µs'],
          micro.map((m) => [m.what, m.us.toFixed(1)]),
        )}`,
        inProcessReport.text,
        ...(instructionReport ? [instructionReport.text] : []),
      );
      if (instructionReport)
        estimates.push(`${database}: added CPU estimated from instructions ${verdict(instructionReport.met)}`);
    } finally {
      await postgres?.stop();
    }
  }
  const header = [
    'database',
    'endpoint',
    'req/s',
    `p50 ms @${connections}`,
    `p99 ms @${connections}`,
    'p50 ms @1',
    'p99 ms @1',
    'cpu ms/req',
    'req/s vs ungated',
    'target',
    'added p50 ms @1',
    'target',
    'added cpu ms/req',
  ];
  process.stdout.write(
    `\nskene runtime benchmark: uvicorn, one worker, sync handler; ${rounds} interleaved rounds of ${loadMs / 1000} s at ${connections} connections ` +
      `+ ${(latencyMs * SCENARIOS.length) / 1000} s of lone requests taking the scenarios in turn; ${users} users (user 1 paid); medians over rounds; ` +
      `load average ${loadAtStart.toFixed(1)} at start, ${(loadavg()[0] as number).toFixed(1)} at end on ${availableParallelism()} CPUs; ` +
      `cpu ms/req: uvicorn's own CPU time per request under load (PostgreSQL's backend not included)\n\n${renderTable(header, tables)}\n\n`,
  );
  process.stdout.write(`${countChecks.join('\n')}\n\n${microTables.join('\n\n')}\n`);
  process.stdout.write(
    `\ntargets on the counting path (throughput, added p50 over HTTP; added CPU in-process): ${allMet ? 'all met' : 'some MISSED'}\n`,
  );
  if (estimates.length > 0) process.stdout.write(`${estimates.join('\n')}\n`);
} finally {
  if (args.keep) log(`kept ${workDir}`);
  else rmSync(workDir, { recursive: true, force: true });
}
if (problems.length > 0) {
  process.stdout.write(
    `\nThe gate misbehaved; these figures are not valid:\n${problems.map((p) => `  ${p}`).join('\n')}\n`,
  );
  process.exitCode = 1;
}
