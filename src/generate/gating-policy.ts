import type { AuthFacts, HttpMethod, RouteFact } from '../analyze/types.js';
import { matchesEndpoint, validateEndpointGlob } from '../config/endpoint-glob.js';

/**
 * skene's gating policy, in one place: which routes init suggests gating, and which user dependency a gate
 * declares so FastAPI resolves the route's user once. init, generate and doctor all ask it.
 */

const lastSegment = (name: string): string => name.split('.').at(-1) ?? name;

/** The route's own user dependency, passed to the gate when it is not the project's primary one. */
export interface GateAuth {
  /** As written in the route's file: `get_current_active_user`, `deps.get_current_user`, `CurrentUser`. */
  name: string;
  /** For `Security(..., scopes=[...])`. */
  scopes?: string[];
}

/**
 * Path words of routes that should not be gated by default: sign-in, account management, billing, webhooks,
 * health checks and internal utilities. What is left is usually the product's own feature routes.
 */
const EXCLUDED_WORDS = [
  'auth',
  'login',
  'logout',
  'signin',
  'signup',
  'register',
  'token',
  'oauth',
  'password',
  'session',
  'user',
  'account',
  'profile',
  'admin',
  'invite',
  'member',
  'settings',
  'billing',
  'checkout',
  'portal',
  'subscription',
  'webhook',
  'stripe',
  'health',
  'ping',
  'metrics',
  'utils',
  'skene',
];

export type RouteLike = Pick<RouteFact, 'method' | 'path'>;

