import { parse as parseToml } from 'smol-toml';
import type { AnalysisResult } from '../analyze/types.js';
import { renderTemplate, type TemplateReader } from './render-template.js';
import { GATE_TESTS_FILE, generatedMarker, WEBHOOK_PATH } from './runtime-contract.js';
import { appSourceRoots, type RuntimeLocation } from './runtime-location.js';

/** The pytest configuration files pytest itself reads, and the section that holds its options. */
export const PYTEST_CONFIG_FILES = ['pytest.ini', 'pyproject.toml', 'tox.ini', 'setup.cfg'] as const;

export interface GatedRouteRef {
  stepId: string;
  method: string;
  path: string;
}

export interface GateTestsInput {
  analysis: Pick<AnalysisResult, 'apps' | 'sourceRoots' | 'stripe'>;
  location: RuntimeLocation;
  /** Every step of the loop, so a step that gates no route still gets its (failing) test. */
  stepIds: string[];
  /** The routes the wiring gated (or found gated, or left to the user), per step. */
  gated: GatedRouteRef[];
  version: string;
  /** Gives skene's templates (the workflow passes the reader of its `templates/` folder). */
  templates: TemplateReader;
  /** Text of the pytest configuration files found (path relative to the project → text). */
  pytestConfigs: ReadonlyMap<string, string>;
  /** Folders that exist in the project (relative POSIX paths), of those the placement rule asks about. */
  existingFolders: ReadonlySet<string>;
  /** Folders holding a Python project file (pyproject.toml, setup.py, setup.cfg, requirements.txt). */
  projectFolders: ReadonlySet<string>;
}

export interface GateTestsFile {
  path: string;
  content: string;
}

const joinPosix = (...parts: string[]): string => parts.filter((part) => part !== '' && part !== '.').join('/');
const parentOf = (path: string): string => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');

/** `from` → `to` as a relative POSIX path (both relative to the project folder); '.' when equal. */
function relativePosix(from: string, to: string): string {
  const fromParts = from.split('/').filter((part) => part !== '' && part !== '.');
  const toParts = to.split('/').filter((part) => part !== '' && part !== '.');
  let shared = 0;
  while (shared < fromParts.length && shared < toParts.length && fromParts[shared] === toParts[shared]) shared += 1;
  return [...fromParts.slice(shared).map(() => '..'), ...toParts.slice(shared)].join('/') || '.';
}

/** The source root the app's module imports from ('' for the project folder). */
export function appSourceRoot(analysis: GateTestsInput['analysis']): string {
  return appSourceRoots(analysis)[0]?.path ?? analysis.sourceRoots[0]?.path ?? '';
}

/** The folders from `start` up to the project folder, nearest first. */
function foldersUp(start: string): string[] {
  const folders: string[] = [];
  let folder = start;
  for (;;) {
    folders.push(folder);
    if (folder === '') return folders;
    folder = parentOf(folder);
  }
}

/** `testpaths` of one pytest configuration file, or undefined when it sets none. */
export function readTestpaths(path: string, text: string): string[] | undefined {
  const name = path.split('/').at(-1) ?? path;
  if (name === 'pyproject.toml') {
    try {
      const toml = parseToml(text) as { tool?: { pytest?: { ini_options?: { testpaths?: unknown } } } };
      const value = toml.tool?.pytest?.ini_options?.testpaths;
      if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
      return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
    } catch {
      return undefined;
    }
  }
  const section = name === 'setup.cfg' ? 'tool:pytest' : 'pytest';
  let inSection = false;
  let collecting: string[] | undefined;
  for (const line of text.split(/\r?\n/)) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      if (collecting) return collecting;
      inSection = header[1]?.trim() === section;
      continue;
    }
    if (!inSection) continue;
    if (collecting) {
      if (/^\s+\S/.test(line)) {
        collecting.push(...line.trim().split(/\s+/));
        continue;
      }
      return collecting;
    }
    const option = /^testpaths\s*[=:]\s*(.*)$/.exec(line);
    if (option) collecting = (option[1] ?? '').split(/\s+/).filter(Boolean);
  }
  return collecting;
}

/** True when the file configures pytest (so its folder is where pytest runs from). */
function configuresPytest(path: string, text: string): boolean {
  const name = path.split('/').at(-1) ?? path;
  if (name === 'pytest.ini') return true;
  if (name === 'pyproject.toml') return /^\s*\[tool\.pytest\.ini_options\]/m.test(text);
  return new RegExp(`^\\s*\\[${name === 'setup.cfg' ? 'tool:pytest' : 'pytest'}\\]`, 'm').test(text);
}

/**
 * Where the app's tests live: the first plain folder of `testpaths` in the pytest configuration nearest the
 * app's source root; else a `tests/` (or `test/`) folder beside the source root or above it; else a new
 * `tests/` in the nearest folder with a Python project file (the source root when there is none).
 */
