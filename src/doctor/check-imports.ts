import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { AnalysisResult } from '../analyze/types.js';
import { INTEGRATION_FILE, PACKAGE_FILE } from '../generate/runtime-contract.js';
import type { RuntimeLocation } from '../generate/runtime-location.js';
import { type AppPython, findAppPython } from '../verify/find-python.js';
import type { GateDetector } from './detect-gates.js';
import { findStartPlaces, type StartPlace } from './find-start-folder.js';
import { joinPosix, readProjectFile } from './read-project-file.js';
import { type ModuleResolution, resolveModuleStatically } from './resolve-module.js';
import { type Check, fail, pass, warn } from './types.js';

/** An absolute import skene's edits put in the project, and the first place it stands. */
export interface WrittenImport {
  module: string;
  /** Names imported from it (`gate`, `get_current_user`). */
  names: string[];
  file: string;
  line: number;
  /** Not imported anywhere: the runtime's own module, checked for itself. */
  unimported?: boolean;
}

/** What the app's Python says of one module: its file, its folders (a package), or that it is not found. */
export interface PythonFinding {
  module: string;
  found: boolean;
  origin?: string | null;
  locations?: string[];
  missing?: string;
}

/**
 * Walks sys.meta_path's finders part by part, as importlib.util.find_spec does, but without importing the
 * parent packages: doctor reads the app's code and runs none of it.
 */
const FIND_SPEC_SCRIPT = `
import json, os, sys
request = json.loads(sys.argv[1])
cwd = os.getcwd()
sys.path[:] = request["path"] + [p for p in sys.path if p not in ("", ".") and os.path.abspath(p) != cwd]
def find(name):
    parts = name.split(".")
    search = None
    spec = None
    for i in range(len(parts)):
        full = ".".join(parts[: i + 1])
        loaded = sys.modules.get(full)
        spec = getattr(loaded, "__spec__", None) if loaded is not None else None
        if spec is None:
            for finder in sys.meta_path:
                find_spec = getattr(finder, "find_spec", None)
                if find_spec is None:
                    continue
                spec = find_spec(full, search, None)
                if spec is not None:
                    break
        if spec is None:
            return {"module": name, "found": False, "missing": full}
        if i < len(parts) - 1:
            search = spec.submodule_search_locations
            if search is None:
                return {"module": name, "found": False, "missing": ".".join(parts[: i + 2]), "origin": spec.origin}
            search = list(search)
    return {
        "module": name,
        "found": True,
        "origin": spec.origin if spec.has_location else None,
        "locations": list(spec.submodule_search_locations or []),
    }
print(json.dumps([find(name) for name in request["modules"]]))
`;

/** Runs the finder walk with the app's Python in `cwd`; undefined when it cannot run. */
export function findSpecsWithPython(
  python: AppPython,
  cwd: string,
  path: string[],
  modules: string[],
  env: NodeJS.ProcessEnv,
): Promise<PythonFinding[] | undefined> {
  const [program, ...leading] = python.command;
  const args = [...leading, '-B', '-c', FIND_SPEC_SCRIPT, JSON.stringify({ path, modules })];
  return new Promise((resolveFindings) => {
    execFile(program, args, { cwd, env, timeout: 30_000, maxBuffer: 1024 * 1024 }, (error, stdout) => {
      if (error) return resolveFindings(undefined);
      try {
        const lines = stdout.trim().split('\n');
        resolveFindings(JSON.parse(lines[lines.length - 1] ?? '') as PythonFinding[]);
      } catch {
        resolveFindings(undefined);
      }
    });
  });
}

const INTEGRATION_IMPORT = /^\s+from\s+([A-Za-z_][\w.]*)\s+import\s+([A-Za-z_]\w*)/;

/** The imports the generated runtime's _integration.py makes of the app (its auth dependency, its engine). */
function integrationImports(root: string, runtime: RuntimeLocation): WrittenImport[] {
  const file = joinPosix(runtime.dir, INTEGRATION_FILE);
  const text = readProjectFile(root, file);
  if (text === undefined) return [];
  const out: WrittenImport[] = [];
  text.split('\n').forEach((line, index) => {
    const match = INTEGRATION_IMPORT.exec(line);
    if (match) out.push({ module: match[1]!, names: [match[2]!], file, line: index + 1 });
  });
  return out;
}

