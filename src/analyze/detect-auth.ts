import type { FunctionRecord, InterpretResult, ModuleInterpreter, SchemeKind } from './interpret-modules.js';
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
  for (const record of result.functions) byKey.set(keyOf(record.module, record.fn.name), record);
  const schemeVars = new Map<string, SchemeKind>();
  for (const s of result.schemes) schemeVars.set(keyOf(s.module, s.name), s.kind);

  for (const record of result.functions) {
    for (const { target, dep } of record.signatureDeps) {
      if (target?.t === 'scheme') schemeOf.set(record, target.kind);
      else if (target?.t === 'users_dep') schemeOf.set(record, 'fastapi_users');
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
      USER_DEPENDENCY_NAME.test(record.fn.name) &&
      record.signatureDeps.length + record.fn.params.length > 0
    ) {
      schemeOf.set(record, 'unknown');
    }
  }

  const countRoutes = (module: string, name: string, aliasNames: string[]): number => {
    const served = new Set<string>();
    for (const route of routes) {
      const uses = route.dependencyDetails.some(
        (d) =>
          (d.callable && d.callable.module === module && d.callable.name === name) ||
          (!d.callable && (d.name === name || d.name.endsWith(`.${name}`))) ||
          aliasNames.includes(d.name.split('.').pop()!),
      );
      if (uses) served.add(`${route.method} ${route.path}`);
    }
    return served.size;
  };

  const candidates: AuthDependencyFact[] = [];
  for (const [record, scheme] of schemeOf) {
    if (record.isRouteHandler) continue;
    const aliases = result.aliases
      .filter((a) => a.deps.some((d) => d.callable?.module === record.module && d.callable.name === record.fn.name))
      .map((a) => ({ name: a.name, module: a.module }));
    const facts = record.fn.bodyFacts;
    let returns: AuthDependencyFact['returns'] = 'unknown';
    let returnType: string | undefined;
    let fields: string[] = [];
    if (record.returnClass) {
      returns = 'object';
      returnType = record.returnClass.cls.name;
      fields = interpreter.fieldsOf(record.returnClass.cls, record.returnClass.mod);
    } else if (record.fn.returns && /^(?:dict|Dict|typing\.Dict|Mapping)\b/.test(record.fn.returns)) {
      returns = 'dict';
      returnType = record.fn.returns;
    } else if (record.fn.returns) {
      returns = 'object';
      returnType = record.fn.returns.replace(/^Optional\[(.*)\]$/, '$1').replace(/\s*\|\s*None$/, '');
    }
    if (facts) {
      if (returns === 'unknown' && facts.returnsDict) returns = 'dict';
      if (returns === 'dict' && fields.length === 0) fields = facts.subscriptKeys;
      if (returns === 'unknown' && facts.returnNames.some((n) => /user|account|member|principal/i.test(n)))
        returns = 'object';
      if (returns === 'object' && fields.length === 0) fields = facts.attributeNames;
    }
    candidates.push({
      file: record.file,
      line: record.fn.line,
      name: record.fn.name,
      module: record.module,
      scheme,
      returns,
      ...(returnType ? { returnType } : {}),
      fields,
      isAsync: record.fn.isAsync,
      aliases,
      routeCount: countRoutes(
        record.module,
        record.fn.name,
        aliases.map((a) => a.name),
      ),
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
  candidates.sort(
    (a, b) =>
      b.routeCount - a.routeCount ||
      Number(USER_DEPENDENCY_NAME.test(b.name)) - Number(USER_DEPENDENCY_NAME.test(a.name)) ||
      a.module.localeCompare(b.module) ||
      a.name.localeCompare(b.name),
  );
  const primary = candidates.find(
    (c) => USER_DEPENDENCY_NAME.test(c.name) || c.routeCount > 0 || c.scheme !== 'unknown',
  );
  return { ...(primary ? { primary } : {}), candidates };
}
