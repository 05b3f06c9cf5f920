import type { AnalysisResult, AppFact, RouteFact } from '../analyze/types.js';
import type { ManualStep } from '../io/file-change.js';
import { type GateAuth, gateIdentityFor } from './gating-policy.js';
import { RUNTIME_ALIASES } from './runtime-contract.js';
import { buildInstallCall, planAppInstall } from './wire-app-install.js';
import { buildImportLine, type ImportRequest, planImports } from './wire-imports.js';
import {
  applyTextEdits,
  findSyntaxProblem,
  parsePython,
  type TextEdit,
  type WireOutcome,
} from './wire-python-source.js';
import { buildGateDependency, buildGatedRegistrationLines, planRouteGates } from './wire-route-gate.js';
import { buildHandlerCall, planWebhookHandlerCall } from './wire-stripe-webhook.js';

export interface WiringStep {
  id: string;
  /** The routes this step's trigger matches (endpoint and method). */
  routes: RouteFact[];
}

export interface WiringInput {
  analysis: Pick<AnalysisResult, 'apps' | 'auth' | 'stripe'>;
  steps: WiringStep[];
  /**
   * Every HTTP route of the project: a route no step matches loses the gates skene put on it (its file
   * must be in `files`; files without `skene_gate` may be left out). Default: only the steps' routes.
   */
  routes?: RouteFact[];
  /** The runtime's dotted module, e.g. `app.skene`. */
  runtimeModule: string;
  /** Current text of every Python file named by the analysis facts used here; a missing file becomes a manual step. */
  files: ReadonlyMap<string, string>;
}

export interface GatedRoute {
  stepId: string;
  method: string;
  path: string;
  file: string;
  line: number;
  /** `added` now, already `present`, or left to the user (`manual`). */
  status: 'added' | 'present' | 'manual';
  /** True when the route has no user dependency: its gate counts whoever `identify(request)` returns. */
  identify: boolean;
}

export interface WiredFile {
  path: string;
  before: string;
  after: string;
  reasons: string[];
}

/** A gate taken off a route because its step is gone or no longer matches the route. */
export interface UngatedRoute {
  stepId: string;
  method: string;
  path: string;
  file: string;
  line: number;
  /** `removed` now (or re-pointed at the step that matches now), or left to the user (`manual`). */
  status: 'removed' | 'manual';
}

export interface WiringResult {
  files: WiredFile[];
  manual: ManualStep[];
  gated: GatedRoute[];
  ungated: UngatedRoute[];
  /** Apps that get (or have) `skene_install(app)`. */
  installedApps: AppFact[];
  /** True when an existing Stripe webhook endpoint hands its events to skene. */
  webhookConnected: boolean;
}

type Edit =
  | {
      kind: 'gate';
      line: number;
      column: number;
      /** Every step matching a route of this registration (none: its gates are stale). */
      stepIds: string[];
      auth?: GateAuth;
      routes: RouteFact[];
      registration: RouteFact['registration']['kind'];
      /** The route has no user dependency in a project that has one: `skene_gate("<id>", identify=True)`. */
      identify: boolean;
      /** Every route of the registration declares the gate's user dependency in its handler: `handler_user=True`. */
      handlerUser: boolean;
    }
  | { kind: 'install'; line: number; column: number; variable: string }
  | { kind: 'webhook'; line: number; column: number; eventVariable: string; function: string };

function describeRoutes(routes: RouteFact[]): string {
  return [...new Set(routes.map((r) => `${r.method} ${r.path}`))].join(', ');
}

function importsFor(edits: Edit[], runtimeModule: string): ImportRequest[] {
  const requests: ImportRequest[] = [];
  if (edits.some((e) => e.kind === 'gate' && e.stepIds.length > 0)) {
    requests.push(
      { module: runtimeModule, name: 'gate', alias: RUNTIME_ALIASES.gate },
      { module: 'fastapi', name: 'Depends', anyModule: true },
    );
  }
  if (edits.some((e) => e.kind === 'install'))
    requests.push({ module: runtimeModule, name: 'install', alias: RUNTIME_ALIASES.install });
  if (edits.some((e) => e.kind === 'webhook')) {
    requests.push({ module: runtimeModule, name: 'handle_stripe_event', alias: RUNTIME_ALIASES.handle_stripe_event });
  }
  return requests;
}