/** The runtime's imports in the app's files, each module once (relative imports resolve within their package). */
export async function writtenImports(input: {
  root: string;
  analysis: AnalysisResult;
  runtime: RuntimeLocation;
  gates: GateDetector;
}): Promise<WrittenImport[]> {
  const { analysis } = input;
  const files = [
    ...new Set([
      ...analysis.apps.map((app) => app.creation.file),
      ...analysis.routes.map((route) => route.file),
      ...analysis.stripe.webhooks.flatMap((webhook) => (webhook.constructEvent ? [webhook.constructEvent.file] : [])),
    ]),
  ].sort();
  const byModule = new Map<string, WrittenImport>();
  const add = (entry: WrittenImport): void => {
    const known = byModule.get(entry.module);
    if (!known) byModule.set(entry.module, { ...entry, names: [...entry.names] });
    else for (const name of entry.names) if (!known.names.includes(name)) known.names.push(name);
  };
  for (const file of files) {
    for (const imported of await input.gates.runtimeImports(file)) {
      if (imported.module.startsWith('.')) continue;
      add({ module: imported.module, names: [imported.name], file, line: imported.line });
    }
  }
  for (const entry of integrationImports(input.root, input.runtime)) add(entry);
  return [...byModule.values()];
}

/** True when `module`'s source names `name` at all (a def, a class, an assignment or an import). */
function definesName(root: string, file: string, name: string): boolean | undefined {
  const text = readProjectFile(root, file);
  if (text === undefined) return undefined;
  return new RegExp(`(^|[^\\w.])${name}\\b`).test(text);
}

