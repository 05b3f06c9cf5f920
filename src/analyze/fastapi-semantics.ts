import { dottedName } from './extract-module-ir.js';
import type { RouterObj, SchemeKind, StartupHook, Value } from './interpreter-values.js';
import type { Expr } from './python-ir.js';

/** FastAPI's and Starlette's rules the interpreter applies that need none of its state. */

export const SCHEME_CLASSES: Record<string, SchemeKind> = {
  OAuth2PasswordBearer: 'oauth2',
  OAuth2AuthorizationCodeBearer: 'oauth2',
  OAuth2: 'oauth2',
  OpenIdConnect: 'oauth2',
  APIKeyHeader: 'api_key',
  APIKeyQuery: 'api_key',
  APIKeyCookie: 'api_key',
  HTTPBearer: 'http_bearer',
  HTTPBasic: 'http_basic',
  HTTPDigest: 'http_bearer',
};
/** FastAPI's defaults for the app attributes paths are built from (`app.swagger_ui_oauth2_redirect_url`). */
export const APP_URL_DEFAULTS: Record<string, string> = {
  openapi_url: '/openapi.json',
  docs_url: '/docs',
  redoc_url: '/redoc',
  swagger_ui_oauth2_redirect_url: '/docs/oauth2-redirect',
  root_path: '',
};

/**
 * The app's own hooks, then those of the routers it includes (FastAPI adds their start-up handlers to the app at
 * include, and from 0.112.2 their lifespans; the caller judges a router's lifespan by the version).
 */
export function startupHooksOf(router: RouterObj, seen: Set<RouterObj>): StartupHook[] {
  if (seen.has(router)) return [];
  seen.add(router);
  return [...router.startup, ...router.includes.flatMap((link) => startupHooksOf(link.router, seen))];
}

export function dependsKind(fn: Value, expr: Expr): 'depends' | 'security' | undefined {
  const name = fn.type === 'external' ? fn.name : fn.type === 'unknown' ? (dottedName(expr) ?? '') : '';
  if (/(^|\.)Depends$/.test(name)) return 'depends';
  if (/(^|\.)Security$/.test(name)) return 'security';
  return undefined;
}

export function withHead(methods: string[]): string[] {
  return methods.includes('GET') && !methods.includes('HEAD') ? [...methods, 'HEAD'] : methods;
}

export function isFastapiName(name: string): boolean {
  return name === 'FastAPI' || name === 'APIRouter' || /^(fastapi|fastapi\.\w+)\.(FastAPI|APIRouter)$/.test(name);
}
