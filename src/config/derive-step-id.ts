import type { MethodSelector } from './endpoint-glob.js';

/**
 * A step's id when the config gives none, from its endpoint and methods: stable across runs and
 * readable in events and generated code. `/api/features/*` POST → `api-features-post`; wildcards
 * and `{param}` segments are left out, `'*'` becomes `any`.
 */
export function deriveStepId(endpoint: string, methods: MethodSelector): string {
  const words = endpoint
    .split('/')
    .filter((segment) => segment !== '' && !segment.includes('*') && !segment.startsWith('{'))
    .map((segment) =>
      segment
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, ''),
    )
    .filter((word) => word !== '');
  const methodPart = methods === '*' ? 'any' : methods.map((m) => m.toLowerCase()).join('-');
  return [...(words.length > 0 ? words : ['root']), methodPart].join('-');
}

/** Makes derived ids unique among the ones taken: `x`, `x-2`, `x-3`... */
export function uniqueStepId(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}
