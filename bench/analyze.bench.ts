/**
 * `npm run bench`: the analyzer on a synthetic FastAPI codebase of 2,000 files (~20 MB), against a bare
 * single-thread tree-sitter parse of the same files (the same WebAssembly parser skene uses); `skene init`
 * and `skene doctor` on that codebase against `skene analyze`; `skene --help` against `node -e 0`; and the
 * size of node_modules when the packed tarball is installed into an empty project, with the installed bin's
 * `--help` against `node -e 0` there. Each figure is printed with its ratio and its target (issue 17's list).
 *
 * Each measured run is a fresh process (bench/analyze-worker.mjs), as a CLI run is, so each figure gets
 * its own peak RSS; parse and analysis runs alternate and the median is reported. Wall time is the
 * headline; CPU time is printed beside it because it stays steady when other work shares the machine.
 * The analyzer must find exactly the routes the generator wrote, or the run fails.
 *
 * Options: --runs N (default 3) · --help-runs N (default 15) · --seed N · --profile (one more analysis
 * under --cpu-prof, with a summary of where the time goes) · --check-fastapi (also compare the expected
 * route table with FastAPI's own through test/helpers/dump_routes.py; slow: ~5 min) · --keep · --no-build
 * · --no-install (skip the install figures: it packs and installs from the npm registry, ~20 s)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { mb, median, ms, ratio, renderTable, verdict } from './report.js';
import { summarizeCpuProfile } from './summarize-cpu-profile.js';
import { writeSyntheticFastApiCodebase } from './synthetic-fastapi.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const worker = join(repo, 'bench', 'analyze-worker.mjs');

const TARGET_ANALYSIS_RATIO = 1.0;
const TARGET_RSS_MB = 300;
const TARGET_HELP_RATIO = 1.2;
const TARGET_COMMAND_RATIO = 1.5;
const TARGET_INSTALL_MB = 40;

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    'help-runs': { type: 'string', default: '15' },
    seed: { type: 'string', default: '20240611' },
    files: { type: 'string', default: '2000' },
    mb: { type: 'string', default: '20' },
    profile: { type: 'boolean', default: false },
    'check-fastapi': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    'no-install': { type: 'boolean', default: false },
  },
});
const runs = Number(args.runs);
const helpRuns = Number(args['help-runs']);

interface ParseRun {
  wallMs: number;
  cpuMs: number;
  maxRssKb: number;
}

interface AnalysisRun extends ParseRun {
  stats: { files: number; bytes: number; parsedFiles: number; skippedFiles: number };
  routes: string[];
  diagnostics: string[];
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function runWorker<T>(nodeArgs: string[], workerArgs: string[]): T {
  const out = spawnSync(process.execPath, [...nodeArgs, worker, ...workerArgs], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (out.status !== 0) throw new Error(`worker ${workerArgs[0]} failed (${out.status ?? out.signal}):\n${out.stderr}`);
  return JSON.parse(out.stdout) as T;
}

/** The built dist/ when `npm run build` succeeds (what users run), else the sources through tsx. */
function analyzerModule(): { nodeArgs: string[]; url: string; label: string } {
  if (!args['no-build']) {
    log('building (npm run build) ...');
    const build = spawnSync('npm', ['run', 'build'], { cwd: repo, encoding: 'utf8' });
    if (build.status !== 0) {
      log(
        `npm run build failed; measuring src/ through tsx instead, and skipping --help.\n${build.stdout}${build.stderr}`,
      );
      return {
        nodeArgs: ['--import', 'tsx'],
        url: pathToFileURL(join(repo, 'src/analyze/analyze-project.ts')).href,
        label: 'src/ via tsx (build failed)',
      };
    }
  }
  return { nodeArgs: [], url: pathToFileURL(join(repo, 'dist/lib/analyze-project.js')).href, label: 'dist/' };
}

function timeCommand(command: string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const out = spawnSync(command[0] as string, command.slice(1), { cwd: repo, env, encoding: 'utf8' });
  const elapsed = performance.now() - started;
  if (out.status !== 0) throw new Error(`${command.join(' ')} exited ${out.status}:\n${out.stderr}`);
  return elapsed;
}

