import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { satisfies, valid, validRange } from '@renovatebot/pep440';
import { parse as parseToml } from 'smol-toml';
import type { Diagnostic, FastapiFacts, FastapiSemantics } from './types.js';

export type { FastapiSemantics } from './types.js';

/**
 * FastAPI changed two import-time rules the route table depends on (PRODUCT.md §2):
 * - from 0.137 `include_router` keeps a reference to the router, so routes registered on it after the
 *   include are served and `router.mount(...)` survives the include (before, it copied the routes it saw);
 * - from 0.93 `FastAPI(lifespan=...)` runs the lifespan (before, the argument was swallowed by `**extra`);
 * - from 0.112.2 an included router's `APIRouter(lifespan=...)` runs with the app's (before, it never ran).
 */
const INCLUDE_KEEPS_ROUTER_FROM = '0.137.0';
const LIFESPAN_HONOURED_FROM = '0.93.0';
/** FastAPI 0.112.2 merged the lifespans of included routers into the app's (fastapi/fastapi#9630). */
const ROUTER_LIFESPAN_MERGED_FROM = '0.112.2';
/** From 0.133 FastAPI allows Starlette 1.x (no upper bound), which an install today resolves to. */
const STARLETTE_1_FROM = '0.133.0';

/** What the newest FastAPI does; used when the project allows any newer version. */
export const CURRENT_FASTAPI_SEMANTICS: FastapiSemantics = {
  includeKeepsRouter: true,
  lifespanHonoured: true,
  routerLifespanMerged: true,
  starletteAppShortcuts: false,
};

/** A version newer than any FastAPI release: allowed only by a spec without an upper bound. */
const UNBOUNDED_PROBE = '99999.0';

/** Files that declare or lock the FastAPI version, by how exactly they say what is installed (lock files first). */
const DECLARATION_FILES: Array<{ matches: (path: string) => boolean; read: (text: string) => string | undefined }> = [
  { matches: (p) => /(^|\/)(poetry|uv)\.lock$/.test(p), read: (t) => lockedVersion(t) },
  { matches: (p) => /(^|\/)Pipfile\.lock$/.test(p), read: (t) => pipfileLockVersion(t) },
  { matches: (p) => /(^|\/)pyproject\.toml$/.test(p), read: (t) => pyprojectSpec(t) },
  { matches: (p) => /(^|\/)Pipfile$/.test(p), read: (t) => pipfileSpec(t) },
  {
    matches: (p) => /(^|\/)requirements[^/]*\.(txt|in)$|(^|\/)requirements\/[^/]+\.txt$/.test(p),
    read: (t) => requirementsSpec(t),
  },
];

/** The file names `discoverPythonFiles` lists as markers for this module. */
export const FASTAPI_DECLARATION_GLOBS = [
  '**/requirements*.txt',
  '**/requirements*.in',
  '**/requirements/*.txt',
  '**/pyproject.toml',
  '**/poetry.lock',
  '**/uv.lock',
  '**/Pipfile',
  '**/Pipfile.lock',
];

export function fastapiSemanticsOf(version: string): FastapiSemantics {
  const known = valid(version) !== null;
  return {
    includeKeepsRouter: !known || satisfies(version, `>=${INCLUDE_KEEPS_ROUTER_FROM}`),
    lifespanHonoured: !known || satisfies(version, `>=${LIFESPAN_HONOURED_FROM}`),
    routerLifespanMerged: !known || satisfies(version, `>=${ROUTER_LIFESPAN_MERGED_FROM}`),
    starletteAppShortcuts: known && satisfies(version, `<${STARLETTE_1_FROM}`),
  };
}

/**
 * Whether `version` satisfies `spec`: PEP 440 specifiers (`==`, `!=`, `>=`, `<=`, `>`, `<`, `~=`, `===`,
 * `==X.*`), Poetry's `^`/`~`/bare versions and `||` alternatives. An empty spec or `*` (a bare name) allows all.
 */