function inProject(root: string, origin: string): string | undefined {
  let real = origin;
  try {
    real = realpathSync(origin);
  } catch {
    // Keep the path as Python gave it.
  }
  let realRoot = root;
  try {
    realRoot = realpathSync(root);
  } catch {
    // Idem.
  }
  const inside = relative(realRoot, real);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return undefined;
  const posixPath = inside.split(sep).join('/');
  if (/(^|\/)(site-packages|dist-packages)\//.test(posixPath)) return undefined;
  return posixPath;
}

/** How to make an import resolve: start the app where it does (a source root naming it), or change the import. */
function resolvingFix(root: string, analysis: AnalysisResult, entry: WrittenImport, start: StartPlace): string {
  const homes = analysis.sourceRoots
    .map((sourceRoot) => sourceRoot.path)
    .filter((folder) => resolveModuleStatically(root, [folder], entry.module).found);
  const startThere =
    homes.length > 0
      ? `Start the app from ${homes.map((folder) => `${folder || '.'}/`).join(' or ')}, where ${entry.module} resolves`
      : undefined;
  const change = entry.unimported
    ? `run \`skene generate\` to write the runtime where ${places(start)} imports it`
    : `change the import in ${entry.file}:${entry.line} to a module that resolves from ${places(start)}`;
  return startThere ? `${startThere}, or ${change}.` : `${change[0]!.toUpperCase()}${change.slice(1)}.`;
}

const places = (place: StartPlace): string => place.path.map((entry) => entry || '.').join(', ');

/** What the module resolves to by Python, as a project file, or the outside path, or not at all. */
function pythonVerdict(
  root: string,
  finding: PythonFinding | undefined,
):
  | { kind: 'project'; file: string }
  | { kind: 'outside'; path: string }
  | { kind: 'missing'; missing: string }
  | undefined {
  if (!finding) return undefined;
  if (!finding.found) return { kind: 'missing', missing: finding.missing ?? finding.module };
  const where = finding.origin ?? finding.locations?.[0];
  if (!where) return { kind: 'outside', path: '(no location)' };
  const file = inProject(root, where);
  return file === undefined ? { kind: 'outside', path: where } : { kind: 'project', file };
}

/**
 * Every module skene's edits import (the runtime in the route, app and webhook files; the app's auth
 * dependency and engine in the runtime's _integration.py) resolves by Python's rules from each place the
 * app is started (see find-start-folder.ts): read statically over the project's files, namespace packages
 * included, then confirmed with the app's own Python where one is found (VIRTUAL_ENV, .venv/, venv/, poetry,
 * uv, python3), which also sees installed packages that would shadow the project's.
 */
export async function checkImports(input: {
  root: string;
  analysis: AnalysisResult;
  runtime: RuntimeLocation;
  gates: GateDetector;
  env: NodeJS.ProcessEnv;
  findPython?: (folders: string[]) => Promise<AppPython | undefined>;
}): Promise<Check[]> {
  const { root, analysis, runtime } = input;
  const imports = await writtenImports(input);
  if (!imports.some((entry) => entry.module === runtime.module)) {
    imports.unshift({
      module: runtime.module,
      names: [],
      file: joinPosix(runtime.dir, PACKAGE_FILE),
      line: 1,
      unimported: true,
    });
  }
  const { places: starts, unplaced } = findStartPlaces(root, analysis);
  const checks: Check[] = [];
  if (starts.length === 0) {
    const what = unplaced.map((entry) => `${entry.file}:${entry.line} (${entry.command}: ${entry.why})`).join('; ');
    return [
      warn(
        'runtime.importable',
        `could not tell which folder the app is started from${what ? ` — ${what}` : ''}, so whether ${imports.map((entry) => entry.module).join(', ')} import at start-up is unknown`,
        'Start the app with a command doctor can read (a Procfile or Dockerfile running `uvicorn module:app`), or check the imports by starting the app.',
        unplaced[0] ? { file: unplaced[0].file, line: unplaced[0].line } : {},
      ),
    ];
  }
  for (const entry of unplaced) {
    checks.push(
      warn(
        'runtime.importable',
        `could not tell the folder of the start command at ${entry.file}:${entry.line} (${entry.command}): ${entry.why}; the imports are not checked for it`,
        'Run doctor on the folder the app is started from, or check the imports by starting the app.',
        { file: entry.file, line: entry.line },
      ),
    );
  }
  const findPython =
    input.findPython ??
    ((folders: string[]) =>
      findAppPython({ root, folders: folders.map((folder) => join(root, folder)), env: input.env }));
  for (const start of starts) {
    const python = await findPython([...new Set([start.cwd, ...start.path, ''])]);
    const findings = python
      ? await findSpecsWithPython(
          python,
          join(root, start.cwd),
          start.path.map((entry) => join(root, entry)),
          imports.map((entry) => entry.module),
          input.env,
        )
      : undefined;
    const at = `from ${places(start)} (${start.how})`;
    let problems = 0;
    for (const entry of imports) {
      const statically: ModuleResolution = resolveModuleStatically(root, start.path, entry.module);
      const byPython = findings
        ? pythonVerdict(
            root,
            findings.find((f) => f.module === entry.module),
          )
        : undefined;
      const what = entry.module === runtime.module ? `the runtime ${entry.module}` : entry.module;
      const location = entry.unimported ? { file: entry.file } : { file: entry.file, line: entry.line };
      if (byPython?.kind === 'missing' || (!byPython && !statically.found)) {
        const why = statically.found ? '' : `: ${statically.why}`;
        problems += 1;
        checks.push(
          fail(
            'runtime.importable',
            `${entry.unimported ? `${what} (${runtime.dir}/)` : `${entry.file} imports ${what}, which`} does not resolve ${at}${why}${byPython ? ` (${python!.source} Python finds no ${byPython.missing})` : ''}`,
            resolvingFix(root, analysis, entry, start),
            location,
          ),
        );
        continue;
      }
      if (byPython?.kind === 'outside') {
        problems += 1;
        checks.push(
          fail(
            'runtime.importable',
            `${entry.unimported ? `${what} (${runtime.dir}/)` : `${entry.file} imports ${what}, which`} resolves ${at} to ${byPython.path}, outside the project: an installed package shadows it`,
            `Uninstall the package that provides ${entry.module.split('.')[0]} (or install the project in editable mode).`,
            location,
          ),
        );
        continue;
      }
      const file = byPython?.kind === 'project' ? byPython.file : statically.found ? statically.file : undefined;
      if (entry.module === runtime.module && file !== undefined) {
        const expected = joinPosix(runtime.dir, PACKAGE_FILE);
        if (file !== expected) {
          problems += 1;
          checks.push(
            fail(
              'runtime.importable',
              `${entry.module} resolves ${at} to ${file}, not to the runtime in ${runtime.dir}/`,
              `Rename ${file}, or run \`skene generate\`.`,
              { file },
            ),
          );
          continue;
        }
      }
      if (file?.endsWith('.py')) {
        for (const name of entry.names) {
          if (definesName(root, file, name) === false) {
            problems += 1;
            checks.push(
              fail(
                'runtime.importable',
                `${entry.file} imports ${name} from ${entry.module}, but ${file} has no ${name}`,
                entry.module === runtime.module
                  ? 'Run `skene generate` to write the runtime again.'
                  : `Define ${name} in ${file}, or run \`skene generate\`.`,
                location,
              ),
            );
          }
        }
      }
    }
    if (problems > 0) continue;
    const modules = imports.map((entry) => entry.module).join(', ');
    const confirmed = findings
      ? `; confirmed with the app's Python (${python!.source}) by its import finders`
      : python
        ? `; read statically (the app's Python from ${python.source} did not answer)`
        : '; read statically (no Python found: VIRTUAL_ENV, .venv/, venv/, poetry, uv or python3 on PATH)';
    checks.push(
      pass(
        'runtime.importable',
        `${modules} resolve${imports.length === 1 ? 's' : ''} ${at}${confirmed}`,
        start.file ? { file: start.file, line: start.line } : {},
      ),
    );
  }
  return checks;
}
