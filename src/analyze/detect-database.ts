import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { exprText } from './extract-module-ir.js';
import type { InterpretResult } from './interpret-modules.js';
import type { ModuleIR, Stmt } from './python-ir.js';
import type { DatabaseFacts } from './types.js';

const SESSION_DEPENDENCY = /^(?:get_)?(?:async_)?(?:db|session|db_session|database|async_session)(?:_session)?$/;

function importedRoots(body: Stmt[], into: Set<string>): void {
  for (const stmt of body) {
    if (stmt.k === 'import') into.add(stmt.module);
    else if (stmt.k === 'from' && stmt.level === 0) into.add(stmt.module);
    else if (stmt.k === 'block') importedRoots(stmt.body, into);
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

  const engine = result.engines.find((e) => e.variable !== '') ?? result.engines[0];
  if (engine) {
    const urlSource: NonNullable<DatabaseFacts['engine']>['urlSource'] = {};
    if (engine.url) {
      const text = exprText(engine.url);
      const env = text.match(/(?:environ\s*\[\s*|environ\.get\(\s*|getenv\(\s*)["'](\w+)["']/);
      const setting = text.match(/\bsettings\.(\w+)/i) ?? text.match(/\b(?:config|conf|cfg)\.(\w+)/);
      const literal = engine.url.k === 'str' ? engine.url.v : undefined;
      if (env) urlSource.env = env[1];
      else if (setting) urlSource.setting = setting[1];
      else if (literal !== undefined) urlSource.literal = literal;
    }
    facts.engine = {
      file: engine.file,
      line: engine.line,
      variable: engine.variable || 'engine',
      module: engine.module,
      ...(Object.keys(urlSource).length > 0 ? { urlSource } : {}),
    };
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
        SESSION_DEPENDENCY.test(f.fn.name) &&
        (f.fn.bodyFacts === undefined || /\byield\b|\breturn\b/.test(f.fn.bodyFacts.text)),
    )
    .sort(
      (a, b) =>
        Number(/\byield\b/.test(b.fn.bodyFacts?.text ?? '')) - Number(/\byield\b/.test(a.fn.bodyFacts?.text ?? '')),
    )[0];
  if (dependency)
    facts.sessionDependency = {
      file: dependency.file,
      line: dependency.fn.line,
      name: dependency.fn.name,
      module: dependency.module,
    };

  const alembic = detectAlembic(root, pythonFiles, markers);
  if (alembic) facts.alembic = alembic;
  return facts;
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
