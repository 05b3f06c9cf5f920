import { validateEndpointGlob } from '../config/endpoint-glob.js';
import { type RouteLike, routesMatching } from '../generate/gating-policy.js';
import type { Palette } from './palette.js';
import type { Prompter } from './prompts.js';

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
