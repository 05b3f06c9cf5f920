import type { ModuleInterpreter } from './interpret-modules.js';
import type { FunctionRecord, InterpretResult, SchemeKind } from './interpreter-values.js';
import type { AuthDependencyFact, AuthFacts, RouteFact } from './types.js';

const USER_DEPENDENCY_NAME =
  /^(?:get_)?(?:current_)?(?:active_|verified_|super|superuser_|authenticated_|logged_in_)*(?:current_)?user(?:_from_token|_or_401|_required)?$|^get_current_\w*user\w*$|^require_(?:user|auth)$|^authenticate(?:d)?_user$/;

/**
 * The dependencies that yield the current user: functions whose signature depends on a security scheme
 * (OAuth2PasswordBearer, APIKeyHeader, HTTPBearer, HTTPBasic) or on another such function, fastapi-users'
 * `current_user(...)` dependencies, and functions named like `get_current_user`. `primary` is the one most
 * routes use.
 */
export function detectAuth(result: InterpretResult, routes: RouteFact[], interpreter: ModuleInterpreter): AuthFacts {
  const schemeOf = new Map<FunctionRecord, AuthDependencyFact['scheme']>();
  const keyOf = (module: string, name: string): string => `${module}:${name}`;
  const byKey = new Map<string, FunctionRecord>();
  for (const record of result.functions) byKey.set(keyOf(record.module, record.definition.name), record);
  const schemeVars = new Map<string, SchemeKind>();
  for (const s of result.schemes) schemeVars.set(keyOf(s.module, s.name), s.kind);

  for (const record of result.functions) {
    for (const { target, dep } of record.signatureDeps) {
      if (target?.type === 'security_scheme') schemeOf.set(record, target.kind);
      else if (target?.type === 'fastapi_users_dependency') schemeOf.set(record, 'fastapi_users');
      else if (dep.callable && schemeVars.has(keyOf(dep.callable.module, dep.callable.name)))
        schemeOf.set(record, schemeVars.get(keyOf(dep.callable.module, dep.callable.name))!);
    }
  }
  // `get_current_active_user` depends on `get_current_user`: it yields the user too.
  for (let pass = 0; pass < 4; pass++) {
    for (const record of result.functions) {
      if (schemeOf.has(record)) continue;
      for (const { dep } of record.signatureDeps) {
        const inner = dep.callable ? byKey.get(keyOf(dep.callable.module, dep.callable.name)) : undefined;
        if (inner && schemeOf.has(inner) && inner !== record) {
          schemeOf.set(record, schemeOf.get(inner)!);
          break;
        }
      }
    }
  }
  for (const record of result.functions) {
    if (
      !schemeOf.has(record) &&
      USER_DEPENDENCY_NAME.test(record.definition.name) &&
      record.signatureDeps.length + record.definition.params.length > 0
    ) {
      schemeOf.set(record, 'unknown');
    }
    // A dependency that puts the user on the request (`request.state.user = ...`) yields it too, and so does
    // one annotated to return a user-like class of the project, whatever its name.
    if (
      !schemeOf.has(record) &&
      !record.isRouteHandler &&
      (record.definition.bodyFacts?.setsStateUser ||
        (record.returnClass && USER_CLASS_NAME.test(record.returnClass.definition.name)))
    ) {
      schemeOf.set(record, 'unknown');
    }
  }
  // What each candidate is built on: `get_current_active_user(user = Depends(get_current_user))`.
  const buildsOn = new Map<FunctionRecord, FunctionRecord[]>();
  for (const record of schemeOf.keys()) {
    const inner = record.signatureDeps
      .map(({ dep }) => (dep.callable ? byKey.get(keyOf(dep.callable.module, dep.callable.name)) : undefined))
      .filter((found): found is FunctionRecord => found !== undefined && found !== record && schemeOf.has(found));
    if (inner.length > 0) buildsOn.set(record, inner);
  }

  // Which routes use which dependency, indexed once: by the function a dependency resolves to, and by the last
  // part of its name (for dependencies not resolved, and for Annotated aliases).
  const byCallable = new Map<string, Set<string>>();
  const byNameUnresolved = new Map<string, Set<string>>();
  const byName = new Map<string, Set<string>>();
  const addTo = (index: Map<string, Set<string>>, key: string, route: string): void => {
    const set = index.get(key);
    if (set) set.add(route);
    else index.set(key, new Set([route]));
  };
  for (const route of routes) {
    const routeKey = `${route.method} ${route.path}`;
    for (const d of route.dependencyDetails) {
      const last = d.name.split('.').pop()!;
      addTo(byName, last, routeKey);
      if (d.callable) addTo(byCallable, keyOf(d.callable.module, d.callable.name), routeKey);
      else addTo(byNameUnresolved, last, routeKey);
    }
  }
  const routesUsing = (module: string, name: string, aliasNames: string[]): Set<string> => {
    const served = new Set<string>([
      ...(byCallable.get(keyOf(module, name)) ?? []),
      ...(byNameUnresolved.get(name) ?? []),
    ]);
    for (const alias of aliasNames) for (const route of byName.get(alias) ?? []) served.add(route);
    return served;
  };
  const countRoutes = (module: string, name: string, aliasNames: string[]): number =>
    routesUsing(module, name, aliasNames).size;
  const aliasesByCallable = new Map<string, Array<{ name: string; module: string }>>();
  for (const alias of result.aliases) {
    for (const d of alias.deps) {
      if (!d.callable) continue;
      const key = keyOf(d.callable.module, d.callable.name);
      const list = aliasesByCallable.get(key) ?? [];
      if (!list.some((a) => a.name === alias.name && a.module === alias.module))
        list.push({ name: alias.name, module: alias.module });
      aliasesByCallable.set(key, list);
    }
  }
  const aliasesOf = (record: FunctionRecord) =>
    aliasesByCallable.get(keyOf(record.module, record.definition.name)) ?? [];
  // A route that uses a dependency built on another uses that one too (FastAPI resolves it once).
  const directRoutes = new Map<FunctionRecord, Set<string>>();
  for (const record of schemeOf.keys()) {
    directRoutes.set(
      record,
      routesUsing(
        record.module,
        record.definition.name,
        aliasesOf(record).map((a) => a.name),
      ),
    );
  }
  // The dependencies built on each one, and the routes each serves through them (memoized: big projects have many).
  const builtOnBy = new Map<FunctionRecord, FunctionRecord[]>();
  for (const [outer, inner] of buildsOn)
    for (const base of inner) builtOnBy.set(base, [...(builtOnBy.get(base) ?? []), outer]);
  const through = new Map<FunctionRecord, Set<string>>();
  const routesThrough = (record: FunctionRecord, seen = new Set<FunctionRecord>()): Set<string> => {
    const known = through.get(record);
    if (known) return known;
    const all = new Set(directRoutes.get(record) ?? []);
    seen.add(record);
    for (const outer of builtOnBy.get(record) ?? []) {
      if (!seen.has(outer)) for (const route of routesThrough(outer, seen)) all.add(route);
    }
    through.set(record, all);
    return all;
  };

  const candidates: AuthDependencyFact[] = [];
  for (const [record, scheme] of schemeOf) {
    if (record.isRouteHandler) continue;
    const aliases = aliasesOf(record);
    const facts = record.definition.bodyFacts;
    let returns: AuthDependencyFact['returns'] = 'unknown';
    let returnType: string | undefined;
    let fields: string[] = [];
    if (record.returnClass) {
      returns = 'object';
      returnType = record.returnClass.definition.name;
      fields = interpreter.fieldsOf(record.returnClass.definition, record.returnClass.module);
    } else if (record.definition.returns && /^(?:dict|Dict|typing\.Dict|Mapping)\b/.test(record.definition.returns)) {
      returns = 'dict';
      returnType = record.definition.returns;
    } else if (record.definition.returns) {
      returns = 'object';
      returnType = record.definition.returns.replace(/^Optional\[(.*)\]$/, '$1').replace(/\s*\|\s*None$/, '');
    }
    if (facts) {
      if (returns === 'unknown' && facts.returnsDict) returns = 'dict';
      if (returns === 'dict' && fields.length === 0) fields = facts.subscriptKeys;
      if (returns === 'unknown' && facts.returnNames.some((n) => /user|account|member|principal/i.test(n)))
        returns = 'object';
      if (returns === 'object' && fields.length === 0) fields = facts.attributeNames;
      if (facts.setsStateUser && !record.returnClass && returns !== 'dict') returns = 'request-state';
    }
    const rejectsFreeUsers = facts?.rejectsFree === true || PAYWALL_GUARD_NAME.test(record.definition.name);
    const inner = buildsOn.get(record) ?? [];
    candidates.push({
      file: record.file,
      line: record.definition.line,
      name: record.definition.name,
      module: record.module,
      scheme,
      returns,
      ...(returnType ? { returnType } : {}),
      fields,
      isAsync: record.definition.isAsync,
      aliases,
      routeCount: routesThrough(record).size,
      ...(rejectsFreeUsers ? { rejectsFreeUsers } : {}),
      ...(inner.length > 0 ? { buildsOn: inner.map((r) => r.definition.name) } : {}),
    });
  }
  // fastapi-users: `current_active_user = fastapi_users.current_user(active=True)`.
  for (const s of result.schemes) {
    if (s.kind !== 'fastapi_users') continue;
    const aliases = result.aliases
      .filter((a) => a.deps.some((d) => d.callable?.module === s.module && d.callable.name === s.name))
      .map((a) => ({ name: a.name, module: a.module }));
    candidates.push({
      file: s.file,
      line: s.line,
      name: s.name,
      module: s.module,
      scheme: 'fastapi_users',
      returns: 'object',
      returnType: 'User',
      fields: ['id', 'email'],
      isAsync: true,
      aliases,
      routeCount: countRoutes(
        s.module,
        s.name,
        aliases.map((a) => a.name),
      ),
    });
  }
  const isBaseOf = (a: AuthDependencyFact, b: AuthDependencyFact): boolean =>
    (b.buildsOn ?? []).includes(a.name) && b.module !== undefined;
  candidates.sort(
    (a, b) =>
      b.routeCount - a.routeCount ||
      Number(isBaseOf(b, a)) - Number(isBaseOf(a, b)) ||
      RETURNS_RANK[a.returns] - RETURNS_RANK[b.returns] ||
      Number(USER_DEPENDENCY_NAME.test(b.name)) - Number(USER_DEPENDENCY_NAME.test(a.name)) ||
      a.module.localeCompare(b.module) ||
      a.name.localeCompare(b.name),
  );
  // The gates' dependency: one routes use (never a login helper no route depends on), never a paywall guard.
  const primary = candidates.find((c) => c.routeCount > 0 && !c.rejectsFreeUsers);
  return { ...(primary ? { primary } : {}), candidates };
}

const USER_CLASS_NAME = /^(?:\w*User|Account|Member|Principal|Profile|Customer|CurrentUser\w*)$/;

/** `require_pro`, `ensure_active_subscription`: named like a guard on the plan (402 and 403 bodies are read too). */
const PAYWALL_GUARD_NAME =
  /^(?:require|ensure|check|verify|must_have|needs?)_(?:\w+_)?(?:pro|premium|paid|plan|subscription|subscriber|subscribed|billing)(?:_\w+)?$/;

/** Of equal use, a dependency that returns the user (a model or a dict) before one that only sets request.state. */
const RETURNS_RANK: Record<AuthDependencyFact['returns'], number> = {
  object: 0,
  dict: 0,
  'request-state': 1,
  unknown: 2,
};