interface InstallFigures {
  bytes: number;
  seconds: number;
  /** Medians of `node_modules/.bin/skene --help` there and of `node -e 0` beside it. */
  help: number;
  node: number;
}

/**
 * `npm pack` (of the current build), `npm install` of the tarball into an empty project, `du` of its node_modules,
 * and `--help` of the installed bin (what a user's `npx skene --help` runs after npm has found it).
 */
function installFigures(): InstallFigures {
  const dir = mkdtempSync(join(tmpdir(), 'skene-bench-install-'));
  try {
    execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: repo });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz')) as string;
    const app = join(dir, 'app');
    execFileSync('mkdir', [app]);
    execFileSync('npm', ['init', '-y'], { cwd: app, stdio: 'ignore' });
    const started = performance.now();
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `../${tarball}`], {
      cwd: app,
      stdio: 'ignore',
      env: { ...process.env, npm_config_cache: join(dir, 'cache') },
    });
    const seconds = (performance.now() - started) / 1000;
    const bin = join(app, 'node_modules', '.bin', 'skene');
    const env = { ...process.env, NO_COLOR: '1', CI: '1' };
    const helpTimes: number[] = [];
    const nodeTimes: number[] = [];
    timeCommand([bin, '--help'], env); // warm the page cache
    for (let i = 0; i < helpRuns; i++) {
      nodeTimes.push(timeCommand([process.execPath, '-e', '0'], env));
      helpTimes.push(timeCommand([bin, '--help'], env));
    }
    return {
      bytes: Number(execFileSync('du', ['-sb', 'node_modules'], { cwd: app, encoding: 'utf8' }).split('\t')[0]),
      seconds,
      help: median(helpTimes),
      node: median(nodeTimes),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Wall time of one `skene <args>` run of the built CLI, with the exit codes the command may end with. */
function timeSkene(args: string[], okCodes: number[]): number {
  const started = performance.now();
  const out = spawnSync(process.execPath, [join(repo, 'bin/skene.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: '1', NO_COLOR: '1' },
    maxBuffer: 256 * 1024 * 1024,
  });
  const elapsed = performance.now() - started;
  if (!okCodes.includes(out.status ?? -1))
    throw new Error(`skene ${args.join(' ')} exited ${out.status}:\n${out.stderr.slice(-2000)}`);
  return elapsed;
}

function compareRoutes(expected: string[], found: string[]): { missing: string[]; extra: string[] } {
  const left = new Map<string, number>();
  for (const r of expected) left.set(r, (left.get(r) ?? 0) + 1);
  const extra: string[] = [];
  for (const r of found) {
    const n = left.get(r) ?? 0;
    if (n === 0) extra.push(r);
    else left.set(r, n - 1);
  }
  const missing = [...left.entries()].flatMap(([r, n]) => Array<string>(n).fill(r));
  return { missing, extra };
}

const loadAtStart = loadavg()[0] as number;
const root = mkdtempSync(join(tmpdir(), 'skene-bench-analyze-'));
let failed = false;
try {
  const generateStarted = performance.now();
  const codebase = writeSyntheticFastApiCodebase(root, {
    seed: Number(args.seed),
    files: Number(args.files),
    targetBytes: Number(args.mb) * 1e6,
  });
  log(
    `generated ${codebase.files} files, ${mb(codebase.bytes)}, ${codebase.routes.length} routes in ${ms(performance.now() - generateStarted)} (${root})`,
  );
  const fileList = join(root, '..', `${root.split('/').pop()}-files.json`);
  const pythonFiles = spawnSync('find', ['.', '-name', '*.py'], { cwd: root, encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^\.\//, ''))
    .sort();
  writeFileSync(fileList, JSON.stringify(pythonFiles));

  const analyzer = analyzerModule();
  const parses: ParseRun[] = [];
  const analyses: AnalysisRun[] = [];
  for (let i = 0; i < runs; i++) {
    // Alternate which goes first, so neither always runs on a warmer page cache or a quieter machine.
    const order = i % 2 === 0 ? ['parse', 'analyze'] : ['analyze', 'parse'];
    for (const mode of order) {
      if (mode === 'parse') parses.push(runWorker<ParseRun>([], ['parse', root, fileList]));
      else analyses.push(runWorker<AnalysisRun>(analyzer.nodeArgs, ['analyze', root, analyzer.url]));
    }
    const p = parses.at(-1) as ParseRun;
    const a = analyses.at(-1) as AnalysisRun;
    log(
      `run ${i + 1}/${runs}: parse ${ms(p.wallMs)} (cpu ${ms(p.cpuMs)}), analysis ${ms(a.wallMs)} (cpu ${ms(a.cpuMs)})`,
    );
  }
  rmSync(fileList, { force: true });
  const singleThread = runWorker<AnalysisRun>(analyzer.nodeArgs, ['analyze', root, analyzer.url, '0']);
  log(`analysis on the main thread only: ${ms(singleThread.wallMs)} (cpu ${ms(singleThread.cpuMs)})`);

  // The commands as a user runs them, each on a fresh copy (init writes into the project; doctor checks what init wrote).
  let commands: { analyze: number; init: number; doctor: number } | undefined;
  if (analyzer.label === 'dist/') {
    const copy = mkdtempSync(join(tmpdir(), 'skene-bench-init-'));
    try {
      cpSync(root, copy, { recursive: true });
      const analyze = timeSkene(['analyze', copy, '--json'], [0]);
      const init = timeSkene(['init', copy, '--yes'], [0]);
      // doctor exits 1 when a check fails (here: no database to reach); its time is what is measured.
      const doctor = timeSkene(['doctor', copy, '--offline', '--json'], [0, 1]);
      commands = { analyze, init, doctor };
      log(`skene analyze ${ms(analyze)} · init --yes ${ms(init)} · doctor --offline ${ms(doctor)}`);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }
  let install: InstallFigures | undefined;
  if (!args['no-install'] && analyzer.label === 'dist/') {
    log('packing and installing the tarball into an empty project ...');
    install = installFigures();
  }

  const expectedRoutes = codebase.routes.map((r) => `${r.method} ${r.path}`).sort();
  const lastAnalysis = analyses.at(-1) as AnalysisRun;
  const { missing, extra } = compareRoutes(expectedRoutes, lastAnalysis.routes);
  const routesMatch =
    missing.length === 0 && extra.length === 0 && analyses.every((a) => a.routes.length === lastAnalysis.routes.length);

  let fastapiRow: string[] | undefined;
  if (args['check-fastapi']) {
    log('importing the app with /usr/bin/python3 to compare with FastAPI (slow) ...');
    const dump = spawnSync('/usr/bin/python3', [join(repo, 'test/helpers/dump_routes.py'), root], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (dump.status !== 0) throw new Error(`dump_routes.py failed:\n${dump.stderr}`);
    const served = (JSON.parse(dump.stdout) as Array<{ method: string; path: string }>).map(
      (r) => `${r.method} ${r.path}`,
    );
    const diff = compareRoutes(expectedRoutes, served);
    const same = diff.missing.length === 0 && diff.extra.length === 0;
    fastapiRow = [
      'routes: expected vs FastAPI',
      `${expectedRoutes.length} / ${served.length}`,
      '',
      'exact',
      verdict(same),
    ];
    if (!same) failed = true;
  }

  let help: { skene: number; node: number } | undefined;
  if (analyzer.label === 'dist/') {
    const env = { ...process.env, NO_COLOR: '1', CI: '1' };
    const skeneTimes: number[] = [];
    const nodeTimes: number[] = [];
    timeCommand([process.execPath, 'bin/skene.js', '--help'], env); // warm the page cache
    for (let i = 0; i < helpRuns; i++) {
      nodeTimes.push(timeCommand([process.execPath, '-e', '0'], env));
      skeneTimes.push(timeCommand([process.execPath, 'bin/skene.js', '--help'], env));
    }
    help = { skene: median(skeneTimes), node: median(nodeTimes) };
  }

  const parseWall = median(parses.map((r) => r.wallMs));
  const parseCpu = median(parses.map((r) => r.cpuMs));
  const analysisWall = median(analyses.map((r) => r.wallMs));
  const analysisCpu = median(analyses.map((r) => r.cpuMs));
  const analysisRss = median(analyses.map((r) => r.maxRssKb)) * 1024;
  const parseRss = median(parses.map((r) => r.maxRssKb)) * 1024;
  const wallRatio = analysisWall / parseWall;
  const cpuRatio = analysisCpu / parseCpu;
  const seconds = analysisWall / 1000;

  // Every figure of the Benchmark section, each with its ratio (to what it is compared with, or to its
  // target when it is an amount) and its target.
  const ofTarget = (value: number, target: number): string => `${(value / target).toFixed(2)} of target`;
  const rows: string[][] = [
    [`Analysis of ${codebase.files.toLocaleString('en-US')} files against a bare single-thread parse`],
    ['bare tree-sitter parse, one thread (wall)', ms(parseWall), '', '', ''],
    [
      'skene analysis (wall)',
      ms(analysisWall),
      ratio(wallRatio),
      `<= ${TARGET_ANALYSIS_RATIO.toFixed(1)}x parse`,
      verdict(wallRatio <= TARGET_ANALYSIS_RATIO),
    ],
    ['bare parse (cpu)', ms(parseCpu), '', '', ''],
    ['skene analysis (cpu, all threads)', ms(analysisCpu), ratio(cpuRatio), 'none: the work done, not a time', ''],
    [
      'analysis on the main thread only (wall)',
      ms(singleThread.wallMs),
      ratio(singleThread.wallMs / parseWall),
      'none: what the workers save',
      '',
    ],
    [
      'analysis throughput',
      `${Math.round(codebase.files / seconds).toLocaleString('en-US')} files/s, ${(codebase.bytes / 1e6 / seconds).toFixed(1)} MB/s`,
      '',
      '',
      '',
    ],
    [
      'peak RSS, analysis',
      mb(analysisRss),
      ofTarget(analysisRss, TARGET_RSS_MB * 1024 * 1024),
      `<= ${TARGET_RSS_MB} MB`,
      verdict(analysisRss <= TARGET_RSS_MB * 1024 * 1024),
    ],
    ['peak RSS, bare parse', mb(parseRss), '', '', ''],
    ['Start'],
  ];
  if (help) {
    rows.push(
      ['node -e 0', ms(help.node, 1), '', '', ''],
      [
        'skene --help (bin/skene.js)',
        ms(help.skene, 1),
        ratio(help.skene / help.node),
        `<= ${TARGET_HELP_RATIO}x node -e 0`,
        verdict(help.skene / help.node <= TARGET_HELP_RATIO),
      ],
    );
  } else {
    rows.push(['skene --help', 'not measured (build failed)', '', `<= ${TARGET_HELP_RATIO}x node -e 0`, 'MISS']);
  }
  if (install) {
    rows.push([
      'skene --help, installed (node_modules/.bin/skene)',
      ms(install.help, 1),
      ratio(install.help / install.node),
      `<= ${TARGET_HELP_RATIO}x node -e 0`,
      verdict(install.help / install.node <= TARGET_HELP_RATIO),
    ]);
  }
  rows.push(['Commands on the same codebase']);
  if (commands) {
    rows.push(
      ['skene analyze (CLI, wall)', ms(commands.analyze), '', '', ''],
      [
        'skene init --yes (wall)',
        ms(commands.init),
        ratio(commands.init / commands.analyze),
        `<= ${TARGET_COMMAND_RATIO}x analyze`,
        verdict(commands.init / commands.analyze <= TARGET_COMMAND_RATIO),
      ],
      [
        'skene doctor --offline (wall)',
        ms(commands.doctor),
        ratio(commands.doctor / commands.analyze),
        `<= ${TARGET_COMMAND_RATIO}x analyze`,
        verdict(commands.doctor / commands.analyze <= TARGET_COMMAND_RATIO),
      ],
    );
  } else {
    rows.push(['skene init, doctor', 'not measured (build failed)', '', `<= ${TARGET_COMMAND_RATIO}x analyze`, 'MISS']);
  }
  rows.push(['Install']);
  if (install) {
    rows.push([
      'node_modules of the installed tarball',
      `${(install.bytes / 1e6).toFixed(1)} MB (npm install ${install.seconds.toFixed(0)} s)`,
      ofTarget(install.bytes, TARGET_INSTALL_MB * 1e6),
      `<= ${TARGET_INSTALL_MB} MB`,
      verdict(install.bytes <= TARGET_INSTALL_MB * 1e6),
    ]);
  } else {
    rows.push([
      'node_modules of the installed tarball',
      'not measured (--no-install or no build)',
      '',
      `<= ${TARGET_INSTALL_MB} MB`,
      '',
    ]);
  }
  rows.push(['Checks']);
  rows.push([
    'routes: expected / found',
    `${expectedRoutes.length} / ${lastAnalysis.routes.length}`,
    '',
    'exact',
    verdict(routesMatch),
  ]);
  if (fastapiRow) rows.push(fastapiRow);
  rows.push(['analyzer diagnostics', String(lastAnalysis.diagnostics.length), '', '', '']);

  const title =
    `skene analyze benchmark: ${codebase.files} files, ${mb(codebase.bytes)}, ${codebase.routes.length} routes (seed ${args.seed}); ` +
    `median of ${runs} interleaved runs, analyzer from ${analyzer.label}; --help median of ${helpRuns}; ` +
    `load average ${loadAtStart.toFixed(1)} at start, ${(loadavg()[0] as number).toFixed(1)} at end on ${availableParallelism()} CPUs`;
  process.stdout.write(`\n${title}\n\n${renderTable(['measure', 'value', 'ratio', 'target', ''], rows)}\n`);
  process.stdout.write(
    `\nper run (ms): parse ${parses.map((r) => r.wallMs.toFixed(0)).join(' ')} · analysis ${analyses.map((r) => r.wallMs.toFixed(0)).join(' ')}\n`,
  );
  for (const d of lastAnalysis.diagnostics.slice(0, 5)) process.stdout.write(`  diagnostic: ${d}\n`);

  if (!routesMatch) {
    failed = true;
    process.stdout.write(
      `\nThe analyzer's routes differ from the generated ones (${missing.length} missing, ${extra.length} extra):\n`,
    );
    for (const r of missing.slice(0, 10)) process.stdout.write(`  missing  ${r}\n`);
    for (const r of extra.slice(0, 10)) process.stdout.write(`  extra    ${r}\n`);
  }

  if (args.profile) {
    const profileDir = mkdtempSync(join(tmpdir(), 'skene-bench-prof-'));
    runWorker<AnalysisRun>(
      [...analyzer.nodeArgs, '--cpu-prof', `--cpu-prof-dir=${profileDir}`],
      ['analyze', root, analyzer.url],
    );
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    if (file) {
      const phases = [
        'analyzeProject',
        'discoverPythonFiles',
        'readPythonSource',
        'firstSyntaxError',
        'extractModuleStatements',
        'convertClass',
        'convertFunction',
        'convertExpr',
        'extractStripeFacts',
        'run',
        'collectServedRoutes',
        'detectAuth',
        'detectDatabase',
      ];
      const summary = summarizeCpuProfile(join(profileDir, file), phases);
      const pct = (value: number): string => `${((100 * value) / summary.totalMs).toFixed(1)}%`;
      process.stdout.write(
        `\nCPU profile of one analysis (${ms(summary.totalMs)} sampled; kept in ${profileDir}):\n\n`,
      );
      process.stdout.write(
        `${renderTable(
          ['phase (inclusive)', 'time', 'share'],
          summary.inclusive.map((p) => [p.name, ms(p.ms), pct(p.ms)]),
        )}\n\n`,
      );
      process.stdout.write(
        `${renderTable(
          ['function (self)', 'time', 'share'],
          summary.selfByFunction.map((p) => [p.name, ms(p.ms), pct(p.ms)]),
        )}\n`,
      );
    }
  }
} finally {
  if (args.keep) log(`kept ${root}`);
  else rmSync(root, { recursive: true, force: true });
}
if (failed) process.exitCode = 1;