export function fastapiSpecAllows(spec: string, version: string): boolean {
  const alternatives = spec.split('||').map((s) => s.trim());
  return alternatives.some((alternative) => {
    const pep440 = toPep440(alternative);
    if (pep440 === '') return true;
    if (validRange(pep440) === false) return false;
    return satisfies(version, pep440);
  });
}

/** `^0.110.1` → `>=0.110.1,<0.111.0`; `~1.2` → `>=1.2,<1.3`; `0.95.0` (Poetry) → `==0.95.0`; PEP 440 stays. */
function toPep440(spec: string): string {
  const clauses = spec
    .replace(/([<>=!~^]+)\s+/g, '$1')
    .split(/,|\s+(?=[<>=!~^\d])/)
    .map((c) => c.trim())
    .filter((c) => c !== '' && c !== '*');
  return clauses
    .flatMap((clause) => {
      const caret = clause.match(/^\^\s*(\d+(?:\.\d+)*)$/);
      if (caret) return [`>=${caret[1]}`, `<${caretCeiling(caret[1]!)}`];
      const tilde = clause.match(/^~(?!=)\s*(\d+(?:\.\d+)*)$/);
      if (tilde) return [`>=${tilde[1]}`, `<${tildeCeiling(tilde[1]!)}`];
      if (/^\d/.test(clause)) return [`==${clause}`];
      return [clause.replace(/\s+/g, '')];
    })
    .join(',');
}

function caretCeiling(version: string): string {
  const parts = version.split('.').map(Number);
  const first = parts.findIndex((p) => p !== 0);
  const at = first === -1 ? parts.length - 1 : first;
  return [...parts.slice(0, at), parts[at]! + 1].join('.');
}

function tildeCeiling(version: string): string {
  const parts = version.split('.').map(Number);
  const at = parts.length === 1 ? 0 : 1;
  return [...parts.slice(0, at), parts[at]! + 1].join('.');
}

/**
 * The newest version a spec allows, as far as FastAPI's semantics can tell versions apart: the versions the
 * spec names (and just past them), each side of each semantic change, and one past any release.
 */
function newestAllowed(spec: string): string | undefined {
  const named = [...spec.matchAll(/\d+(?:\.\d+)*/g)].map((m) => m[0]);
  const probes = [
    UNBOUNDED_PROBE,
    ...named.flatMap((v) => [v, `${v}.99999`]),
    INCLUDE_KEEPS_ROUTER_FROM,
    '0.136.99999',
    STARLETTE_1_FROM,
    '0.132.99999',
    ROUTER_LIFESPAN_MERGED_FROM,
    '0.112.1',
    LIFESPAN_HONOURED_FROM,
    '0.92.99999',
    '0.0.1',
  ].filter((v) => valid(v) !== null);
  const allowed = probes.filter((v) => fastapiSpecAllows(spec, v));
  allowed.sort((a, b) => (satisfies(a, `>${b}`) ? -1 : satisfies(b, `>${a}`) ? 1 : 0));
  return allowed[0];
}

/** `fastapi`, `FastAPI`, `fastapi-slim`, `fastapi[standard]` (PEP 503 names). */
function isFastapiName(name: string): boolean {
  const normal = name.toLowerCase().replace(/[-_.]+/g, '-');
  return normal === 'fastapi' || normal === 'fastapi-slim';
}

/** A PEP 508 requirement naming FastAPI: its version spec ('' for a bare name), else undefined. */
function requirementSpec(line: string): string | undefined {
  const match = line.trim().match(/^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?:\(([^)]*)\)|([^;@#]*))?/);
  if (!match || !isFastapiName(match[1]!)) return undefined;
  return (match[2] ?? match[3] ?? '').trim();
}

function requirementsSpec(text: string): string | undefined {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '' || line.startsWith('-')) continue;
    const spec = requirementSpec(line);
    if (spec !== undefined) return spec;
  }
  return undefined;
}

