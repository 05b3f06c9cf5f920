// One measured run of the analyzer benchmark, in its own process so each figure gets its own peak RSS.
// Plain JavaScript so it runs under bare `node` (tsx alone adds ~35 MB of RSS) against the built dist/.
//
//   node bench/analyze-worker.mjs parse <root> <files.json>              read + tree-sitter parse of each file, one thread
//   node bench/analyze-worker.mjs analyze <root> <module url> [workers]  analyzeProject(root) from that module
//
// The bare parse uses what skene parses with: web-tree-sitter and tree-sitter-python's WebAssembly grammar.
//
// Prints one JSON line: { wallMs, cpuMs, maxRssKb, ... }. The clock covers the work only, not process start-up
// or module loading, which the `--help` figure measures separately.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [mode, root, arg] = process.argv.slice(2);

/** CPU time of this process (user + system) in ms: steadier than wall time on a shared machine. */
const cpuMs = () => {
  const usage = process.resourceUsage();
  return (usage.userCPUTime + usage.systemCPUTime) / 1000;
};

async function bareParse() {
  const { Language, Parser } = await import('web-tree-sitter');
  const files = JSON.parse(readFileSync(arg, 'utf8'));
  await Parser.init();
  const grammar = createRequire(import.meta.url).resolve('tree-sitter-python/tree-sitter-python.wasm');
  const parser = new Parser();
  parser.setLanguage(await Language.load(readFileSync(grammar)));
  const started = performance.now();
  const cpuStarted = cpuMs();
  let bytes = 0;
  let nodes = 0;
  for (const file of files) {
    const source = readFileSync(join(root, file), 'utf8');
    bytes += source.length;
    const tree = parser.parse(source);
    nodes += tree.rootNode.childCount;
    tree.delete();
  }
  const wallMs = performance.now() - started;
  return {
    wallMs,
    cpuMs: cpuMs() - cpuStarted,
    maxRssKb: process.resourceUsage().maxRSS,
    files: files.length,
    chars: bytes,
    topLevelNodes: nodes,
  };
}

async function analysis() {
  const { analyzeProject } = await import(arg);
  const started = performance.now();
  const cpuStarted = cpuMs();
  const workers = process.argv[5];
  const result = await analyzeProject(root, workers === undefined ? {} : { workers: Number(workers) });
  const wallMs = performance.now() - started;
  const cpu = cpuMs() - cpuStarted;
  const maxRssKb = process.resourceUsage().maxRSS;
  return {
    wallMs,
    cpuMs: cpu,
    maxRssKb,
    stats: result.stats,
    routes: result.routes.map((r) => `${r.method} ${r.path}`),
    diagnostics: result.diagnostics.map((d) => `${d.file}:${d.line}: ${d.message}`),
  };
}

const result = mode === 'parse' ? await bareParse() : mode === 'analyze' ? await analysis() : undefined;
if (!result) {
  process.stderr.write('usage: analyze-worker.mjs parse|analyze <root> <arg>\n');
  process.exit(2);
}
process.stdout.write(`${JSON.stringify(result)}\n`);
