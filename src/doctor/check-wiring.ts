import type { AnalysisResult, AppFact, RouteFact } from '../analyze/types.js';
import { type RuntimeFunction, runtimeImportLine } from '../generate/runtime-contract.js';
import type { RuntimeLocation } from '../generate/runtime-location.js';
import { findInstallAnchor } from '../generate/wire-app-install.js';
import type { GateDetector } from './detect-gates.js';
import { detectHandOffReach } from './detect-hand-off.js';
import { type Check, fail, pass, warn } from './types.js';

/** The parser (with its WebAssembly grammar) is loaded by the first file a check parses. */
const parse = async (source: string): Promise<import('../generate/wire-python-source.js').PythonTree> =>
  (await import('../python/parse-python.js')).parsePython(source);

const importLine = (runtime: RuntimeLocation, name: RuntimeFunction): string => runtimeImportLine(runtime.module, name);

/**
 * The app-level wiring `skene init` adds beside the gates: every import of the runtime names the module
 * where the runtime is; `skene_install(app)` on each app serving a gated route (the flat 402 body, quota
 * refunds, RateLimit headers, skene's webhook route); and the app's own Stripe webhook hands its events
 * to skene. Without these the gates still count, but blocked users get FastAPI's nested error body and
 * no subscription ever reaches skene.
 */
export async function checkWiring(input: {
  analysis: AnalysisResult;
  runtime: RuntimeLocation;
  gatedRoutes: RouteFact[];
  gates: GateDetector;
  /** The file's text (relative path), undefined when it cannot be read. */
  readFile: (file: string) => string | undefined;
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
    const app = analysis.apps.find(
      (candidate) => candidate.file === route.app.file && candidate.line === route.app.line,
    );
    if (app) servingApps.set(`${app.file}:${app.line}`, app);
  }
  for (const app of servingApps.values()) {
    const calls = (await gates.runtimeCalls(app.creation.file)) ?? [];
    const installs = calls.filter((call) => call.name === 'install' && call.firstArgument === app.variable);
    const source = installs.length > 0 ? input.readFile(app.creation.file) : undefined;
    const tree = source === undefined ? undefined : await parse(source);
    const anchor =
      source === undefined || !tree
        ? undefined
        : findInstallAnchor(source, tree, {
            line: app.creation.line,
            column: app.creation.column,
            variable: app.variable,
          });
    // On every path: in the block of the statement after which every creation of the app has happened, after it.
    const onEveryPath = (line: number): boolean => {
      if (!anchor || !tree) return true;
      const call = tree.rootNode
        .descendantsOfType('call')
        .find((c) => c.startPosition.row + 1 === line && /install/.test(c.childForFieldName('function')?.text ?? ''));
      let statement = call ?? null;
      while (statement?.parent && statement.parent.type !== 'block' && statement.parent.type !== 'module')
        statement = statement.parent;
      return statement !== null && statement.parent?.id === anchor.parent?.id && statement.startIndex > anchor.endIndex;
    };
    const install = installs.find((call) => onEveryPath(call.line));
    if (installs.length > 0 && !install) {
      checks.push(
        fail(
          'wiring.install',
          `skene_install(${app.variable}) at ${app.creation.file}:${installs[0]!.line} runs only on some of the paths that create the app (the if/try around line ${app.creation.line})`,
          `Move it to the line after the whole statement that creates "${app.variable}" in each branch (line ${anchor!.endPosition.row + 1}), or run \`skene generate\`.`,
          { file: app.creation.file, line: installs[0]!.line },
        ),
      );
    } else if (install) {
      checks.push(
        pass('wiring.install', `skene is installed on ${app.variable} (${app.creation.file}:${install.line})`, {
          file: app.creation.file,
          line: install.line,
        }),
      );
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

  // A handler without its own construct_event that calls one which has it (`event = _verified(...)`) is
  // judged there; only when the project verifies events in no way doctor reads is that unknown.
  const verifiesSomewhere = analysis.stripe.webhooks.some((webhook) => webhook.constructEvent !== undefined);
  for (const webhook of analysis.stripe.webhooks) {
    const construct = webhook.constructEvent;
    if (!construct) {
      if (verifiesSomewhere) continue;
      checks.push(
        warn(
          'wiring.webhook',
          `could not find where the Stripe webhook ${webhook.function}() (${webhook.file}:${webhook.line}) verifies its event, so whether it hands every event to skene is unknown`,
          'Verify the event with `stripe.Webhook.construct_event(...)` in the handler and call `skene_handle_stripe_event(event)` right after it, or run `skene analyze` to see what skene reads there.',
          { file: webhook.file, line: webhook.line },
        ),
      );
      continue;
    }
    const calls = (await gates.runtimeCalls(construct.file)) ?? [];
    const handlers = calls.filter((call) => call.name === 'handle_stripe_event');
    const source = handlers.length > 0 ? input.readFile(construct.file) : undefined;
    const reach =
      source === undefined
        ? ({ kind: 'missing' } as const)
        : detectHandOffReach(
            source,
            await parse(source),
            construct,
            handlers.map((h) => h.line),
          );
    const at = {
      file: construct.file,
      line:
        reach.kind === 'runs' || reach.kind === 'unreachable' || reach.kind === 'not-every-event'
          ? reach.line
          : construct.line,
    };
    const move = `Put \`skene_handle_stripe_event(${construct.eventVariable ?? 'event'})\` on the line right after line ${construct.line}, in the same block (before any return), or run \`skene generate\`.`;
    const bound = construct.eventVariable;
    if (
      reach.kind === 'runs' &&
      bound &&
      reach.argument !== undefined &&
      !new RegExp(`\\b${bound}\\b`).test(reach.argument)
    ) {
      checks.push(
        warn(
          'wiring.webhook',
          `the Stripe webhook ${webhook.function}() hands \`${reach.argument}\` to skene (${construct.file}:${reach.line}), not the verified event \`${bound}\` bound at line ${construct.line}; doctor cannot tell they are the same`,
          `Pass the verified event: \`skene_handle_stripe_event(${bound})\`.`,
          at,
        ),
      );
    } else if (reach.kind === 'runs') {
      checks.push(
        pass(
          'wiring.webhook',
          `the Stripe webhook ${webhook.function}() hands every verified event to skene (${construct.file}:${reach.line}, reached from the construct_event at line ${construct.line})`,
          at,
        ),
      );
    } else if (reach.kind === 'unreachable') {
      checks.push(
        fail(
          'wiring.webhook',
          `the Stripe webhook ${webhook.function}() calls skene_handle_stripe_event at ${construct.file}:${reach.line}, but the ${reach.exit.statement} at line ${reach.exit.line} comes first: no event reaches skene`,
          move,
          at,
        ),
      );
    } else if (reach.kind === 'not-every-event') {
      checks.push(
        fail(
          'wiring.webhook',
          `the Stripe webhook ${webhook.function}() calls skene_handle_stripe_event at ${construct.file}:${reach.line}, but ${reach.why}`,
          move,
          at,
        ),
      );
    } else if (reach.kind === 'unknown') {
      checks.push(
        warn(
          'wiring.webhook',
          `could not find the construct_event statement of ${webhook.function}() at ${construct.file}:${construct.line}, so whether its hand-off runs is unknown`,
          'Run `skene analyze` to see what skene reads there.',
          at,
        ),
      );
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
