import type { AnalysisResult, RouteFact, SourceRef } from './types.js';

/** A checkout's success URL and the app route that serves it: where `refresh_customer(...)` belongs. */
export interface SuccessRoute {
  /** Where the checkout names the URL. */
  checkout: SourceRef;
  path: string;
  route: RouteFact;
}

const trimSlash = (path: string): string => (path.length > 1 ? path.replace(/\/+$/, '') : path);

/** `/billing/{plan}/success` as a pattern: a parameter is one segment, `{rest:path}` any number. */
function routePattern(path: string): RegExp {
  const source = trimSlash(path)
    .split(/(\{[^}]*\})/)
    .map((part) =>
      /^\{[^}]*:path\}$/.test(part)
        ? '.*'
        : /^\{[^}]*\}$/.test(part)
          ? '[^/]+'
          : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`);
}

/**
 * The GET routes of the app that the checkout success paths land on (a browser follows the redirect with a
 * GET); a path served by no route (a frontend page) gives nothing. One entry per path and route.
 */
export function matchSuccessRoutes(analysis: AnalysisResult): SuccessRoute[] {
  const out: SuccessRoute[] = [];
  const seen = new Set<string>();
  const routes = analysis.routes.filter((r) => r.method === 'GET');
  for (const success of analysis.stripe.checkoutSuccessPaths) {
    const path = trimSlash(success.path);
    const exact = routes.filter((r) => trimSlash(r.path) === path);
    const matched = exact.length > 0 ? exact : routes.filter((r) => routePattern(r.path).test(path));
    for (const route of matched) {
      const key = `${path} ${route.file}:${route.line} ${route.path}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ checkout: { file: success.file, line: success.line }, path: success.path, route });
    }
  }
  return out;
}
