// Renders skene's Python runtime into a project through the same TypeScript path `skene generate` uses.
// Usage: node --import tsx test/python/render_runtime.ts <spec.json>
// spec: { root, analysis: { apps, sourceRoots, auth, database, stripe }, compiled }
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AnalysisResult } from '../../src/analyze/types.js';
import type { CompiledLoop } from '../../src/config/types.js';
import { buildRuntimeFiles } from '../../src/generate/build-runtime-files.js';
import { planRuntimeLocation } from '../../src/generate/runtime-location.js';
import { skeneVersion } from '../../src/version.js';

interface Spec {
  root: string;
  analysis: Pick<AnalysisResult, 'apps' | 'sourceRoots' | 'auth' | 'database' | 'stripe'>;
  compiled: CompiledLoop;
}

const specPath = process.argv[2];
if (!specPath) throw new Error('usage: render_runtime.ts <spec.json>');
const spec = JSON.parse(readFileSync(specPath, 'utf8')) as Spec;
const location = planRuntimeLocation(spec.analysis);
const integrationPath = join(spec.root, location.dir, '_integration.py');
const files = buildRuntimeFiles({
  analysis: spec.analysis,
  compiled: spec.compiled,
  version: skeneVersion(),
  location,
  existingIntegration: existsSync(integrationPath) ? readFileSync(integrationPath, 'utf8') : undefined,
});
for (const file of files) {
  const target = join(spec.root, file.path);
  if (file.userEditable && existsSync(target)) continue;
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, file.content);
}
process.stdout.write(`${JSON.stringify({ location, files: files.map((f) => f.path) })}\n`);
