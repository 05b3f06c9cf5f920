import type { AnalysisResult } from '../analyze/types.js';
import { DEFAULT_DATABASE_URL, RUNTIME_ENV } from '../generate/runtime-contract.js';

/** A `.env` assignment: its name and value (src/doctor/read-dotenv.ts reads them). */
export interface DotenvValue {
  file: string;
  name: string;
  value: string;
}

export type DatabaseTarget =
  | { dialect: 'sqlite'; url: string; source: string /** Absolute, or relative to the project folder. */; path: string }
  | { dialect: 'sqlite'; url: string; source: string; path: null }
  | {
      dialect: 'postgresql';
      url: string;
      source: string /** The URL as `pg` takes it (driver suffix dropped). */;
      connectionString: string;
    };

/** What the generated `_integration.py` says about the store: its default URL and the app engine it imports. */
export interface RuntimeIntegration {
  /** The file, relative to the project. */
  file: string;
  defaultUrl: string | undefined;
  /** `from app.db import engine as engine` in `app_engine()`; null when it returns None. */
  engine: { module: string; variable: string } | null;
}

/** Reads `DEFAULT_DATABASE_URL = "..."` and the engine import of a generated `_integration.py`. */
export function readRuntimeIntegration(file: string, source: string): RuntimeIntegration {
  const defaultUrl = /^DEFAULT_DATABASE_URL\s*=\s*(["'])(.*?)\1\s*$/m.exec(source)?.[2];
  const body = /^def app_engine\(\):\n([\s\S]*?)(?=^\S)/m.exec(source)?.[1] ?? '';
  // `as engine` (the engine itself), `as ENGINE_OWNER` (a class holding it), `as ENGINE_GETTER` (its getter).
  const engine = /^\s+from\s+([\w.]+)\s+import\s+(\w+)\s+as\s+(?:engine|ENGINE_OWNER|ENGINE_GETTER)\s*$/m.exec(body);
  return {
    file,
    defaultUrl,
    engine: engine ? { module: engine[1] ?? '', variable: engine[2] ?? '' } : null,
  };
}

/**
 * The database the generated runtime writes to, by the runtime's own rule (templates/python/runtime/_store.py,
 * `_build_driver`): `SKENE_DATABASE_URL` when set; else the app's SQLAlchemy engine that `_integration.py`
 * imports, whose URL is found where the analysis saw it come from (an environment variable, set or in `.env`, or
 * a literal); else the integration's `DEFAULT_DATABASE_URL`. An environment variable wins over `.env`, as the
 * app loading it would see. Returns a problem instead when the engine's URL cannot be known without running the app.
 */
export function resolveDatabaseUrl(input: {
  env: NodeJS.ProcessEnv;
  dotenv: DotenvValue[];
  integration: RuntimeIntegration;
  /** The analysis's database facts; needed only when the integration imports an engine. */
  database: AnalysisResult['database'] | undefined;
}): { url: string; source: string } | { problem: string; hint: string } {
  const fromEnv = (name: string): { url: string; source: string } | undefined => {
    if (input.env[name]) return { url: input.env[name] as string, source: name };
    const entry = input.dotenv.find((e) => e.name === name && e.value !== '');
    return entry ? { url: entry.value, source: `${name} in ${entry.file}` } : undefined;
  };
  const override = fromEnv(RUNTIME_ENV.databaseUrl);
  if (override) return override;
  const { integration } = input;
  if (!integration.engine) {
    return integration.defaultUrl
      ? { url: integration.defaultUrl, source: `DEFAULT_DATABASE_URL of ${integration.file}` }
      : { url: DEFAULT_DATABASE_URL, source: 'the default' };
  }
  const engine = `${integration.engine.module}.${integration.engine.variable}`;
  const facts = input.database?.engine;
  const urlSource =
    facts && facts.module === integration.engine.module && facts.variable === integration.engine.variable
      ? facts.urlSource
      : undefined;
  if (urlSource?.env) {
    const found = fromEnv(urlSource.env);
    if (found) return { url: found.url, source: `${found.source} (the URL of ${engine})` };
  }
  if (urlSource?.literal) return { url: urlSource.literal, source: `the URL of ${engine}` };
  // A settings field (`settings.DATABASE_URL`): pydantic's BaseSettings, and the classes that call os.getenv with
  // the field's own name, read the variable of that name; its default is known only to the running app.
  const settingVariable = urlSource?.setting?.split('.').pop();
  if (settingVariable) {
    for (const name of new Set([settingVariable, settingVariable.toUpperCase()])) {
      const found = fromEnv(name);
      if (found) return { url: found.url, source: `${found.source} (the setting ${urlSource?.setting} of ${engine})` };
    }
  }
  const variable = urlSource?.env ?? (settingVariable ? settingVariable.toUpperCase() : undefined);
  const why = urlSource?.env
    ? `comes from ${urlSource.env}, which is not set`
    : urlSource?.setting
      ? `comes from the setting ${urlSource.setting}, and neither ${variable} nor SKENE_DATABASE_URL is set`
      : 'skene cannot read without running the app';
  return {
    problem: `skene's tables are on the app's engine ${engine} (${integration.file}), whose URL ${why}.`,
    hint: `Set ${variable ?? 'SKENE_DATABASE_URL'} to the database URL the app uses, in the environment or .env, for this command (skene only reads it).`,
  };
}

/**
 * What kind of database a URL names, as SQLAlchemy and the runtime read it: `sqlite:///rel.db` is relative to
 * the folder the app runs in (taken to be the project), `sqlite:////abs.db` absolute, `sqlite://` or
 * `:memory:` in memory; `postgresql://`, `postgres://` and `postgresql+driver://` are PostgreSQL.
 */
export function parseDatabaseUrl(url: string, source: string): DatabaseTarget | undefined {
  const sqlite = /^sqlite(?:\+\w+)?:\/\/\/?(.*)$/.exec(url);
  if (sqlite) {
    const path = (sqlite[1] ?? '').split('?')[0] ?? '';
    if (path === '' || path === ':memory:') return { dialect: 'sqlite', url, source, path: null };
    const absolute = /^sqlite(?:\+\w+)?:\/\/\/\//.test(url);
    return { dialect: 'sqlite', url, source, path: absolute ? `/${path.replace(/^\/+/, '')}` : path };
  }
  const postgres = /^postgres(?:ql)?(?:\+\w+)?:\/\//.exec(url);
  if (postgres) {
    return {
      dialect: 'postgresql',
      url,
      source,
      connectionString: url.replace(/^postgres(?:ql)?(?:\+\w+)?:/, 'postgresql:'),
    };
  }
  return undefined;
}

/** A URL fit for messages: the password replaced by `***`. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/^([a-z0-9+]+:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}
