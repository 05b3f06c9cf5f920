import { concatStr, type RouteEntry, type RouterObj, type StrVal } from './interpreter-values.js';
import type { AppFact, Diagnostic, FastapiSemantics, RouteFact, SourceRef } from './types.js';

const refKey = (ref: SourceRef): string => `${ref.file}:${ref.line}`;

/**
 * Turns the interpreted apps into the served route table: each app that is not mounted serves its
 * routes at their paths; a mounted sub-app serves them under every mount path (and `app` names the
 * sub-app, whose `mountedAt` says where). Apps built by a factory that ran more than once collapse into one.
 */
export function collectServedRoutes(
  appObjects: RouterObj[],
  routers: RouterObj[],
  semantics: FastapiSemantics,
): { apps: AppFact[]; routes: RouteFact[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  if (!semantics.starletteAppShortcuts) dropStarletteShortcuts(appObjects, diagnostics);
  const served = new Map<RouterObj, ServedTable>();
  const tableOf = (app: RouterObj): ServedTable => {
    let table = served.get(app);
    if (!table) {
      table = servedTable(app, Infinity, semantics, [], diagnostics);
      served.set(app, table);
    }
    return table;
  };
  const apps = new Map<string, AppFact>();
  for (const app of appObjects) {
    const key = refKey(app);
    if (!apps.has(key)) {
      apps.set(key, {
        file: app.file,
        line: app.line,
        variable: app.variable || 'app',
        module: app.module,
        ...(app.factory ? { factory: app.factory } : {}),
        mountedAt: [],
        creation: app.creation,
      });
    }
  }
  const mounted = new Set<string>();
  for (const parent of appObjects) {
    for (const mount of tableOf(parent).mounts) {
      mounted.add(refKey(mount.app));
      const fact = apps.get(refKey(mount.app))!;
      if (!fact.mountedAt.some((m) => refKey(m.app) === refKey(parent) && m.path === mount.path.text)) {
        fact.mountedAt.push({ app: { file: parent.file, line: parent.line }, path: mount.path.text });
      }
    }
  }

  const routes: RouteFact[] = [];
  const seen = new Set<string>();
  const unresolvedSeen = new Set<string>();
  const emit = (app: RouterObj, prefix: StrVal, stack: RouterObj[]): void => {
    if (stack.includes(app)) return;
    const table = tableOf(app);
    for (const entry of table.routes) {
      entry.origin.copied = true;
      const path = concatStr(prefix, entry.path);
      const fact = toRouteFact(entry, path, { file: app.file, line: app.line });
      const key = `${refKey(fact.app)} ${fact.method} ${fact.path} ${refKey(fact)} ${fact.function}`;
      if (seen.has(key)) continue;
      seen.add(key);
      routes.push(fact);
      for (const part of path.fromEnv ?? []) {
        const k = `${part.file}:${part.line}:env:${part.variable}`;
        if (unresolvedSeen.has(k)) continue;
        unresolvedSeen.add(k);
        diagnostics.push({
          file: part.file,
          line: part.line,
          severity: 'info',
          message: `${part.variable} is read from the environment; routes under it are listed with its default ${JSON.stringify(part.fallback)}`,
        });
      }
      for (const part of path.unresolved) {
        const k = `${part.file}:${part.line}:${part.text}`;
        if (unresolvedSeen.has(k)) continue;
        unresolvedSeen.add(k);
        diagnostics.push({
          file: part.file,
          line: part.line,
          severity: 'warning',
          message: `could not resolve \`${part.text}\` statically; routes under it are listed with <${part.text}> in their path`,
        });
      }
    }
    for (const mount of table.mounts) emit(mount.app, concatStr(prefix, mount.path), [...stack, app]);
  };
  const rootsSeen = new Set<string>();
  for (const app of appObjects) {
    if (mounted.has(refKey(app))) continue;
    rootsSeen.add(refKey(app));
    emit(app, { text: '', unresolved: [] }, []);
  }
  // Sub-apps mounted only by each other (a cycle) still serve something: list them at their own paths.
  for (const app of appObjects) {
    if (
      !rootsSeen.has(refKey(app)) &&
      !appObjects.some((p) => tableOf(p).mounts.some((m) => m.app === app) && !mounted.has(refKey(p)))
    ) {
      if (!routes.some((r) => refKey(r.app) === refKey(app))) emit(app, { text: '', unresolved: [] }, []);
    }
  }

  const firstInclude = new Map<RouterObj, number>();
  for (const parent of [...appObjects, ...routers]) {
    for (const link of parent.includes)
      firstInclude.set(link.router, Math.min(firstInclude.get(link.router) ?? Infinity, link.seq));
  }
  for (const router of routers) {
    const orphaned = router.routes.filter((r) => !r.origin.copied);
    if (orphaned.length === 0) continue;
    const name = router.variable || 'router';
    const includedFrom = firstInclude.get(router) ?? Infinity;
    const late = semantics.includeKeepsRouter ? [] : orphaned.filter((r) => r.seq > includedFrom);
    if (late.length > 0) {
      for (const route of late) {
        diagnostics.push({
          file: route.file,
          line: route.line,
          severity: 'warning',
          message: `${route.method} ${route.path.text} is registered on \`${name}\` after it was included (${router.includedAt.map(refKey).join(', ')}); the declared FastAPI (before 0.137) does not serve it`,
        });
      }
    } else {
      diagnostics.push({
        file: router.file,
        line: router.line,
        severity: 'info',
        message: `router \`${name}\` (${orphaned.length} route${orphaned.length === 1 ? '' : 's'}) is not included in any app found`,
      });
    }
  }
  const diagnosticKeys = new Set<string>();
  const unique = diagnostics.filter((d) => {
    const key = `${d.file}:${d.line}:${d.message}`;
    if (diagnosticKeys.has(key)) return false;
    diagnosticKeys.add(key);
    return true;
  });
  return { apps: [...apps.values()], routes, diagnostics: unique };
}

interface ServedTable {
  routes: RouteEntry[];
  mounts: Array<{ path: StrVal; app: RouterObj }>;
}

/**
 * What a router serves when read at event `bound`: its own routes and mounts, and those of the routers it
 * includes, each under the parent's prefix and the include's. Before FastAPI 0.137 an include copied the
 * routes the child had at that moment (so the child is read at the include's event) and dropped its mounts;
 * from 0.137 the parent keeps the child, so everything registered on it, at any time, is served.
 */
function servedTable(
  router: RouterObj,
  bound: number,
  semantics: FastapiSemantics,
  stack: RouterObj[],
  diagnostics: Diagnostic[],
): ServedTable {
  if (stack.includes(router)) return { routes: [], mounts: [] };
  const live = semantics.includeKeepsRouter;
  const inTime = (seq: number): boolean => live || seq < bound;
  // In the order they joined this router (own registration or include), as FastAPI lists them.
  const joined: Array<{ seq: number; routes: RouteEntry[] }> = router.routes
    .filter((r) => inTime(r.seq))
    .map((r) => ({ seq: r.seq, routes: [r] }));
  const mounts: ServedTable['mounts'] = router.mounts
    .filter((m) => inTime(m.seq))
    .map((m) => ({ path: m.path, app: m.app }));
  const routerDeps = router.deps.map((d) => ({ ...d, source: 'router' as const }));
  for (const link of router.includes) {
    if (!inTime(link.seq)) continue;
    const child = servedTable(link.router, live ? Infinity : link.seq, semantics, [...stack, router], diagnostics);
    const includeDeps = link.deps.map((d) => ({ ...d, source: 'include' as const }));
    joined.push({
      seq: link.seq,
      routes: child.routes.map((route) => {
        route.origin.copied = true;
        return {
          ...route,
          path: concatStr(router.prefix, link.prefix, route.path),
          deps: [...routerDeps, ...includeDeps, ...route.deps],
        };
      }),
    });
    if (live) {
      for (const mount of child.mounts)
        mounts.push({ path: concatStr(router.prefix, link.prefix, mount.path), app: mount.app });
    } else {
      for (const mount of link.router.mounts) {
        diagnostics.push({
          file: mount.at.file,
          line: mount.at.line,
          severity: 'warning',
          message: `the mount on \`${link.router.variable || 'router'}\` is dropped when it is included (${refKey(link.at)}) by the declared FastAPI (before 0.137)`,
        });
      }
    }
  }
  return { routes: joined.sort((a, b) => a.seq - b.seq).flatMap((j) => j.routes), mounts };
}

function toRouteFact(entry: RouteEntry, path: StrVal, app: SourceRef): RouteFact {
  const details = entry.deps.map((d) => ({
    name: d.name,
    source: d.source,
    ...(d.security ? { security: true } : {}),
    ...(d.scopes && d.scopes.length > 0 ? { scopes: d.scopes } : {}),
    ...(d.callable ? { callable: d.callable } : {}),
  }));
  return {
    method: entry.method as RouteFact['method'],
    path: path.text,
    file: entry.file,
    line: entry.line,
    function: entry.function,
    dependencies: details.map((d) => d.name),
    dependencyDetails: details,
    app,
    localPath: entry.localPath,
    routerVariable: entry.routerVariable,
    registration: entry.registration,
    ...(path.unresolved.length > 0 ? { unresolved: true } : {}),
  };
}

/**
 * On Starlette 1.x the app has no `route()`: the module raises AttributeError where it calls it, so the app
 * does not start and what it would register is not served. Said once per line, as an error.
 */
function dropStarletteShortcuts(apps: RouterObj[], diagnostics: Diagnostic[]): void {
  const said = new Set<string>();
  for (const app of apps) {
    const kept = app.routes.filter((route) => route.starletteShortcut === undefined);
    if (kept.length === app.routes.length) continue;
    for (const route of app.routes) {
      const key = `${route.file}:${route.registration.span.line}`;
      if (route.starletteShortcut === undefined || said.has(key)) continue;
      said.add(key);
      diagnostics.push({
        file: route.file,
        line: route.registration.span.line,
        severity: 'error',
        message: `${route.routerVariable}.${route.starletteShortcut}(...) does not exist on Starlette 1.x (what FastAPI 0.133 and later install): importing this module raises AttributeError and the app does not start; use ${route.routerVariable}.api_route(...) or add_route(...)`,
      });
    }
    app.routes.splice(0, app.routes.length, ...kept);
  }
}