function segmentsOf(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function isExcluded(route: RouteLike): boolean {
  return segmentsOf(route.path).some((segment) => EXCLUDED_WORDS.some((word) => segment.toLowerCase().includes(word)));
}

function commonPrefix(routes: RouteLike[]): string[] {
  const [first, ...rest] = routes.map((r) => segmentsOf(r.path));
  if (!first) return [];
  let length = first.length;
  for (const other of rest) {
    let i = 0;
    while (i < length && i < other.length && other[i] === first[i]) i++;
    length = i;
  }
  // A glob ends before the first path parameter: `/items/**`, not `/items/{id}/**`.
  const parameter = first.slice(0, length).findIndex((s) => s.startsWith('{'));
  return first.slice(0, parameter === -1 ? length : parameter);
}

/**
 * The glob init suggests: the narrowest glob covering the POST routes that are not sign-in, billing,
 * webhook or health routes, narrowed to the largest group of them when it would also cover one of those.
 * `POST /api/v1/reports/`, `POST /api/v1/reports/{id}/export`, `POST /api/v1/auth/signup` → `/api/v1/reports/**`.
 * Given `hasUserDependency`, routes with a user are preferred: a glob covering a public route too (whose
 * gate could count only through identify(request)) is narrowed the same way.
 */
export function suggestEndpoint<R extends RouteLike>(
  routes: readonly R[],
  hasUserDependency?: (route: R) => boolean,
): { endpoint: string; method: HttpMethod } | undefined {
  const httpRoutes = routes.filter((r) => r.method !== 'WEBSOCKET');
  const method: HttpMethod = httpRoutes.some((r) => r.method === 'POST')
    ? 'POST'
    : ((httpRoutes[0]?.method as HttpMethod | undefined) ?? 'POST');
  const sameMethod = httpRoutes.filter((r) => r.method === method);
  const eligible = sameMethod.filter((r) => !isExcluded(r));
  const withUser = hasUserDependency ? eligible.filter(hasUserDependency) : [];
  let candidates: RouteLike[] = withUser.length > 0 ? withUser : eligible;
  const preferred = new Set<RouteLike>(candidates);
  const excluded = sameMethod.filter((r) => !preferred.has(r));
  if (candidates.length === 0) return undefined;
  for (;;) {
    const prefix = commonPrefix(candidates);
    const paths = new Set(candidates.map((r) => segmentsOf(r.path).join('/')));
    const endpoint =
      paths.size === 1 && prefix.length === segmentsOf(candidates[0]!.path).length
        ? candidates[0]!.path
        : `/${[...prefix, '**'].join('/')}`;
    if (!excluded.some((r) => matchesEndpoint(endpoint, r.path))) return { endpoint, method };
    // Too wide: keep the largest group under the next segment and try again.
    const groups = new Map<string, RouteLike[]>();
    for (const route of candidates) {
      const key = segmentsOf(route.path)[prefix.length] ?? '';
      groups.set(key, [...(groups.get(key) ?? []), route]);
    }
    const largest = [...groups.values()].sort((a, b) => b.length - a.length)[0]!;
    if (largest.length === candidates.length) return { endpoint: largest[0]!.path, method };
    candidates = largest;
  }
}

export function routesMatching<R extends RouteLike>(glob: string, routes: readonly R[]): R[] {
  return validateEndpointGlob(glob) === undefined
    ? routes.filter((r) => r.method !== 'WEBSOCKET' && matchesEndpoint(glob, r.path))
    : [];
}

/** "matches 2 routes: POST /api/v1/reports/, POST /api/v1/reports/{report_id}/export" */
/**
 * The `auth=`/`scopes=` the gate needs so FastAPI resolves the route's own user dependency once:
 * nothing when the route uses the project's primary one through `Depends`.
 */
export function chooseGateAuth(route: RouteFact, auth: AuthFacts): GateAuth | undefined {
  const candidates = [...(auth.primary ? [auth.primary] : []), ...auth.candidates];
  const primaryNames = new Set(auth.primary ? [auth.primary.name, ...auth.primary.aliases.map((a) => a.name)] : []);
  const userNames = new Set(candidates.flatMap((c) => [c.name, ...c.aliases.map((a) => a.name)]));
  const own = route.dependencyDetails.find(
    (d) => (d.source === 'signature' || d.source === 'decorator') && userNames.has(lastSegment(d.name)),
  );
  if (!own) return undefined;
  const scopes = own.security && own.scopes && own.scopes.length > 0 ? own.scopes : undefined;
  if (primaryNames.has(lastSegment(own.name)) && !scopes) return undefined;
  // A paywall guard of the app's own built on the primary: the gate declares the primary (already resolved for
  // the guard), not the guard, so the gate's own answer does not depend on the app's paywall.
  const guard = candidates.find((c) => c.rejectsFreeUsers && c.name === lastSegment(own.name));
  if (guard && !scopes && guard.buildsOn?.some((base) => primaryNames.has(base))) return undefined;
  return scopes ? { name: own.name, scopes } : { name: own.name };
}

/**
 * True when the handler's own signature declares the user dependency its gate would declare (`gateAuth`, or
 * the project's primary one, directly or through an alias): the gate is written `handler_user=True`, declares
 * nothing and reads the user FastAPI resolved for the handler (docs/ARCHITECTURE.md, "where the gate runs").
 * A name resolved to a function of another module than the dependency's is not it.
 */
export function handlerDeclaresGateUser(route: RouteFact, auth: AuthFacts, gateAuth: GateAuth | undefined): boolean {
  const signature = route.dependencyDetails.filter((d) => d.source === 'signature');
  if (gateAuth) {
    const scopes = (gateAuth.scopes ?? []).join('\n');
    return signature.some(
      (d) => d.name === gateAuth.name && (d.security && d.scopes ? d.scopes.join('\n') : '') === scopes,
    );
  }
  const primary = auth.primary;
  if (!primary) return false;
  const names = new Set([primary.name, ...primary.aliases.map((a) => a.name)]);
  return signature.some((d) => {
    if (d.scopes && d.scopes.length > 0) return false;
    if (d.callable) return d.callable.name === primary.name && d.callable.module === primary.module;
    return names.has(lastSegment(d.name));
  });
}

/** How a route's gate gets its user: what init writes and doctor suggests (`buildGateCall`'s arguments). */
export interface GateIdentity {
  auth?: GateAuth;
  /** The route has no user dependency in a project that has one: `identify=True`. */
  identify?: boolean;
  /** The handler declares the gate's user dependency itself: `handler_user=True`. */
  handlerUser?: boolean;
}

export function gateIdentityFor(route: RouteFact, auth: AuthFacts): GateIdentity {
  if (auth.primary !== undefined && !routeHasUserDependency(route, auth)) return { identify: true };
  const gateAuth = chooseGateAuth(route, auth);
  return {
    ...(gateAuth ? { auth: gateAuth } : {}),
    ...(handlerDeclaresGateUser(route, auth, gateAuth) ? { handlerUser: true } : {}),
  };
}

/**
 * True when the route gets a user from one of the project's auth dependencies (in its signature, its
 * decorator, its router or an include site). A plain gate on a route without one would add the project's
 * auth dependency to it (a sign-up or a public route would start answering 401), so such a route is
 * gated with `identify=True`.
 */
export function routeHasUserDependency(route: RouteFact, auth: AuthFacts): boolean {
  const candidates = [...(auth.primary ? [auth.primary] : []), ...auth.candidates];
  const userNames = new Set(candidates.flatMap((c) => [c.name, ...c.aliases.map((a) => a.name)]));
  return route.dependencyDetails.some(
    (d) => userNames.has(lastSegment(d.name)) || (d.callable !== undefined && userNames.has(d.callable.name)),
  );
}
