import type { HttpMethod, RouteFact } from '../analyze/types.js';
import { matchesEndpoint, validateEndpointGlob } from '../config/endpoint-glob.js';
import type { Palette } from './palette.js';
import type { Prompter } from './prompts.js';

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

type RouteLike = Pick<RouteFact, 'method' | 'path'>;

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
export function describeEndpointMatches(glob: string, routes: readonly RouteLike[], palette: Palette, max = 4): string {
  const invalid = validateEndpointGlob(glob);
  if (invalid) return palette.warn(invalid);
  const matched = routesMatching(glob, routes);
  if (matched.length === 0) return palette.warn('matches no route');
  const shown = [...new Set(matched.map((r) => `${r.method} ${r.path}`))];
  const more = shown.length > max ? `, … ${shown.length - max} more` : '';
  return palette.dim(
    `matches ${shown.length} route${shown.length === 1 ? '' : 's'}: ${shown.slice(0, max).join(', ')}${more}`,
  );
}

export function validateEndpointAnswer(glob: string, routes: readonly RouteLike[]): true | string {
  const invalid = validateEndpointGlob(glob);
  if (invalid) return invalid;
  return routesMatching(glob, routes).length > 0 ? true : `${glob} matches no route of this project`;
}

/**
 * Asks for the endpoint glob. In a real terminal the answer is previewed as it is typed (the routes it
 * matches, through @inquirer/prompts' transformer); an injected or non-interactive prompter gets a plain question.
 */
export async function askEndpoint(options: {
  prompter: Prompter;
  /** True when the prompter is skene's own terminal prompter (not a test double). */
  liveTerminal: boolean;
  routes: readonly RouteLike[];
  default?: string;
  palette: Palette;
}): Promise<string> {
  const validate = (value: string): true | string => validateEndpointAnswer(value.trim(), options.routes);
  const message = 'Which endpoints should count toward the free limit? (glob: * one segment, ** any)';
  if (!options.liveTerminal) {
    return (await options.prompter.input({ message, default: options.default, flag: '--endpoint', validate })).trim();
  }
  const { input } = await import('@inquirer/prompts');
  const answer = await input({
    message,
    default: options.default,
    validate,
    transformer: (value, { isFinal }) => {
      if (isFinal) return value;
      const glob = value.trim() === '' ? (options.default ?? '') : value.trim();
      return glob === '' ? value : `${value}  ${describeEndpointMatches(glob, options.routes, options.palette)}`;
    },
  });
  return answer.trim();
}