/** The source and tree of the file a manual step is about, when it could be read. */
interface ManualContext {
  source: string;
  tree: ReturnType<typeof parsePython>;
}

function missingImportLines(edit: Edit, runtimeModule: string, context: ManualContext | undefined): string[] {
  const requests = importsFor([edit], runtimeModule);
  if (!context) return requests.map(buildImportLine);
  const outcome = planImports(context.source, context.tree, requests);
  if (outcome.kind === 'present') return [];
  // Only the lines planImports would add (the ones not imported yet).
  if (outcome.kind === 'edit')
    return outcome.edits.flatMap((e) => e.text.split(/\r?\n/)).filter((l) => l.trim() !== '');
  return requests.map(buildImportLine);
}

function manualStepFor(
  file: string,
  edit: Edit,
  reason: string,
  runtimeModule: string,
  context?: ManualContext,
): ManualStep {
  const imports = missingImportLines(edit, runtimeModule, context);
  const importNote = imports.length > 0 ? ' (and the imports at the top of the file)' : '';
  switch (edit.kind) {
    case 'gate': {
      const gated = context ? buildGatedRegistrationLines(context.source, context.tree, edit) : undefined;
      const what =
        edit.stepIds.length === 0
          ? `take skene's gate off ${describeRoutes(edit.routes)} (no step matches it any more)`
          : `gate ${describeRoutes(edit.routes)}`;
      if (gated) {
        return {
          file,
          line: gated.line,
          why: `${what}: ${reason}; make the registration read as below${importNote}${
            reason.includes('**kwargs')
              ? ', unless the splat already passes dependencies= (then add the gate there)'
              : ''
          }`,
          snippet: [...imports, ...(imports.length > 0 ? [''] : []), gated.after].join('\n'),
        };
      }
      if (edit.stepIds.length === 0) {
        return {
          file,
          line: edit.line,
          why: `${what}: ${reason}; remove it from the route's dependencies`,
          snippet: 'Depends(skene_gate(...))',
        };
      }
      const hasDependencies = edit.routes.some((r) => r.registration.hasDependenciesArgument);
      const dependency = edit.stepIds.map((id) => buildGateDependency(id, edit)).join(', ');
      return {
        file,
        line: edit.line,
        why: hasDependencies
          ? `${what}: ${reason}; add this to the dependencies the route gets${importNote}`
          : `${what}: ${reason}; add this argument to the route registration${importNote}`,
        snippet: [...imports, hasDependencies ? dependency : `dependencies=[${dependency}]`].join('\n'),
      };
    }
    case 'install':
      return {
        file,
        line: edit.line,
        why: `install skene on the app: ${reason}; add after the line creating "${edit.variable}"${importNote}`,
        snippet: [...imports, buildInstallCall(edit.variable)].join('\n'),
      };
    case 'webhook':
      return {
        file,
        line: edit.line,
        why: `connect the Stripe webhook in ${edit.function}(): ${reason}; add after the event is constructed${importNote}`,
        snippet: [...imports, buildHandlerCall(edit.eventVariable)].join('\n'),
      };
  }
}

interface PlannedEdit {
  outcome: WireOutcome;
  /** For a gate edit: the stale gates it takes off, the gates it puts on, the gates whose handler_user it changes. */
  removed: string[];
  added: string[];
  rewired?: string[];
}

function planEdit(source: string, tree: ReturnType<typeof parsePython>, edit: Edit): PlannedEdit {
  switch (edit.kind) {
    case 'gate':
      return planRouteGates(source, tree, edit);
    case 'install':
      return { outcome: planAppInstall(source, tree, edit), removed: [], added: [] };
    case 'webhook':
      return { outcome: planWebhookHandlerCall(source, tree, edit), removed: [], added: [] };
  }
}

/**
 * The app serving a route and every app it is mounted in, up to the top-level one: the sub-app needs
 * skene's exception handler for the flat 402 body, the top-level app serves skene's webhook route at
 * `/skene/webhooks/stripe` (not under the sub-app's mount path).
 */