export function chooseGateTestsFolder(
  input: Pick<GateTestsInput, 'analysis' | 'pytestConfigs' | 'existingFolders' | 'projectFolders'>,
): string {
  const up = foldersUp(appSourceRoot(input.analysis));
  for (const folder of up) {
    for (const name of PYTEST_CONFIG_FILES) {
      const path = joinPosix(folder, name);
      const text = input.pytestConfigs.get(path);
      if (text === undefined || !configuresPytest(path, text)) continue;
      const first = (readTestpaths(path, text) ?? []).find((entry) => !/[*?[]/.test(entry));
      if (first) return joinPosix(folder, first.replace(/^\.\/+/, '').replace(/\/+$/, ''));
    }
  }
  for (const folder of up) {
    for (const name of ['tests', 'test']) {
      if (input.existingFolders.has(joinPosix(folder, name))) return joinPosix(folder, name);
    }
  }
  const project = up.find((folder) => input.projectFolders.has(folder)) ?? up[0] ?? '';
  return joinPosix(project, 'tests');
}

/** The folders chooseGateTestsFolder asks about, for the workflow to look up on disk. */
export function gateTestsCandidates(analysis: GateTestsInput['analysis']): {
  configs: string[];
  folders: string[];
  projectFiles: string[];
} {
  const up = foldersUp(appSourceRoot(analysis));
  return {
    configs: up.flatMap((folder) => PYTEST_CONFIG_FILES.map((name) => joinPosix(folder, name))),
    folders: up.flatMap((folder) => ['tests', 'test'].map((name) => joinPosix(folder, name))),
    projectFiles: up.flatMap((folder) =>
      ['pyproject.toml', 'setup.py', 'setup.cfg', 'requirements.txt'].map((name) => joinPosix(folder, name)),
    ),
  };
}

/** A Python literal for JSON-like data (JSON's string escapes are Python's too). */
export function pythonLiteral(value: unknown, indent = ''): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number' || typeof value === 'string') return JSON.stringify(value);
  const inner = `${indent}    `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((item) => `${inner}${pythonLiteral(item, inner)},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([key, item]) => `${inner}${JSON.stringify(key)}: ${pythonLiteral(item, inner)},`).join('\n')}\n${indent}}`;
}

/** A (method, path) pair as a one-line Python tuple. */
const routeTuple = (method: string, path: string): string => `(${JSON.stringify(method)}, ${JSON.stringify(path)})`;

/**
 * The generated pytest file: one test per check and step, driving the app in-process. The templated part
 * is what only analysis knows (the app, the runtime module, the gated routes, the webhook); the limits are
 * read from the runtime's loop.json at test time, so a new limit changes loop.json alone.
 */
export function buildGateTests(input: GateTestsInput): GateTestsFile {
  const folder = chooseGateTestsFolder(input);
  const app = input.analysis.apps.find((candidate) => candidate.mountedAt.length === 0) ?? input.analysis.apps[0];
  const webhook =
    input.analysis.stripe.webhooks.find((w) => w.route !== undefined && w.constructEvent !== undefined) ??
    input.analysis.stripe.webhooks.find((w) => w.route !== undefined);
  const routes = new Map<string, Set<string>>(input.stepIds.map((id) => [id, new Set<string>()]));
  for (const route of input.gated) {
    if (!routes.has(route.stepId)) routes.set(route.stepId, new Set());
    routes.get(route.stepId)?.add(routeTuple(route.method, route.path));
  }
  const gatedRoutes = [...routes.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, tuples]) => {
      const sorted = [...tuples].sort();
      return sorted.length === 0
        ? `    ${JSON.stringify(id)}: [],`
        : `    ${JSON.stringify(id)}: [\n${sorted.map((t) => `        ${t},`).join('\n')}\n    ],`;
    });
  const content = renderTemplate(
    input.templates(`python/tests/${GATE_TESTS_FILE}`),
    {
      version: input.version,
      app_module: pythonLiteral(app?.module ?? 'main'),
      app_variable: pythonLiteral(app?.variable ?? 'app'),
      app_factory: pythonLiteral(app?.factory ?? null),
      runtime_module: pythonLiteral(input.location.module),
      source_root: pythonLiteral(relativePosix(folder, appSourceRoot(input.analysis))),
      webhook_path: pythonLiteral(webhook?.route?.path ?? WEBHOOK_PATH),
      gated_routes: gatedRoutes.length === 0 ? '{}' : `{\n${gatedRoutes.join('\n')}\n}`,
    },
    GATE_TESTS_FILE,
  );
  if (!content.startsWith(generatedMarker(input.version)))
    throw new Error(`${GATE_TESTS_FILE} does not start with the generated-by marker`);
  return { path: joinPosix(folder, GATE_TESTS_FILE), content };
}
