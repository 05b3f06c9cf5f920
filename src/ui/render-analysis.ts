import { matchSuccessRoutes } from '../analyze/match-success-routes.js';
import type { AnalysisResult, AppFact, Diagnostic, RouteFact, SourceRef } from '../analyze/types.js';
import type { Palette } from './palette.js';

/**
 * Text of `skene analyze` for a terminal: the route table grouped by app and by the router each route is
 * registered on, the Stripe / auth / database facts, and one summary line. Pure: the workflow prints it.
 */

const refKey = (ref: SourceRef): string => `${ref.file}:${ref.line}`;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
/** Long paths still line up in most terminals; longer ones just push their row's tail to the right. */
const MAX_PATH_COLUMN = 56;
const LABEL_WIDTH = 10;

export function renderAnalysis(result: AnalysisResult, palette: Palette, dir: string): string {
  const sections: string[] = [];
  if (result.apps.length === 0) {
    sections.push(`No FastAPI app found in ${palette.accent(dir)}.`);
  }
  for (const app of parentsFirst(result.apps))
    sections.push(
      renderApp(
        app,
        result.routes.filter((r) => refKey(r.app) === refKey(app)),
        palette,
      ),
    );
  const facts = renderFacts(result, palette);
  if (facts) sections.push(facts);
  sections.push(renderSummaryLine(result));
  return `${sections.join('\n\n')}\n`;
}

/** Top-level apps in the analyzer's order, each followed by the sub-apps mounted in it. */
function parentsFirst(apps: AppFact[]): AppFact[] {
  const ordered: AppFact[] = [];
  const visit = (app: AppFact): void => {
    if (ordered.includes(app)) return;
    ordered.push(app);
    for (const child of apps) if (child.mountedAt.some((m) => refKey(m.app) === refKey(app))) visit(child);
  };
  for (const app of apps) if (app.mountedAt.length === 0) visit(app);
  // Apps mounted only inside a cycle of mounts.
  for (const app of apps) visit(app);
  return ordered;
}

function renderApp(app: AppFact, routes: RouteFact[], palette: Palette): string {
  const builtBy = app.factory ? `, built by ${app.factory}()` : '';
  const mounts = app.mountedAt.map((m) => `, mounted at ${palette.accent(m.path || '/')} by ${refKey(m.app)}`).join('');
  const lines = [`${palette.bold(app.variable)} — FastAPI app in ${refKey(app)}${builtBy}${mounts}`];
  if (routes.length === 0) {
    lines.push(palette.dim('  no routes'));
    return lines.join('\n');
  }
  const groups = new Map<string, { file: string; router: string; routes: RouteFact[] }>();
  for (const route of routes) {
    const key = `${route.file}\0${route.routerVariable}`;
    const group = groups.get(key) ?? { file: route.file, router: route.routerVariable, routes: [] };
    group.routes.push(route);
    groups.set(key, group);
  }
  const methodWidth = Math.max(...routes.map((r) => r.method.length));
  const pathWidth = Math.min(MAX_PATH_COLUMN, Math.max(...routes.map((r) => r.path.length)));
  const functionWidth = Math.max(...routes.map((r) => r.function.length));
  for (const group of groups.values()) {
    lines.push(`  ${group.file} ${palette.dim('·')} ${group.router}`);
    for (const route of group.routes) {
      const names = [...new Set(route.dependencies)];
      const dependencies = names.length > 0 ? `  ${palette.dim(`depends: ${names.join(', ')}`)}` : '';
      const unresolved = route.unresolved ? `  ${palette.warn('unresolved')}` : '';
      lines.push(
        `    ${route.method.padEnd(methodWidth)}  ${palette.accent(route.path.padEnd(pathWidth))}  ${route.function.padEnd(functionWidth)}  ${palette.dim(`:${route.line}`)}${dependencies}${unresolved}`.trimEnd(),
      );
    }
  }
  return lines.join('\n');
}

