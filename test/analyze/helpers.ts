import { deepStrictEqual, ok } from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

import { analyzeProject } from '../../src/analyze/analyze-project.js';
import { fastapiSemanticsOf } from '../../src/analyze/detect-fastapi-version.js';
import type { AnalysisResult, RouteFact } from '../../src/analyze/types.js';
import { lanesAllowedBy, type PythonLane, pythonLanes, runLanePython } from '../helpers/python-lanes.js';

const dumpRoutesScript = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'dump_routes.py');

/** Inline Python sources, POSIX paths relative to the project root → content (text or bytes). */
export type ProjectFiles = Record<string, string | Uint8Array>;

/** Strips the common indentation of a template literal so inline Python reads naturally in tests. */
export function py(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = strings.reduce((out, part, i) => out + part + (i < values.length ? String(values[i]) : ''), '');
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.match(/^ */)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** Writes `files` into a fresh temp folder, removed when the test ends. */
export function writeProject(t: TestContext, files: ProjectFiles): string {
  const root = mkdtempSync(join(tmpdir(), 'skene-analyze-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const [path, content] of Object.entries(files)) {
    const target = join(root, ...path.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  return root;
}

export async function analyzeSources(t: TestContext, files: ProjectFiles): Promise<AnalysisResult> {
  return analyzeProject(writeProject(t, files));
}

/** `METHOD path` of every route, sorted and without repeats (the form FastAPI's table is compared in). */
export function routeKeys(routes: RouteFact[]): string[] {
  return [...new Set(routes.map((r) => `${r.method} ${r.path}`))].sort();
}

/**
 * The routes served by the app of `spec` (`main:app`, `main:create_app()`) whose FastAPI() call is in
 * `file`: the only app there, else the one bound to the spec's variable or built by its factory; with the
 * routes of the apps mounted in it.
 */
export function routesOfApp(result: AnalysisResult, file: string, spec: string): string[] {
  const attr = spec.split(':')[1] ?? '';
  const inFile = result.apps.filter((a) => a.file === file);
  // An app built by a factory is bound to a local name (`application`) the spec does not use.
  const apps =
    inFile.length === 1
      ? inFile
      : inFile.filter((a) => (attr.endsWith('()') ? a.factory === attr.slice(0, -2) : a.variable === attr));
  if (apps.length !== 1)
    throw new Error(
      `expected one app for ${spec} in ${file}; found ${JSON.stringify(result.apps.map((a) => [a.file, a.variable, a.factory]))}`,
    );
  // A mounted sub-app serves its routes itself (route.app names it), under the mount path.
  const served = new Set([`${apps[0]!.file}:${apps[0]!.line}`]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const app of result.apps) {
      const key = `${app.file}:${app.line}`;
      if (!served.has(key) && app.mountedAt.some((m) => served.has(`${m.app.file}:${m.app.line}`)))
        grew = served.add(key) !== undefined;
    }
  }
  return routeKeys(result.routes.filter((r) => served.has(`${r.app.file}:${r.app.line}`)));
}

/** A lane on which a route table is compared, with the analysis to compare there. */
export interface LaneComparison {
  lane: PythonLane;
  analysis: AnalysisResult;
}

/**
 * The lanes a project's route table is compared on: every lane whose FastAPI the project's declaration
 * allows (all without one). Where that FastAPI's routing semantics are not the ones the analyzer chose
 * for the declaration (a project declaring `>=0.92` is analyzed with today's), the project is analyzed
 * again as if that version were installed, so each lane is compared with the analysis of its own rules.
 * `other` holds the lanes the declaration rules out.
 */
export async function lanesForAnalysis(
  result: AnalysisResult,
): Promise<{ compared: LaneComparison[]; other: PythonLane[] }> {
  const compared: LaneComparison[] = [];
  const other: PythonLane[] = [];
  const allowed = await lanesAllowedBy(result.fastapi);
  for (const lane of await pythonLanes()) {
    if (!allowed.includes(lane)) {
      other.push(lane);
      continue;
    }
    const semantics = fastapiSemanticsOf(lane.fastapiVersion);
    const same =
      semantics.includeKeepsRouter === result.fastapi.semantics.includeKeepsRouter &&
      semantics.lifespanHonoured === result.fastapi.semantics.lifespanHonoured &&
      semantics.routerLifespanMerged === result.fastapi.semantics.routerLifespanMerged &&
      semantics.starletteAppShortcuts === result.fastapi.semantics.starletteAppShortcuts;
    compared.push({
      lane,
      analysis: same ? result : await analyzeProject(result.root, { fastapiVersion: lane.fastapiVersion }),
    });
  }
  return { compared, other };
}

/**
 * The routes FastAPI itself serves on `lane` for `spec` (`main:app`, `main:create_app()`), imported from
 * `root` after the app's start-up ran, as the same sorted `METHOD path` strings.
 */
export async function fastapiRouteKeys(lane: PythonLane, root: string, spec: string): Promise<string[]> {
  writeFileSync(join(root, 'fixture.json'), JSON.stringify({ app: spec, pythonPath: '.' }));
  const stdout = await runLanePython(lane, [dumpRoutesScript, root]);
  return [
    ...new Set((JSON.parse(stdout) as Array<{ method: string; path: string }>).map((r) => `${r.method} ${r.path}`)),
  ].sort();
}

/**
 * Analyzes `files` and checks both the analyzer and FastAPI against `expected`, so each test states
 * FastAPI's rule and proves it is FastAPI's rule, on every lane the project's declared FastAPI version
 * selects (lanesForAnalysis: both lanes when `files` declares none and the rule is the same in both eras;
 * give a version-dependent rule a requirements.txt). `apps` maps an app spec to the file of its FastAPI() call.
 */
export async function expectServedRoutes(
  t: TestContext,
  files: ProjectFiles,
  expected: Record<string, string[]>,
  appFiles: Record<string, string>,
): Promise<AnalysisResult> {
  const root = writeProject(t, files);
  const result = await analyzeProject(root);
  for (const [spec, routes] of Object.entries(expected)) {
    const file = appFiles[spec];
    if (!file) throw new Error(`no app file given for ${spec}`);
    const wanted = [...routes].sort();
    deepStrictEqual(routesOfApp(result, file, spec), wanted, `analyzer, app ${spec}`);
  }
  const { compared } = await lanesForAnalysis(result);
  ok(
    compared.length > 0,
    `no Python lane runs the FastAPI this project declares (${JSON.stringify(result.fastapi.declared)})`,
  );
  for (const { lane, analysis } of compared) {
    if (analysis === result) {
      for (const [spec, routes] of Object.entries(expected)) {
        deepStrictEqual(
          await fastapiRouteKeys(lane, root, spec),
          [...routes].sort(),
          `FastAPI ${lane.fastapiVersion} on ${lane.name}, ${spec} (the test's expectation itself)`,
        );
      }
    } else {
      // The expectation is stated for the semantics the declaration selects; this lane's FastAPI has other
      // rules, so its own table is compared with the analysis under those rules.
      for (const spec of Object.keys(expected)) {
        const file = appFiles[spec]!;
        deepStrictEqual(
          routesOfApp(analysis, file, spec),
          await fastapiRouteKeys(lane, root, spec),
          `analyzer as FastAPI ${lane.fastapiVersion} against ${lane.name}, app ${spec}`,
        );
      }
    }
  }
  return result;
}

export function diagnosticsAt(result: AnalysisResult, file: string): string[] {
  return result.diagnostics.filter((d) => d.file === file).map((d) => `${d.line}: ${d.message}`);
}
