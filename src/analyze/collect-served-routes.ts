import { concatStr, type RouteEntry, type RouterObj, type StrVal } from './interpret-modules.js';
import type { AppFact, Diagnostic, RouteFact, SourceRef } from './types.js';

const refKey = (ref: SourceRef): string => `${ref.file}:${ref.line}`;

/**
 * Turns the interpreted apps into the served route table: each app that is not mounted serves its
 * routes at their paths; a mounted sub-app serves them under every mount path (and `app` names the
 * sub-app, whose `mountedAt` says where). Apps built by a factory that ran more than once collapse into one.
 */
export function collectServedRoutes(appObjects: RouterObj[], routers: RouterObj[]): { apps: AppFact[]; routes: RouteFact[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
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
    for (const mount of parent.mounts) {
      mounted.add(refKey(mount.app));
      const fact = apps.get(refKey(mount.app))!;
      if (!fact.mountedAt.some((m) => refKey(m.app) === refKey(parent) && m.path === mount.path.v)) {
        fact.mountedAt.push({ app: { file: parent.file, line: parent.line }, path: mount.path.v });
      }
    }
  }

  const routes: RouteFact[] = [];
  const seen = new Set<string>();
  const unresolvedSeen = new Set<string>();
  const emit = (app: RouterObj, prefix: StrVal, stack: RouterObj[]): void => {
    if (stack.includes(app)) return;
    for (const entry of app.routes) {
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
    for (const mount of app.mounts) emit(mount.app, concatStr(prefix, mount.path), [...stack, app]);
  };
  const rootsSeen = new Set<string>();
  for (const app of appObjects) {
    if (mounted.has(refKey(app))) continue;
    rootsSeen.add(refKey(app));
    emit(app, { v: '', unresolved: [] }, []);
  }
  // Sub-apps mounted only by each other (a cycle) still serve something: list them at their own paths.
  for (const app of appObjects) {
    if (!rootsSeen.has(refKey(app)) && !appObjects.some((p) => p.mounts.some((m) => m.app === app) && !mounted.has(refKey(p)))) {
      if (!routes.some((r) => refKey(r.app) === refKey(app))) emit(app, { v: '', unresolved: [] }, []);
    }
  }

  for (const router of routers) {
    const orphaned = router.routes.filter((r) => !r.origin.copied);
    if (orphaned.length === 0) continue;
    const name = router.variable || 'router';
    if (router.includedAt.length > 0) {
      for (const route of orphaned) {
        diagnostics.push({
          file: route.file,
          line: route.line,
          severity: 'warning',
          message: `${route.method} ${route.localPath} is registered on \`${name}\` after it was included (${router.includedAt.map(refKey).join(', ')}); FastAPI does not serve it`,
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
  return { apps: [...apps.values()], routes, diagnostics };
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
    path: path.v,
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