function tomlOf(text: string): Record<string, unknown> | undefined {
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

const record = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

function pyprojectSpec(text: string): string | undefined {
  const toml = tomlOf(text);
  if (!toml) return undefined;
  const project = record(toml.project);
  const lists = [
    project?.dependencies,
    ...Object.values(record(project?.['optional-dependencies']) ?? {}),
    ...Object.values(record(toml['dependency-groups']) ?? {}),
  ];
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      const spec = typeof item === 'string' ? requirementSpec(item) : undefined;
      if (spec !== undefined) return spec;
    }
  }
  const poetry = record(record(toml.tool)?.poetry);
  const tables = [
    record(poetry?.dependencies),
    ...Object.values(record(poetry?.group) ?? {}).map((g) => record(record(g)?.dependencies)),
  ];
  for (const table of tables) {
    for (const [name, value] of Object.entries(table ?? {})) {
      if (!isFastapiName(name)) continue;
      if (typeof value === 'string') return value;
      const version = record(value)?.version;
      return typeof version === 'string' ? version : '';
    }
  }
  return undefined;
}

function pipfileSpec(text: string): string | undefined {
  const toml = tomlOf(text);
  for (const table of [record(toml?.packages), record(toml?.['dev-packages'])]) {
    for (const [name, value] of Object.entries(table ?? {})) {
      if (!isFastapiName(name)) continue;
      const spec = typeof value === 'string' ? value : record(value)?.version;
      return typeof spec === 'string' ? spec : '';
    }
  }
  return undefined;
}

/** poetry.lock and uv.lock: `[[package]] name = "fastapi" version = "0.110.0"`. */
function lockedVersion(text: string): string | undefined {
  const packages = tomlOf(text)?.package;
  if (!Array.isArray(packages)) return undefined;
  for (const item of packages) {
    const entry = record(item);
    if (typeof entry?.name === 'string' && isFastapiName(entry.name) && typeof entry.version === 'string')
      return `==${entry.version}`;
  }
  return undefined;
}

function pipfileLockVersion(text: string): string | undefined {
  let lock: unknown;
  try {
    lock = JSON.parse(text);
  } catch {
    return undefined;
  }
  for (const section of ['default', 'develop']) {
    for (const [name, value] of Object.entries(record(record(lock)?.[section]) ?? {})) {
      if (!isFastapiName(name)) continue;
      const version = record(value)?.version;
      return typeof version === 'string' ? version : '';
    }
  }
  return undefined;
}

const dirOf = (path: string): string => {
  const dir = posix.dirname(path);
  return dir === '.' ? '' : dir;
};

/** The FastAPI declaration in one folder, best file first. */
function declarationIn(
  root: string,
  dir: string,
  byDir: Map<string, string[]>,
): { spec: string; file: string } | undefined {
  const files = byDir.get(dir) ?? [];
  for (const kind of DECLARATION_FILES) {
    for (const file of files.filter((f) => kind.matches(f)).sort()) {
      let text: string;
      try {
        text = readFileSync(join(root, file), 'utf8');
      } catch {
        continue;
      }
      const spec = kind.read(text);
      if (spec !== undefined) return { spec, file };
    }
  }
  return undefined;
}

/**
 * The FastAPI version the project declares, from the folder nearest the app (a monorepo's `backend/`
 * has its own requirements), and the semantics the analysis applies: those of the newest version the
 * declaration allows. Without a declaration, or with only a lower bound, the newest FastAPI's semantics are
 * assumed and a diagnostic says so.
 */