function appWithMountingApps(apps: readonly AppFact[], served: { file: string; line: number }): AppFact[] {
  const found: AppFact[] = [];
  const queue = [served];
  while (queue.length > 0) {
    const ref = queue.shift()!;
    const app = apps.find((a) => a.file === ref.file && a.line === ref.line);
    if (!app || found.includes(app)) continue;
    found.push(app);
    queue.push(...app.mountedAt.map((mount) => mount.app));
  }
  return found;
}

function collectEdits(input: WiringInput): Map<string, Edit[]> {
  const byFile = new Map<string, Edit[]>();
  const add = (file: string, edit: Edit): void => {
    const list = byFile.get(file) ?? [];
    list.push(edit);
    byFile.set(file, list);
  };
  const gates = new Map<string, Extract<Edit, { kind: 'gate' }>>();
  const servingApps = new Map<string, AppFact>();
  const gateFor = (route: RouteFact): Extract<Edit, { kind: 'gate' }> => {
    const span = route.registration.span;
    const key = `${span.file}:${span.line}:${span.column}`;
    const identity = gateIdentityFor(route, input.analysis.auth);
    const identify = identity.identify === true;
    const existing = gates.get(key);
    if (existing) {
      if (!existing.routes.includes(route)) existing.routes.push(route);
      existing.identify ||= identify;
      existing.handlerUser &&= identity.handlerUser === true;
      return existing;
    }
    const gate: Extract<Edit, { kind: 'gate' }> = {
      kind: 'gate',
      line: span.line,
      column: span.column,
      stepIds: [],
      ...(identity.auth ? { auth: identity.auth } : {}),
      routes: [route],
      registration: route.registration.kind,
      identify,
      handlerUser: identity.handlerUser === true,
    };
    gates.set(key, gate);
    add(span.file, gate);
    return gate;
  };
  for (const step of input.steps) {
    for (const route of step.routes) {
      const gate = gateFor(route);
      if (!gate.stepIds.includes(step.id)) gate.stepIds.push(step.id);
      for (const app of appWithMountingApps(input.analysis.apps, route.app))
        servingApps.set(`${app.file}:${app.line}`, app);
    }
  }
  // The other routes of files that hold a gate: a gate whose step no longer matches its route comes off.
  for (const route of input.routes ?? []) {
    if (
      route.method === 'WEBSOCKET' ||
      !(input.files.get(route.registration.span.file)?.includes(RUNTIME_ALIASES.gate) ?? false)
    )
      continue;
    const span = route.registration.span;
    if (!gates.has(`${span.file}:${span.line}:${span.column}`)) gateFor(route);
    else if (gates.get(`${span.file}:${span.line}:${span.column}`)!.stepIds.length === 0) gateFor(route);
  }
  for (const app of servingApps.values()) {
    add(app.creation.file, {
      kind: 'install',
      line: app.creation.line,
      column: app.creation.column,
      variable: app.variable,
    });
  }
  for (const webhook of input.analysis.stripe.webhooks) {
    const construct = webhook.constructEvent;
    if (!construct) continue;
    add(construct.file, {
      kind: 'webhook',
      line: construct.line,
      column: construct.column,
      eventVariable: construct.eventVariable,
      function: webhook.function,
    });
  }
  return byFile;
}

/**
 * Computes every wiring edit of the project: the gate on each matching decorator route, `skene_install`
 * after each serving app's creation, the handler call in an existing Stripe webhook, and the imports
 * they need. Pure: takes the files' text, returns new text. A file whose result does not re-parse
 * cleanly is left alone and all its edits become manual steps.
 */
