import type { HttpMethod, RouteFact } from '../analyze/types.js';

export const HTTP_METHODS: readonly HttpMethod[] = [
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'HEAD',
  'TRACE',
];

/** A trigger's methods: a list of upper-case methods, or `'*'` for every HTTP method (websockets excluded). */
export type MethodSelector = readonly HttpMethod[] | '*';

/** Anything with an endpoint glob and its methods, in normalized (`methods`) or authoring (`method`) form. */
export type TriggerLike =
  | { endpoint: string; methods: MethodSelector }
  | { endpoint: string; method: string | readonly string[] };

/** Returns why the glob is invalid, or undefined when it is valid. */
export function validateEndpointGlob(glob: string): string | undefined {
  if (glob === '') return 'the endpoint is empty';
  if (!glob.startsWith('/')) return 'an endpoint starts with "/"';
  if (/\s/.test(glob)) return 'an endpoint cannot contain spaces';
  if (/[?#]/.test(glob)) return 'an endpoint is a path only, without a query string or fragment';
  const segments = splitPath(glob);
  for (const segment of segments) {
    if (segment === '') return 'an endpoint cannot contain an empty segment ("//")';
    if (segment === '*' || segment === '**') continue;
    if (segment.includes('*')) {
      return `"${segment}": "*" and "**" stand for whole path segments ("/api/*", not "/api/feat*")`;
    }
    if (
      (segment.includes('{') || segment.includes('}')) &&
      !/^\{[A-Za-z_][A-Za-z0-9_]*(:[A-Za-z]+)?\}$/.test(segment)
    ) {
      return `"${segment}": a path parameter is a whole segment such as "{item_id}"`;
    }
  }
  return undefined;
}

/** Parses a method option (`'POST'`, `['get', 'post']`, `'*'`) into upper-case methods; undefined for an unknown method. */
export function parseMethodSelector(method: string | readonly string[]): MethodSelector | undefined {
  if (method === '*') return '*';
  const list = typeof method === 'string' ? [method] : method;
  const methods: HttpMethod[] = [];
  for (const m of list) {
    const upper = m.toUpperCase() as HttpMethod;
    if (!HTTP_METHODS.includes(upper)) return undefined;
    if (!methods.includes(upper)) methods.push(upper);
  }
  return methods.length > 0 ? methods : undefined;
}

/**
 * Does the glob match the path (a route path as FastAPI serves it, `{param}` segments included)?
 * `*` is exactly one segment, `**` zero or more, a `{param}` in the glob matches any `{param}` of the
 * route; trailing slashes are ignored on both sides. Case-sensitive, as FastAPI's routing is.
 */
export function matchesEndpoint(glob: string, path: string): boolean {
  return matchSegments(splitPath(glob), 0, splitPath(path), 0);
}

export function matchesMethod(methods: MethodSelector | string | readonly string[], method: string): boolean {
  const upper = method.toUpperCase();
  if (methods === '*') return HTTP_METHODS.includes(upper as HttpMethod);
  const list = typeof methods === 'string' ? [methods] : methods;
  return list.some((m) => m.toUpperCase() === upper);
}

/** The routes a trigger gates: endpoint glob and method both match. */
export function matchRoutes<R extends Pick<RouteFact, 'method' | 'path'>>(
  trigger: TriggerLike,
  routes: readonly R[],
): R[] {
  const methods = 'methods' in trigger ? trigger.methods : trigger.method;
  return routes.filter(
    (route) => matchesMethod(methods, route.method) && matchesEndpoint(trigger.endpoint, route.path),
  );
}

function splitPath(path: string): string[] {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return [];
  return trimmed.replace(/^\//, '').split('/');
}

function matchSegments(glob: string[], gi: number, path: string[], pi: number): boolean {
  while (gi < glob.length) {
    const segment = glob[gi]!;
    if (segment === '**') {
      // `**` takes zero or more segments: try every split point (globs are short).
      for (let skip = pi; skip <= path.length; skip++) {
        if (matchSegments(glob, gi + 1, path, skip)) return true;
      }
      return false;
    }
    const target = path[pi];
    if (target === undefined || !matchesSegment(segment, target)) return false;
    gi++;
    pi++;
  }
  return pi === path.length;
}

function matchesSegment(glob: string, segment: string): boolean {
  if (glob === '*') return true;
  if (isParameter(glob)) return isParameter(segment);
  return glob === segment;
}

function isParameter(segment: string): boolean {
  return segment.startsWith('{') && segment.endsWith('}');
}
