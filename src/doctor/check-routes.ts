import type { AnalysisResult, RouteFact } from '../analyze/types.js';
import type { NormalizedLoop, NormalizedStep } from '../config/types.js';
import { gateIdentityFor } from '../generate/gating-policy.js';
import { buildGateDependency } from '../generate/wire-route-gate.js';
import type { GateDetector } from './detect-gates.js';
import { escapeRegExp, lineOf } from './read-project-file.js';
import { type Check, fail, pass, warn } from './types.js';

export type MatchRoutes = (trigger: NormalizedStep['trigger'], routes: RouteFact[]) => RouteFact[];

/** The line of the route's registration call (its decorator), where a gate is added; `route.line` is the handler's. */
const registrationLine = (route: RouteFact): number => route.registration.span.line;

const describeRoute = (route: RouteFact): string =>
  `${route.method} ${route.path} (${route.file}:${registrationLine(route)})`;

function describeTrigger(step: NormalizedStep): string {
  const methods = step.trigger.methods === '*' ? '*' : step.trigger.methods.join(',');
  return `${methods} ${step.trigger.endpoint}`;
}

/** The line of the step's `endpoint:` in the config source (found as text: the reader keeps no positions). */
function endpointLine(configSource: string | undefined, step: NormalizedStep): number | undefined {
  if (configSource === undefined) return undefined;
  return lineOf(configSource, new RegExp(`\\bendpoint\\s*:\\s*['"\`]${escapeRegExp(step.trigger.endpoint)}['"\`]`));
}

/** The gate init would add (`gateIdentityFor`: `auth=`, `identify=True`, `handler_user=True`). */
function gateSnippet(stepId: string, route: RouteFact, analysis: AnalysisResult): string {
  return `dependencies=[${buildGateDependency(stepId, gateIdentityFor(route, analysis.auth))}]`;
}

/**
 * Per step: the routes its trigger matches (listed; none warns), and every matching route gated for
 * that step — the check that catches a route added after `skene init`. Also flags gates naming a step
 * the config no longer has.
 */
export async function checkRoutes(input: {
  configFile: string;
  /** The config's text, to point at each step's endpoint line. */
  configSource?: string;
  loop: NormalizedLoop;
  analysis: AnalysisResult;
  matchRoutes: MatchRoutes;
  gates: GateDetector;
}): Promise<Check[]> {
  const { configFile, loop, analysis, gates } = input;
  const httpRoutes = analysis.routes.filter((route) => route.method !== 'WEBSOCKET');
  const checks: Check[] = [];
  for (const step of loop.steps) {
    const matched = input.matchRoutes(step.trigger, httpRoutes);
    const at = { file: configFile, line: endpointLine(input.configSource, step) };
    if (matched.length === 0) {
      checks.push(
        warn(
          'routes.match',
          `step "${step.id}": trigger ${describeTrigger(step)} matches no route`,
          `Point trigger.endpoint in ${configFile} at a route \`skene analyze\` lists, then run \`skene init\`.`,
          at,
        ),
      );
      continue;
    }
    const unresolved = matched.filter((route) => route.unresolved).length;
    checks.push(
      pass(
        'routes.match',
        `step "${step.id}": trigger ${describeTrigger(step)} matches ${matched.length} route${matched.length === 1 ? '' : 's'}: ` +
          matched.map(describeRoute).join(', ') +
          (unresolved > 0 ? ` (${unresolved} with a prefix skene could not resolve)` : ''),
        at,
      ),
    );
    let ungated = 0;
    for (const route of matched) {
      const found = await gates.gatesOf(route);
      const own = found.find((gate) => gate.stepId === step.id);
      if (own?.handlerUser) {
        const check = checkHandlerUser(step, route, analysis);
        if (check) checks.push(check);
      }
      if (found.some((gate) => gate.stepId === step.id || gate.stepId === undefined)) continue;
      ungated += 1;
      const others = [...new Set(found.map((gate) => gate.stepId))];
      const at = { file: route.file, line: registrationLine(route) };
      const message =
        others.length > 0
          ? `${describeRoute(route)} matches step "${step.id}" but is gated only for ${others.map((id) => `"${id}"`).join(', ')}`
          : `${describeRoute(route)} matches step "${step.id}" but is not gated`;
      checks.push(
        fail(
          'routes.gated',
          message,
          route.registration.kind === 'decorator'
            ? `Run \`skene init\` to wire it, or add ${gateSnippet(step.id, route, analysis)} to its decorator.`
            : `Run \`skene init\` to wire it, or pass ${gateSnippet(step.id, route, analysis)} where it is registered.`,
          at,
        ),
      );
    }
    if (ungated === 0) {
      checks.push(pass('routes.gated', `step "${step.id}": every matching route is gated`, at));
    }
  }
  checks.push(...(await checkStaleGates(input)));
  return checks;
}