export function buildProjectWiring(input: WiringInput): WiringResult {
  const result: WiringResult = {
    files: [],
    manual: [],
    gated: [],
    ungated: [],
    installedApps: [],
    webhookConnected: false,
  };
  const recordGate = (edit: Edit, file: string, status: GatedRoute['status'], planned?: PlannedEdit): void => {
    if (edit.kind !== 'gate') return;
    for (const route of edit.routes) {
      for (const stepId of edit.stepIds) {
        const matches = input.steps.some((step) => step.id === stepId && step.routes.includes(route));
        if (!matches) continue;
        const added = status === 'added' && (planned?.added.includes(stepId) ?? true);
        result.gated.push({
          stepId,
          method: route.method,
          path: route.path,
          file,
          line: route.line,
          status: added ? 'added' : status === 'added' ? 'present' : status,
          identify: edit.identify,
        });
      }
      for (const stepId of planned?.removed ?? []) {
        result.ungated.push({
          stepId,
          method: route.method,
          path: route.path,
          file,
          line: route.line,
          status: status === 'manual' ? 'manual' : 'removed',
        });
      }
    }
  };
  const recordDone = (edit: Edit, file: string, status: 'added' | 'present', planned?: PlannedEdit): void => {
    recordGate(edit, file, status, planned);
    if (edit.kind === 'install') {
      const app = input.analysis.apps.find((a) => a.creation.file === file && a.creation.line === edit.line);
      if (app) result.installedApps.push(app);
    }
    if (edit.kind === 'webhook') result.webhookConnected = true;
  };

  for (const [file, edits] of collectEdits(input)) {
    const source = input.files.get(file);
    if (source === undefined) {
      for (const edit of edits) {
        result.manual.push(manualStepFor(file, edit, 'the file could not be read', input.runtimeModule));
        recordGate(edit, file, 'manual');
      }
      continue;
    }
    const tree = parsePython(source);
    const broken = findSyntaxProblem(tree);
    if (broken) {
      // Any edit would be re-parsed with the error still in it: the file is never written.
      const reason = `the file has a syntax error at line ${broken.line}, and skene only writes files that parse`;
      for (const edit of edits) {
        result.manual.push(manualStepFor(file, edit, reason, input.runtimeModule, { source, tree }));
        recordGate(edit, file, 'manual');
      }
      continue;
    }
    const textEdits: TextEdit[] = [];
    const done: Array<{ edit: Edit; status: 'added' | 'present'; planned: PlannedEdit }> = [];
    const reasons: string[] = [];
    for (const edit of edits) {
      const planned = planEdit(source, tree, edit);
      const { outcome } = planned;
      if (outcome.kind === 'refused') {
        result.manual.push(manualStepFor(file, edit, outcome.reason, input.runtimeModule, { source, tree }));
        recordGate(edit, file, 'manual', planned);
        continue;
      }
      if (outcome.kind === 'edit') {
        textEdits.push(...outcome.edits);
        if (edit.kind === 'gate') {
          if (planned.added.length > 0)
            reasons.push(`gate ${describeRoutes(edit.routes)}${edit.identify ? ' (through identify(request))' : ''}`);
          if ((planned.rewired ?? []).length > 0)
            reasons.push(
              edit.handlerUser
                ? `let the gate of ${describeRoutes(edit.routes)} read the user its handler declares (handler_user=True)`
                : `let the gate of ${describeRoutes(edit.routes)} declare the user dependency its handler no longer declares`,
            );
          if (planned.removed.length > 0) {
            reasons.push(
              `take the gate of ${planned.removed.map((id) => `step ${id}`).join(', ')} off ${describeRoutes(edit.routes)} (no longer matched)`,
            );
          }
        } else
          reasons.push(edit.kind === 'install' ? `install skene on ${edit.variable}` : 'connect the Stripe webhook');
      }
      done.push({ edit, status: outcome.kind === 'edit' ? 'added' : 'present', planned });
    }
    const imports = planImports(
      source,
      tree,
      importsFor(
        done.map((d) => d.edit),
        input.runtimeModule,
      ),
    );
    if (imports.kind === 'edit') textEdits.push(...imports.edits);
    const after = textEdits.length > 0 ? applyTextEdits(source, textEdits) : source;
    const problem = imports.kind === 'refused' ? { line: 1, reason: imports.reason } : undefined;
    const syntax = after === source ? undefined : findSyntaxProblem(parsePython(after));
    if (problem || syntax) {
      const reason = problem?.reason ?? `the edited file would not parse (line ${syntax?.line})`;
      for (const { edit, status, planned } of done) {
        if (status === 'present') recordDone(edit, file, status, planned);
        else {
          result.manual.push(manualStepFor(file, edit, reason, input.runtimeModule, { source, tree }));
          recordGate(edit, file, 'manual', planned);
        }
      }
      continue;
    }
    for (const { edit, status, planned } of done) recordDone(edit, file, status, planned);
    result.files.push({ path: file, before: source, after, reasons });
  }
  return result;
}
