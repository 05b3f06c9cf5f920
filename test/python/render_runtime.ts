// Renders skene's Python runtime into a project through the same TypeScript path `skene generate` uses.
// Usage: node --import tsx test/python/render_runtime.ts <spec.json>

// spec: { root, analysis: { apps, sourceRoots, auth, database, stripe }, compiled }
//   or: { root, fixture: "stripe-saas", compiled }: copies the fixture to root, analyses it with
//       analyzeProject and also wires the gates (each step on the routes its trigger matches).
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { AnalysisResult } from '../../src/analyze/types.js';
import type { CompiledLoop } from '../../src/config/types.js';
import { buildRuntimeFiles } from '../../src/generate/build-runtime-files.js';
import { findAlembicHead } from '../../src/generate/plan-runtime-changes.js';
import { planRuntimeLocation } from '../../src/generate/runtime-location.js';
import { readTemplate } from '../../src/io/read-template.js';
import { skeneVersion } from '../../src/version.js';
import { fixturePath } from '../helpers/fixtures.js';

type RuntimeAnalysis = Pick<AnalysisResult, 'apps' | 'sourceRoots' | 'auth' | 'database' | 'stripe'>;

interface Spec {
  root: string;
  fixture?: string;
  analysis?: RuntimeAnalysis;
  compiled: CompiledLoop;
}

const specPath = process.argv[2];
if (!specPath) throw new Error('usage: render_runtime.ts <spec.json>');
const spec = JSON.parse(readFileSync(specPath, 'utf8')) as Spec;

const write = (path: string, content: string): void => {
  const target = join(spec.root, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
};

let analysis: RuntimeAnalysis;
let full: AnalysisResult | undefined;
if (spec.fixture) {
  cpSync(fixturePath(spec.fixture), spec.root, {
    recursive: true,
    filter: (path) => basename(path) !== '__pycache__' && !path.endsWith('.pyc'),
  });
  // Loaded only here: the analyzer and the wiring need tree-sitter's native module.
  const { analyzeProject } = await import('../../src/analyze/analyze-project.js');
  full = await analyzeProject(spec.root);
  analysis = full;
} else if (spec.analysis) {
  analysis = spec.analysis;
} else {
  throw new Error('spec needs `fixture` or `analysis`');
}

const location = planRuntimeLocation(analysis);
const integrationPath = join(spec.root, location.dir, '_integration.py');
const versionsDir = analysis.database.alembic ? join(spec.root, analysis.database.alembic.versionsDir) : undefined;
const migrations =
  versionsDir && existsSync(versionsDir)
    ? readdirSync(versionsDir)
        .filter((name) => name.endsWith('.py'))
        .map((name) => readFileSync(join(versionsDir, name), 'utf8'))
    : [];
const files = buildRuntimeFiles({
  analysis,
  compiled: spec.compiled,
  version: skeneVersion(),
  location,
  templates: readTemplate,
  existingIntegration: existsSync(integrationPath) ? readFileSync(integrationPath, 'utf8') : undefined,
  alembicDownRevision: versionsDir ? findAlembicHead(migrations) : null,
});
for (const file of files) {
  if (file.userEditable && existsSync(join(spec.root, file.path))) continue;
  write(file.path, file.content);
}

let wiring: { gated: unknown[]; manual: unknown[]; webhookConnected: boolean } | undefined;
if (full) {
  const analysed = full;
  const { matchRoutes } = await import('../../src/config/endpoint-glob.js');
  const { buildProjectWiring } = await import('../../src/generate/wire-project.js');
  const steps = spec.compiled.steps.map((step) => {
    const trigger =
      step.methods === '*'
        ? { endpoint: step.endpoint, methods: '*' as const }
        : { endpoint: step.endpoint, method: step.methods };
    return { id: step.id, routes: matchRoutes(trigger, analysed.routes) };
  });
  const names = new Set<string>([
    ...analysed.routes.map((route) => route.file),
    ...analysed.apps.map((app) => app.creation.file),
    ...analysed.stripe.webhooks.map((hook) => hook.file),
  ]);
  const sources = new Map([...names].map((name) => [name, readFileSync(join(spec.root, name), 'utf8')] as const));
  const result = buildProjectWiring({ analysis: analysed, steps, runtimeModule: location.module, files: sources });
  for (const file of result.files) write(file.path, file.after);
  wiring = { gated: result.gated, manual: result.manual, webhookConnected: result.webhookConnected };
}
process.stdout.write(`${JSON.stringify({ location, files: files.map((f) => f.path), wiring })}\n`);