export function detectFastapiVersion(
  root: string,
  markers: string[],
  appFiles: string[],
  installedVersion?: string,
): { facts: FastapiFacts; diagnostics: Diagnostic[] } {
  const byDir = new Map<string, string[]>();
  for (const file of markers) {
    // `requirements/base.txt` declares for the folder holding `requirements/`.
    const dir = posix.basename(dirOf(file)) === 'requirements' ? dirOf(dirOf(file)) : dirOf(file);
    byDir.set(dir, [...(byDir.get(dir) ?? []), file]);
  }
  const starts = appFiles.length > 0 ? appFiles.map(dirOf) : [''];
  let declared: { spec: string; file: string } | undefined;
  for (const start of starts) {
    for (let dir = start; declared === undefined; dir = dirOf(dir)) {
      declared = declarationIn(root, dir, byDir);
      if (dir === '') break;
    }
    if (declared) break;
  }
  const diagnostics: Diagnostic[] = [];
  if (installedVersion !== undefined) {
    return {
      facts: { declared: declared ?? null, semantics: fastapiSemanticsOf(installedVersion), assumed: false },
      diagnostics,
    };
  }
  if (!declared) {
    // Without an app there is no route table for the assumption to change.
    if (appFiles.length > 0)
      diagnostics.push({
        file: appFiles[0] ?? '',
        line: 1,
        severity: 'info',
        message:
          'no FastAPI version declared (requirements*.txt, pyproject.toml or a lock file); the route table follows the newest FastAPI',
      });
    return { facts: { declared: null, semantics: CURRENT_FASTAPI_SEMANTICS, assumed: true }, diagnostics };
  }
  const newest = newestAllowed(declared.spec);
  if (newest === undefined) {
    diagnostics.push({
      file: declared.file,
      line: 1,
      severity: 'warning',
      message: `could not read the FastAPI version spec ${JSON.stringify(declared.spec)}; the route table follows the newest FastAPI`,
    });
    return { facts: { declared, semantics: CURRENT_FASTAPI_SEMANTICS, assumed: true }, diagnostics };
  }
  if (newest === UNBOUNDED_PROBE) {
    diagnostics.push({
      file: declared.file,
      line: 1,
      severity: 'info',
      message: `FastAPI ${declared.spec === '' ? 'is declared without a version' : `${declared.spec} has no upper bound`}; the route table follows the newest FastAPI`,
    });
    return { facts: { declared, semantics: CURRENT_FASTAPI_SEMANTICS, assumed: true }, diagnostics };
  }
  return {
    facts: {
      declared,
      semantics: withLockedStarlette(root, declared.file, fastapiSemanticsOf(newest)),
      assumed: false,
    },
    diagnostics,
  };
}

/**
 * What the project says of Starlette itself decides whether the app has Starlette's shortcuts (before 1.0): a
 * lock's pinned version, or a requirement in the same requirements file or pyproject.toml that allows no 1.x.
 */
function withLockedStarlette(root: string, file: string, semantics: FastapiSemantics): FastapiSemantics {
  let text: string;
  try {
    text = readFileSync(join(root, file), 'utf8');
  } catch {
    return semantics;
  }
  if (/(^|\/)(poetry|uv)\.lock$/.test(file)) {
    const packages = tomlOf(text)?.package;
    if (!Array.isArray(packages)) return semantics;
    const starlette = packages.map(record).find((entry) => entry?.name === 'starlette')?.version;
    if (typeof starlette !== 'string' || valid(starlette) === null) return semantics;
    return { ...semantics, starletteAppShortcuts: satisfies(starlette, '<1.0.0') };
  }
  // `starlette<1.0` in requirements*.txt, or in pyproject.toml's dependency strings.
  const lines = /(^|\/)pyproject\.toml$/.test(file)
    ? [record(tomlOf(text)?.project)?.dependencies].flat().filter((item): item is string => typeof item === 'string')
    : text.split(/\r?\n/);
  const spec = lines
    .map((line) => /^\s*starlette\s*(?:\[[^\]]*\])?\s*([<>=!~][^;#\n]*)/i.exec(line)?.[1]?.trim())
    .find((found) => found !== undefined);
  if (!spec || validRange(toPep440(spec)) === false) return semantics;
  const allowsOne = ['1.0.0', '1.99999', UNBOUNDED_PROBE].some((version) => fastapiSpecAllows(spec, version));
  return allowsOne ? semantics : { ...semantics, starletteAppShortcuts: true };
}