/**
 * A `handler_user=True` gate reads the user from its handler's own parameter (docs/ARCHITECTURE.md, "where the
 * gate runs"). A handler that does not declare the gate's user dependency leaves the gate nobody to count: the
 * step then fails open (unlimited use) or closed (503) on every request. Certain only when every dependency
 * of the signature resolved to a function; otherwise a warning says skene cannot tell.
 */
function checkHandlerUser(step: NormalizedStep, route: RouteFact, analysis: AnalysisResult): Check | undefined {
  if (gateIdentityFor(route, analysis.auth).handlerUser) return undefined;
  const stepId = step.id;
  const outcome = step.failOpen
    ? 'fails open (every request passes uncounted)'
    : 'fails closed (every request gets a 503)';
  const dependency = analysis.auth.primary?.name ?? 'the user dependency';
  const at = { file: route.file, line: route.line };
  const signature = route.dependencyDetails.filter((d) => d.source === 'signature');
  if (signature.every((d) => d.callable !== undefined)) {
    return fail(
      'routes.handler-user',
      `${describeRoute(route)}: the gate of step "${stepId}" reads the user from the handler (handler_user=True), but ${route.function}() does not declare ${dependency}: the step ${outcome}`,
      `Run \`skene generate\` to let the gate declare ${dependency} itself, or add it to ${route.function}()'s parameters.`,
      at,
    );
  }
  return warn(
    'routes.handler-user',
    `${describeRoute(route)}: the gate of step "${stepId}" reads the user from the handler (handler_user=True); skene cannot tell whether ${route.function}() declares ${dependency} (${signature
      .filter((d) => d.callable === undefined)
      .map((d) => d.name)
      .join(', ')} did not resolve)`,
    `If it does not, run \`skene generate\` to let the gate declare ${dependency} itself.`,
    at,
  );
}

/**
 * Gates left behind: a gate naming a step the config no longer has, or a step whose trigger no longer
 * matches the route (its endpoint or method changed). Both still count and block that route.
 */
async function checkStaleGates(input: {
  configFile: string;
  loop: NormalizedLoop;
  analysis: AnalysisResult;
  matchRoutes: MatchRoutes;
  gates: GateDetector;
}): Promise<Check[]> {
  const steps = new Map(input.loop.steps.map((step) => [step.id, step]));
  const checks: Check[] = [];
  const byRegistration = new Map<string, RouteFact[]>();
  for (const route of input.analysis.routes) {
    if (route.method === 'WEBSOCKET') continue;
    const key = `${route.file}:${route.registration.span.line}:${route.registration.span.column}`;
    byRegistration.set(key, [...(byRegistration.get(key) ?? []), route]);
  }
  let inspected = 0;
  for (const routes of byRegistration.values()) {
    const route = routes[0]!;
    for (const gate of await input.gates.gatesOf(route)) {
      if (gate.stepId === undefined) continue;
      inspected += 1;
      const step = steps.get(gate.stepId);
      if (!step) {
        checks.push(
          fail(
            'routes.unknown-step',
            `${describeRoute(route)} is gated for step "${gate.stepId}", which ${input.configFile} does not define`,
            `Run \`skene generate\` to take the gate off, or add the step back to ${input.configFile}.`,
            { file: route.file, line: gate.line },
          ),
        );
        continue;
      }
      if (input.matchRoutes(step.trigger, routes).length > 0) continue;
      checks.push(
        fail(
          'routes.stale-gate',
          `${describeRoute(route)} is gated for step "${gate.stepId}", whose trigger ${describeTrigger(step)} no longer matches it: the route still counts and blocks`,
          `Run \`skene generate\` to take the gate off, or widen the step's trigger in ${input.configFile}.`,
          { file: route.file, line: gate.line },
        ),
      );
    }
  }
  if (inspected > 0 && checks.length === 0) {
    checks.push(
      pass('routes.stale-gate', `every gate on a route belongs to a step that matches it (${inspected} checked)`),
    );
  }
  return checks;
}
