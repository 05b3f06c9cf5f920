import { posix } from 'node:path';
import { isProjectFile, lineOf, readProjectFile } from './read-project-file.js';

/** Where a database URL comes from, as far as the code says. */
export type UrlSource =
  | { kind: 'engine'; module: string; variable: string }
  | { kind: 'env'; name: string }
  | { kind: 'setting'; name: string }
  | { kind: 'literal'; url: string };

/** The database Alembic's env.py migrates, and the folder relative SQLite paths resolve from (alembic.ini's). */
export interface AlembicTarget {
  source: UrlSource | undefined;
  /** What the source is, for messages: `settings.DATABASE_URL in backend/app/alembic/env.py:17`. */
  where: string;
  file: string;
  line?: number;
  /** Project-relative folder alembic is run from. */
  cwd: string;
}

const ENV = /(?:environ\s*\[\s*|environ\.get\(\s*|getenv\(\s*)["'](\w+)["']/;
const SETTING = /\b(?:settings|config|conf|cfg)\.(?!get_|set_|config_|attributes)(\w+)\b/i;
const LITERAL = /^\s*(?:str\()?\s*["']([^"']+)["']\s*\)?\s*$/;

/** The URL source an expression names: an environment variable, a setting or a literal. */
export function classifyUrlExpression(expression: string): UrlSource | undefined {
  const env = ENV.exec(expression);
  if (env) return { kind: 'env', name: env[1]! };
  const literal = LITERAL.exec(expression);
  if (literal) return { kind: 'literal', url: literal[1]! };
  const setting = SETTING.exec(expression);
  if (setting) return { kind: 'setting', name: setting[1]! };
  return undefined;
}

/** The expression a name or a call of a local function stands for in `text` (`get_url()` → its return). */
function followLocal(text: string, expression: string): string {
  const call = /^\s*(\w+)\(\s*\)\s*$/.exec(expression);
  if (call) {
    const body = new RegExp(`^def ${call[1]}\\([^)]*\\)[^:]*:\\s*\\n((?:[ \\t]+.*\\n?|\\s*\\n)+)`, 'm').exec(text)?.[1];
    const returned = body ? /^\s+return\s+(.+)$/m.exec(body)?.[1] : undefined;
    if (returned) return returned;
  }
  const name = /^\s*(\w+)\s*$/.exec(expression);
  if (name) {
    const assigned = new RegExp(`^\\s*${name[1]}\\s*(?::[^=]+)?=\\s*(.+)$`, 'm').exec(text)?.[1];
    if (assigned) return assigned;
  }
  return expression;
}

/**
 * Reads the URL Alembic migrates from env.py, the way its usual templates set it: `set_main_option(
 * "sqlalchemy.url", ...)`, `configuration["sqlalchemy.url"] = ...`, `context.configure(url=...)`,
 * `create_engine(...)`, or the app's own engine imported into env.py; else `sqlalchemy.url` in alembic.ini.
 */
export function readAlembicTarget(root: string, alembic: { dir: string; envFile: string }): AlembicTarget {
  const ini = findAlembicIni(root, alembic.dir);
  const cwd = ini ? (posix.dirname(ini) === '.' ? '' : posix.dirname(ini)) : '';
  const text = readProjectFile(root, alembic.envFile) ?? '';
  const at = (pattern: RegExp, file = alembic.envFile, source = text): { file: string; line?: number } => {
    const line = lineOf(source, pattern);
    return line === undefined ? { file } : { file, line };
  };
  const patterns = [
    /set_main_option\(\s*["']sqlalchemy\.url["']\s*,\s*(.+?)\)\s*$/m,
    /\[\s*["']sqlalchemy\.url["']\s*\]\s*=\s*(.+)$/m,
    /create(?:_async)?_engine\(\s*([^,)\n]+(?:\([^)]*\))?)/m,
    /context\.configure\([^)]*?\burl\s*=\s*([^,)\n]+(?:\(\s*\))?)/m,
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(text);
    if (!match) continue;
    const expression = followLocal(text, match[1]!.trim());
    const source = classifyUrlExpression(expression);
    const place = at(pattern);
    return {
      source,
      where: `${expression.trim()} in ${place.file}${place.line ? `:${place.line}` : ''}`,
      ...place,
      cwd,
    };
  }
  // The app's engine imported into env.py and connected to.
  for (const match of text.matchAll(/^from\s+([\w.]+)\s+import\s+([^\n]+)$/gm)) {
    for (const imported of match[2]!.split(',')) {
      const [name, alias] = imported.trim().split(/\s+as\s+/);
      const local = (alias ?? name ?? '').trim();
      if (local && new RegExp(`\\b${local}\\.(connect|begin)\\(|connectable\\s*=\\s*${local}\\b`).test(text)) {
        const place = at(new RegExp(`import .*\\b${local}\\b`));
        return {
          source: { kind: 'engine', module: match[1]!, variable: (name ?? '').trim() },
          where: `the engine ${match[1]}.${name?.trim()} in ${place.file}`,
          ...place,
          cwd,
        };
      }
    }
  }
  if (ini) {
    const iniText = readProjectFile(root, ini) ?? '';
    const value = /^\s*sqlalchemy\.url\s*=\s*(.*)$/m.exec(iniText)?.[1]?.trim();
    const place = at(/^\s*sqlalchemy\.url\s*=/, ini, iniText);
    if (value && !/%\(|\$\{|driver:\/\/|^$/.test(value)) {
      return { source: { kind: 'literal', url: value }, where: `sqlalchemy.url in ${ini}`, ...place, cwd };
    }
    return { source: undefined, where: `${alembic.envFile} and ${ini}`, file: alembic.envFile, cwd };
  }
  return { source: undefined, where: alembic.envFile, file: alembic.envFile, cwd };
}

/** alembic.ini beside the migrations folder or in a folder above it. */
function findAlembicIni(root: string, dir: string): string | undefined {
  for (let folder = dir; ; folder = posix.dirname(folder)) {
    const current = folder === '.' ? '' : folder;
    const candidate = current === '' ? 'alembic.ini' : `${current}/alembic.ini`;
    if (isProjectFile(root, candidate)) return candidate;
    if (current === '') return undefined;
  }
}