function renderFacts(result: AnalysisResult, palette: Palette): string {
  const lines: string[] = [];
  const { stripe, auth, database } = result;
  if (stripe.used) {
    const calls = stripeCapabilities(result).map((kind) => {
      const call = stripe.calls.find((c) => capabilityOf(c.api) === kind);
      return call ? `${kind} ${palette.dim(refKey(call))}` : kind;
    });
    lines.push(
      `${'Stripe'.padEnd(LABEL_WIDTH)}${calls.length > 0 ? calls.join(', ') : 'imported, no API calls found'}`,
    );
    for (const hook of stripe.webhooks) {
      const where = hook.route
        ? `${hook.route.method} ${palette.accent(hook.route.path)}`
        : 'not served by a route found';
      const events = hook.events.length > 0 ? `: ${hook.events.join(', ')}` : '';
      lines.push(
        `${''.padEnd(LABEL_WIDTH)}webhook ${where} ${palette.dim(`${hook.function} ${refKey(hook)}`)}, ${plural(hook.events.length, 'event')}${events}`,
      );
    }
    const links = [...new Set(stripe.checkoutUserLinks.map((l) => (l.field ? `${l.kind} (user.${l.field})` : l.kind)))];
    if (links.length > 0) lines.push(`${''.padEnd(LABEL_WIDTH)}checkout tied to the user by ${links.join(', ')}`);
    const served = matchSuccessRoutes(result);
    for (const path of [...new Set(stripe.checkoutSuccessPaths.map((s) => s.path))]) {
      const routes = served
        .filter((m) => m.path === path)
        .map((m) => `GET ${m.route.path} ${palette.dim(refKey(m.route))}`);
      lines.push(
        `${''.padEnd(LABEL_WIDTH)}checkout success at ${palette.accent(path)}: ${routes.length > 0 ? [...new Set(routes)].join(', ') : 'served by no route found (a frontend page?)'}`,
      );
    }
    if (stripe.apiKeyEnv.length > 0 || stripe.webhookSecretEnv.length > 0) {
      lines.push(`${''.padEnd(LABEL_WIDTH)}keys from ${[...stripe.apiKeyEnv, ...stripe.webhookSecretEnv].join(', ')}`);
    }
  }
  if (auth.primary) {
    const p = auth.primary;
    const returns =
      p.returns === 'dict' ? 'a dict' : (p.returnType ?? (p.returns === 'object' ? 'an object' : 'unknown'));
    const fields =
      p.fields.length > 0 ? ` (${p.fields.slice(0, 6).join(', ')}${p.fields.length > 6 ? ', …' : ''})` : '';
    lines.push(
      `${'Auth'.padEnd(LABEL_WIDTH)}${p.name} in ${p.module} ${palette.dim(refKey(p))}, ${schemeLabel(p.scheme)}, returns ${returns}${fields}, used by ${plural(p.routeCount, 'route')}`,
    );
  }
  if (result.userModel) {
    const m = result.userModel;
    const columns = [
      `id ${m.idField}`,
      m.emailField ? `email ${m.emailField}` : 'no email column',
      m.customerIdField ? `Stripe customer ${m.customerIdField}` : 'no Stripe customer column',
      ...m.planFields.map((f) => `plan ${f.name} (${f.kind})`),
    ];
    lines.push(
      `${'Users'.padEnd(LABEL_WIDTH)}${m.class} in ${m.module} ${palette.dim(refKey(m))}${m.table ? `, table ${m.table}` : ''}: ${columns.join(', ')}`,
    );
  }
  if (database.kind !== 'none' || database.alembic) {
    const parts = [databaseLabel(result)];
    if (database.engine) {
      const url = database.engine.urlSource;
      const from = url?.env ? ` (URL from $${url.env})` : url?.setting ? ` (URL from settings.${url.setting})` : '';
      parts.push(`engine ${database.engine.variable} ${palette.dim(refKey(database.engine))}${from}`);
    }
    if (database.sessionDependency)
      parts.push(`session ${database.sessionDependency.name} ${palette.dim(refKey(database.sessionDependency))}`);
    if (database.alembic) parts.push(`migrations in ${database.alembic.versionsDir}`);
    lines.push(`${'Database'.padEnd(LABEL_WIDTH)}${parts.join(', ')}`);
  }
  return lines.join('\n');
}

type StripeCapability = 'checkout' | 'portal' | 'subscriptions' | 'customers';
const CAPABILITY_ORDER: StripeCapability[] = ['checkout', 'portal', 'subscriptions', 'customers'];

function capabilityOf(api: string): StripeCapability | undefined {
  if (/\.checkout\./.test(api)) return 'checkout';
  if (/\.billing_portal\.|\.BillingPortal\./.test(api)) return 'portal';
  if (/\.(?:Subscription|subscriptions)\./.test(api)) return 'subscriptions';
  if (/\.(?:Customer|customers)\./.test(api)) return 'customers';
  return undefined;
}

function stripeCapabilities(result: AnalysisResult): StripeCapability[] {
  const found = new Set(result.stripe.calls.map((c) => capabilityOf(c.api)));
  return CAPABILITY_ORDER.filter((c) => found.has(c));
}

function schemeLabel(scheme: string): string {
  const labels: Record<string, string> = {
    oauth2: 'OAuth2 bearer token',
    api_key: 'API key',
    http_bearer: 'HTTP bearer token',
    http_basic: 'HTTP basic',
    fastapi_users: 'fastapi-users',
  };
  return labels[scheme] ?? 'scheme unknown';
}

function databaseLabel(result: AnalysisResult): string {
  const { database } = result;
  const name = database.kind === 'sqlmodel' ? 'SQLModel' : database.kind === 'sqlalchemy' ? 'SQLAlchemy' : 'no ORM';
  return `${name}${database.async ? ' (async)' : ''}${database.alembic ? ' + Alembic' : ''}`;
}

/** "23 routes in 9 files · Stripe: checkout, portal, webhook (3 events) · auth: get_current_user · database: SQLAlchemy" */
export function renderSummaryLine(result: AnalysisResult): string {
  const files = new Set(result.routes.map((r) => r.file)).size;
  const parts = [`${plural(result.routes.length, 'route')} in ${plural(files, 'file')}`];
  const { stripe } = result;
  if (stripe.used) {
    const uses: string[] = stripeCapabilities(result);
    if (stripe.webhooks.length > 0) {
      const events = new Set(stripe.webhooks.flatMap((w) => w.events)).size;
      uses.push(`webhook (${plural(events, 'event')})`);
    }
    parts.push(`Stripe: ${uses.length > 0 ? uses.join(', ') : 'imported'}`);
  } else {
    parts.push('Stripe: not used');
  }
  parts.push(`auth: ${result.auth.primary?.name ?? 'none found'}`);
  parts.push(`database: ${result.database.kind === 'none' ? 'none' : databaseLabel(result)}`);
  return parts.join(' · ');
}

/** `file:line message`, the form editors and CI logs turn into links. */
export function renderDiagnostic(diagnostic: Diagnostic): string {
  return `${diagnostic.file}:${diagnostic.line} ${diagnostic.message}`;
}
