import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { exprText } from './extract-module-ir.js';
import type { InterpretResult } from './interpreter-values.js';
import type { ModuleIR, Stmt } from './python-ir.js';
import type { DatabaseFacts } from './types.js';

const SESSION_DEPENDENCY = /^(?:get_)?(?:async_)?(?:db|session|db_session|database|async_session)(?:_session)?$/;

function importedRoots(body: Stmt[], into: Set<string>): void {
  for (const stmt of body) {
    if (stmt.kind === 'import') into.add(stmt.module);
    else if (stmt.kind === 'from' && stmt.level === 0) into.add(stmt.module);
    else if (stmt.kind === 'block') importedRoots(stmt.body, into);
  }
}

/** SQLAlchemy / SQLModel, its engine and session factory with the URL source, the session dependency, Alembic. */
export function detectDatabase(
  root: string,
  irs: ModuleIR[],
  result: InterpretResult,
  pythonFiles: string[],
  markers: string[],
): DatabaseFacts {
  const imports = new Set<string>();
  for (const ir of irs) importedRoots(ir.body, imports);
  const has = (prefix: string): boolean => [...imports].some((m) => m === prefix || m.startsWith(`${prefix}.`));
  const kind: DatabaseFacts['kind'] = has('sqlmodel')
    ? 'sqlmodel'
    : has('sqlalchemy') || has('flask_sqlalchemy')
      ? 'sqlalchemy'
      : 'none';
  const facts: DatabaseFacts = { kind, async: has('sqlalchemy.ext.asyncio') || result.engines.some((e) => e.async) };

  const engine = result.engines.find((e) => e.variable !== '');
  if (engine) {
    const literal = engine.url?.kind === 'string' ? engine.url.value : undefined;
    const urlSource = urlSourceOf(engine.url ? exprText(engine.url) : '', literal);
    facts.engine = {
      file: engine.file,
      line: engine.line,
      variable: engine.variable,
      module: engine.module,
      ...(urlSource ? { urlSource } : {}),
    };
  } else {
    // Not bound to a module-level name: a class attribute (`Database.engine`) or a cached getter.
    // An engine built where no import reaches it (inside a factory) is not named: init and doctor say so.
    const held = findHeldEngine(irs);
    if (held) facts.engine = held;
  }
  const factory = result.sessionFactories.find((f) => f.variable !== '') ?? result.sessionFactories[0];
  if (factory)
    facts.sessionFactory = {
      file: factory.file,
      line: factory.line,
      variable: factory.variable || 'SessionLocal',
      module: factory.module,
    };

  const dependency = result.functions
    .filter(
      (f) =>
        SESSION_DEPENDENCY.test(f.definition.name) &&
        (f.definition.bodyFacts === undefined || f.definition.bodyFacts.givesValue),
    )
    .sort(
      (a, b) => Number(b.definition.bodyFacts?.yields ?? false) - Number(a.definition.bodyFacts?.yields ?? false),
    )[0];
  if (dependency)
    facts.sessionDependency = {
      file: dependency.file,
      line: dependency.definition.line,
      name: dependency.definition.name,
      module: dependency.module,
    };

  const alembic = detectAlembic(root, pythonFiles, markers);
  if (alembic) facts.alembic = alembic;
  return facts;
}

