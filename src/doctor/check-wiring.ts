import type { AnalysisResult, AppFact, RouteFact } from '../analyze/types.js';
import type { GateDetector, RuntimeFunction } from './detect-gates.js';
import { fail, pass, type Check, type RuntimePlace } from './types.js';

const IMPORT_ALIAS: Record<RuntimeFunction, string> = {
  gate: 'skene_gate',
  install: 'skene_install',
  handle_stripe_event: 'skene_handle_stripe_event',
};

const importLine = (runtime: RuntimePlace, name: RuntimeFunction): string => `from ${runtime.module} import ${name} as ${IMPORT_ALIAS[name]}`;

/**
 * The app-level wiring `skene init` adds beside the gates: every import of the runtime names the module
 * where the runtime is; `skene_install(app)` on each app serving a gated route (the flat 402 body, quota
 * refunds, RateLimit headers, skene's webhook route); and the app's own Stripe webhook hands its events
 * to skene. Without these the gates still count, but blocked users get FastAPI's nested error body and
 * no subscription ever reaches skene.
 */
export async function checkWiring(input: {
  analysis: AnalysisResult;
  runtime: RuntimePlace;
  gatedRoutes: RouteFact[];
  gates: GateDetector;
}): Promise<Check[]> {
  const { analysis, runtime, gates } = input;
  const checks: Check[] = [];

  const files = [
    ...new Set([
      ...analysis.apps.map((app) => app.creation.file),
      ...analysis.routes.map((route) => route.file),
      ...analysis.stripe.webhooks.flatMap((webhook) => (webhook.constructEvent ? [webhook.constructEvent.file] : [])),
    ]),
  ].sort();
  let wrongImports = 0;
  for (const file of files) {
    for (const imported of await gates.runtimeImports(file)) {
      // A relative import (`from .skene import gate`) resolves against its package; only absolute ones can be compared.
      if (imported.module.startsWith('.') || imported.module === runtime.module) continue;
      wrongImports += 1;
      checks.push(
        fail(
          'wiring.imports',
          `${file} imports ${imported.name} from ${imported.module}, but the runtime is ${runtime.module} (${runtime.dir}/)`,
          `Change the import to \`${importLine(runtime, imported.name)}\`, or run \`skene init\` to rewire.`,
          { file, line: imported.line },
        ),
      );
    }
  }
  if (wrongImports === 0) checks.push(pass('wiring.imports', `the app imports the runtime as ${runtime.module}`));

  const servingApps = new Map<string, AppFact>();
  for (const route of input.gatedRoutes) {
    const app = analysis.apps.find((candidate) => candidate.file === route.app.file && candidate.line === route.app.line);
    if (app) servingApps.set(`${app.file}:${app.line}`, app);
  }
  for (const app of servingApps.values()) {
    const calls = (await gates.runtimeCalls(app.creation.file)) ?? [];
    const install = calls.find((call) => call.name === 'install' && call.firstArgument === app.variable);
    if (install) {
      checks.push(pass('wiring.install', `skene is installed on ${app.variable} (${app.creation.file}:${install.line})`, { file: app.creation.file, line: install.line }));
    } else {
      checks.push(
        fail(
          'wiring.install',
          `the app "${app.variable}" (${app.creation.file}:${app.creation.line}) serves gated routes, but skene is not installed on it`,
          `Add \`skene_install(${app.variable})\` after line ${app.creation.line} (with \`${importLine(runtime, 'install')}\`), or run \`skene init\`.`,
          { file: app.creation.file, line: app.creation.line },
        ),
      );
    }
  }

  for (const webhook of analysis.stripe.webhooks) {
    const construct = webhook.constructEvent;
    if (!construct) continue;
    const calls = (await gates.runtimeCalls(construct.file)) ?? [];
    const handler = calls.find((call) => call.name === 'handle_stripe_event');
    if (handler) {
      checks.push(pass('wiring.webhook', `the Stripe webhook ${webhook.function}() hands its events to skene (${construct.file}:${handler.line})`, { file: construct.file, line: handler.line }));
    } else {
      checks.push(
        fail(
          'wiring.webhook',
          `the Stripe webhook ${webhook.function}() (${construct.file}:${construct.line}) does not hand its events to skene, so no subscription reaches it`,
          `Add \`skene_handle_stripe_event(${construct.eventVariable ?? 'event'})\` after line ${construct.line} (with \`${importLine(runtime, 'handle_stripe_event')}\`), or run \`skene init\`.`,
          { file: construct.file, line: construct.line },
        ),
      );
    }
  }
  return checks;
}