const ENGINE_CALL = /^(?:[\w.]+\.)?create(?:_async)?_engine\(/;

/** Where a URL argument's text says the URL comes from: an environment variable, a setting, a literal. */
function urlSourceOf(text: string, literal: string | undefined): NonNullable<DatabaseFacts['engine']>['urlSource'] {
  const env = text.match(/(?:environ\s*\[\s*|environ\.get\(\s*|getenv\(\s*)["'](\w+)["']/);
  const setting = text.match(/\bsettings\.(\w+)/i) ?? text.match(/\b(?:config|conf|cfg)\.(\w+)/);
  if (env) return { env: env[1]! };
  if (setting) return { setting: setting[1]! };
  if (literal !== undefined) return { literal };
  return undefined;
}

/** The first argument's text of `create_engine(<url>, ...)` (the call's text), for its URL source. */
function firstArgument(callText: string): { text: string; literal?: string } {
  const inner = callText.slice(callText.indexOf('(') + 1);
  const literal = /^\s*(?:url\s*=\s*)?(["'])([^"']*)\1\s*[,)]/.exec(inner);
  return { text: inner.split(',')[0] ?? '', ...(literal ? { literal: literal[2]! } : {}) };
}

/**
 * An engine held by a module-level class (`class Database: engine = create_engine(...)`) or returned by a
 * module-level function that takes no argument (`@lru_cache def get_engine(): return create_engine(...)`).
 */
function findHeldEngine(irs: ModuleIR[]): DatabaseFacts['engine'] {
  for (const ir of irs) {
    for (const stmt of moduleLevel(ir.body)) {
      if (stmt.kind === 'class') {
        const field = stmt.class.fields.find((f) => f.call !== undefined && ENGINE_CALL.test(f.call));
        if (field?.call) {
          const arg = firstArgument(field.call);
          const urlSource = urlSourceOf(arg.text, arg.literal);
          return {
            file: ir.file,
            line: stmt.class.line,
            variable: stmt.class.name,
            module: ir.module,
            access: { kind: 'attribute', attribute: field.name },
            ...(urlSource ? { urlSource } : {}),
          };
        }
      } else if (stmt.kind === 'def' && stmt.function.params.every((p) => p.default !== undefined)) {
        const returned = (stmt.function.body ?? []).find(
          (s): s is Extract<Stmt, { kind: 'return' }> =>
            s.kind === 'return' && s.value?.kind === 'call' && ENGINE_CALL.test(`${exprText(s.value.function)}(`),
        );
        const text = returned?.value?.kind === 'call' ? returned.value.text : stmt.function.bodyFacts?.engineCall;
        if (returned || (/engine/i.test(stmt.function.name) && text && /\bcreate(?:_async)?_engine\(/.test(text))) {
          const call = text?.slice(text.search(/create(?:_async)?_engine\(/)) ?? '';
          const arg = firstArgument(call);
          const urlSource = urlSourceOf(arg.text, arg.literal);
          return {
            file: ir.file,
            line: stmt.function.line,
            variable: stmt.function.name,
            module: ir.module,
            access: { kind: 'call' },
            ...(urlSource ? { urlSource } : {}),
          };
        }
      }
    }
  }
  return undefined;
}

function moduleLevel(body: Stmt[]): Stmt[] {
  return body.flatMap((stmt) => (stmt.kind === 'block' ? moduleLevel(stmt.body) : [stmt]));
}

function detectAlembic(root: string, pythonFiles: string[], markers: string[]): DatabaseFacts['alembic'] {
  for (const ini of markers.filter((m) => posix.basename(m) === 'alembic.ini')) {
    const base = posix.dirname(ini) === '.' ? '' : posix.dirname(ini);
    let location = 'alembic';
    try {
      const match = readFileSync(join(root, ini), 'utf8').match(/^\s*script_location\s*=\s*(.+?)\s*$/m);
      if (match) location = match[1]!.replace(/^%\(here\)s\/?/, '');
    } catch {
      // Unreadable ini: fall back to the default location.
    }
    const dir = resolveScriptLocation(base, location, pythonFiles);
    return { dir, versionsDir: posix.join(dir, 'versions'), envFile: posix.join(dir, 'env.py') };
  }
  const env = pythonFiles.find(
    (f) =>
      posix.basename(f) === 'env.py' &&
      existsSync(join(root, posix.dirname(f), 'versions')) &&
      existsSync(join(root, posix.dirname(f), 'script.py.mako')),
  );
  if (env) {
    const dir = posix.dirname(env);
    return { dir, versionsDir: posix.join(dir, 'versions'), envFile: env };
  }
  return undefined;
}

/**
 * `script_location` is a folder relative to alembic.ini, or a package resource: `myapp:db/migrations`
 * names `db/migrations` inside the package `myapp`, found here through its `__init__.py`.
 */
function resolveScriptLocation(iniDir: string, location: string, pythonFiles: string[]): string {
  const resource = /^([A-Za-z_][\w.]*):(.+)$/.exec(location);
  if (resource) {
    const packagePath = resource[1]!.split('.').join('/');
    const init = pythonFiles
      .filter((f) => f === `${packagePath}/__init__.py` || f.endsWith(`/${packagePath}/__init__.py`))
      .sort((a, b) => a.length - b.length)[0];
    if (init) return posix.normalize(posix.join(posix.dirname(init), resource[2]!));
  }
  return posix.normalize(posix.join(iniDir, location));
}
