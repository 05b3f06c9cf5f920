import { dottedName, exprText } from './extract-module-ir.js';
import { RouterOperations } from './fastapi-router-operations.js';
import { isFastapiName, SCHEME_CLASSES } from './fastapi-semantics.js';
import {
  type CallExpr,
  type ClassRef,
  concatStr,
  type Evaluator,
  type FunctionValue,
  type InterpretResult,
  type ModuleRecord,
  type Scope,
  type StrVal,
  str,
  unknown,
  type Value,
} from './interpreter-values.js';
import { callBuiltinMethod, iterate, readEnvironmentDefault, subscriptDict } from './python-builtins.js';
import type { ClassIR, Expr, FunctionIR, ModuleIR, Span, Stmt, Target } from './python-ir.js';
import { FactRecorder } from './record-facts.js';
import type { Diagnostic, FastapiSemantics } from './types.js';

/**
 * An abstract interpreter for the module-level code of a FastAPI project. It follows what Python and
 * FastAPI do at import time: modules run in import order, `include_router` copies the routes a router
 * has at that moment (later registrations are not served), a router's own prefix applies to what it
 * includes, helper functions run once per call site with their arguments bound, and mounts keep a live
 * reference to the sub-app. Values it cannot know statically become `unknown` and are reported.
 *
 * This file is Python itself (modules, scopes, statements, expressions, calls of the project's functions);
 * what FastAPI's calls do to routers is fastapi-router-operations.ts, the facts recorded on the way
 * record-facts.ts, and the builtins python-builtins.ts.
 */

const MAX_CALL_DEPTH = 12;

export class ModuleInterpreter implements Evaluator {
  readonly modules = new Map<string, ModuleRecord>();
  private readonly facts: FactRecorder;
  private readonly routers: RouterOperations;
  private readonly invoked = new Set<FunctionIR>();
  private readonly callStack: FunctionIR[] = [];
  private readonly diagnostics: Diagnostic[] = [];
  private readonly diagnosticKeys = new Set<string>();

  constructor(
    irs: ModuleIR[],
    private readonly resolveModuleName: (name: string) => string | undefined,
  ) {
    for (const ir of irs) this.modules.set(ir.module, { ir, namespace: new Map(), state: 'new' });
    this.facts = new FactRecorder(this);
    this.routers = new RouterOperations(this, this.facts);
  }

  run(): InterpretResult {
    const ordered = [...this.modules.values()].sort((a, b) =>
      a.ir.file < b.ir.file ? -1 : a.ir.file > b.ir.file ? 1 : 0,
    );
    for (const record of ordered) this.ensureExecuted(record);
    // App factories nobody calls (uvicorn --factory, tests only): run them once with unknown arguments.
    for (const record of [...this.facts.functions.values()]) {
      if (
        !this.invoked.has(record.definition) &&
        record.definition.body &&
        containsAppCreation(record.definition.body)
      ) {
        const mod = this.modules.get(record.module);
        if (mod) this.invoke({ type: 'function', definition: record.definition, module: mod }, [], {});
      }
    }
    return {
      apps: this.routers.apps,
      routers: this.routers.routers,
      functions: [...this.facts.functions.values()],
      aliases: this.facts.aliases,
      schemes: this.facts.schemes,
      engines: this.facts.engines,
      sessionFactories: this.facts.sessionFactories,
      diagnostics: this.diagnostics,
    };
  }

  /** After every module is imported: the apps' lifespans and start-up handlers run (see `RouterOperations`). */
  runStartup(semantics: FastapiSemantics): void {
    this.routers.runStartup(semantics);
  }

  diagnose(file: string, line: number, message: string, severity: Diagnostic['severity'] = 'warning'): void {
    const key = `${file}:${line}:${message}`;
    if (this.diagnosticKeys.has(key)) return;
    this.diagnosticKeys.add(key);
    this.diagnostics.push({ file, line, message, severity });
  }

  /** Field names of a project class, base classes included. */
  fieldsOf(cls: ClassIR, mod: ModuleRecord): string[] {
    return this.facts.fieldsOf(cls, mod);
  }

  /** What a class's bases evaluate to in its module: project classes, external names (`sqlmodel.SQLModel`), unknowns. */
  baseValuesOf(cls: ClassIR, mod: ModuleRecord): Value[] {
    return this.facts.baseValuesOf(cls, mod);
  }

  /** The classes each module defines at its top level (in `if`/`try` blocks too), after the run. */
  moduleClasses(): ClassRef[] {
    const out: ClassRef[] = [];
    for (const mod of this.modules.values()) {
      for (const value of mod.namespace.values()) if (value.type === 'class' && value.module === mod) out.push(value);
    }
    return out;
  }

  // ---------------------------------------------------------------- modules and imports

  private ensureExecuted(record: ModuleRecord): void {
    if (record.state !== 'new') return;
    record.state = 'running';
    const scope: Scope = { locals: record.namespace, module: record };
    this.execBody(record.ir.body, scope, true);
    record.state = 'done';
  }

  /** Loads `a.b.c` the way `import a.b.c` does: parents first. Returns undefined for modules outside the project. */
  private loadModule(name: string): ModuleRecord | undefined {
    const resolved = this.resolveModuleName(name);
    if (resolved === undefined) return undefined;
    const parts = resolved.split('.');
    for (let i = 1; i < parts.length; i++) {
      const parent = this.modules.get(parts.slice(0, i).join('.'));
      if (parent) this.ensureExecuted(parent);
    }
    const record = this.modules.get(resolved);
    if (record) this.ensureExecuted(record);
    return record;
  }

  private moduleValue(name: string): Value {
    const record = this.loadModule(name);
    if (record) return { type: 'module', name: record.ir.module };
    // A folder of modules without __init__.py is a namespace package: its submodules still import.
    if (this.isNamespacePackage(name)) return { type: 'module', name };
    return { type: 'external', name };
  }

  private isNamespacePackage(name: string): boolean {
    const prefix = `${name}.`;
    for (const module of this.modules.keys()) if (module.startsWith(prefix)) return true;
    return false;
  }

  private absoluteModule(scope: Scope, module: string, level: number): string {
    if (level === 0) return module;
    const ir = scope.module.ir;
    const parts = ir.module.split('.');
    // A package's own __init__ is its package; a module's package is its parent.
    const packageParts = ir.isPackage ? parts : parts.slice(0, -1);
    const base = packageParts.slice(0, Math.max(0, packageParts.length - (level - 1)));
    return [...base, ...(module ? module.split('.') : [])].filter(Boolean).join('.');
  }

  private execImport(stmt: Extract<Stmt, { kind: 'import' | 'from' }>, scope: Scope): void {
    if (stmt.kind === 'import') {
      // `import a.b.c` runs a, a.b and a.b.c (their routes register now) and binds `a`.
      const value = this.moduleValue(stmt.module);
      if (stmt.alias) {
        scope.locals.set(stmt.alias, value);
      } else {
        const head = stmt.module.split('.')[0]!;
        scope.locals.set(head, head === stmt.module ? value : this.moduleValue(head));
      }
      return;
    }
    const base = this.absoluteModule(scope, stmt.module, stmt.level);
    const baseValue = this.moduleValue(base);
    if (stmt.star) {
      if (baseValue.type === 'module') {
        const record = this.modules.get(baseValue.name);
        if (record) for (const [k, v] of record.namespace) if (!k.startsWith('_')) scope.locals.set(k, v);
      }
      return;
    }
    for (const { name, alias } of stmt.names) {
      scope.locals.set(alias ?? name, this.getAttribute(baseValue, name));
    }
  }

  // ---------------------------------------------------------------- statements

  private execBody(body: Stmt[], scope: Scope, topLevel: boolean): void {
    for (const stmt of body) {
      this.execStmt(stmt, scope);
      if (topLevel && scope.returned !== undefined && scope.functionName !== undefined) return;
    }
  }

  private execStmt(stmt: Stmt, scope: Scope): void {
    switch (stmt.kind) {
      case 'import':
      case 'from':
        this.execImport(stmt, scope);
        return;
      case 'assign': {
        const value = this.evaluate(stmt.value, scope);
        for (const target of stmt.targets) this.bind(target, value, scope, stmt.span);
        return;
      }
      case 'expr':
        this.evaluate(stmt.value, scope);
        return;
      case 'def':
        this.execDef(stmt.function, scope);
        return;
      case 'class': {
        scope.locals.set(stmt.class.name, { type: 'class', definition: stmt.class, module: scope.module });
        // Names bound in a class body are not visible to the enclosing scope; route decorators still run.
        const classScope: Scope = {
          locals: new Map(),
          module: scope.module,
          parent: scope,
          ...(scope.functionName !== undefined ? { functionName: scope.functionName } : {}),
        };
        for (const method of stmt.class.decoratedMethods) this.execDef(method, classScope);
        return;
      }
      case 'block':
        this.execBody(stmt.body, scope, false);
        return;
      case 'for': {
        const items = iterate(this.evaluate(stmt.iter, scope));
        if (items === undefined) {
          this.bind(stmt.target, unknown(exprText(stmt.iter)), scope);
          this.execBody(stmt.body, scope, false);
          return;
        }
        for (const item of items) {
          this.bind(stmt.target, item, scope);
          this.execBody(stmt.body, scope, false);
        }
        return;
      }
      case 'return':
        if (scope.returned === undefined)
          scope.returned = stmt.value ? this.evaluate(stmt.value, scope) : { type: 'none' };
        return;
    }
  }

  private bind(target: Target, value: Value, scope: Scope, span?: Span): void {
    if (target.kind === 'name') {
      const previous = scope.locals.get(target.id);
      if (previous?.type === 'router' && value.type === 'router' && previous.router !== value.router)
        this.routers.replaceUnusedApp(previous.router, value.router);
      scope.locals.set(target.id, value);
      if (span) {
        this.routers.nameRouter(target.id, value, scope.module.ir.file, span);
        if (scope.functionName === undefined) this.facts.recordModuleBinding(target.id, value, scope, span);
      }
      return;
    }
    if (target.kind === 'sequence') {
      const items = value.type === 'sequence' ? value.items : undefined;
      for (const [i, t] of target.items.entries()) this.bind(t, items?.[i] ?? unknown(`<unpacked ${i}>`), scope);
    }
  }

  private execDef(fn: FunctionIR, scope: Scope): void {
    const value: FunctionValue = {
      type: 'function',
      definition: fn,
      module: scope.module,
      closure: scope.functionName !== undefined ? scope : undefined,
    };
    scope.locals.set(fn.name, value);
    this.facts.recordFunction(fn, scope);
    // Decorators apply bottom-up; FastAPI's route decorators return the function unchanged.
    for (let i = fn.decorators.length - 1; i >= 0; i--) {
      const decorator = this.evaluate(fn.decorators[i]!, scope);
      if (decorator.type === 'route_decorator') this.routers.registerRoute(decorator, value, 'decorator', scope);
      else if (decorator.type === 'startup_decorator')
        this.routers.addStartupHandler(decorator.router, value, scope.module.ir.file, fn.line);
      else this.routers.noteUnresolvedRouteDecorator(fn.decorators[i]!, decorator, fn, scope);
    }
  }

  // ---------------------------------------------------------------- expressions

  evaluateQuietly(expr: Expr, scope: Scope): Value {
    if (expr.kind === 'call') return unknown(expr.text);
    return this.evaluate(expr, scope);
  }

  lookup(name: string, scope: Scope): Value {
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      const value = s.locals.get(name);
      if (value) return value;
    }
    const global = scope.module.namespace.get(name);
    if (global) return global;
    if (name === 'FastAPI' || name === 'APIRouter' || name === 'Depends' || name === 'Security' || name === 'Annotated')
      return { type: 'external', name };
    return unknown(name);
  }

  evaluate(expr: Expr, scope: Scope): Value {
    switch (expr.kind) {
      case 'string':
        return { type: 'str', value: str(expr.value) };
      case 'fstring': {
        const parts = expr.parts.map((p) =>
          typeof p === 'string' ? str(p) : this.toStr(this.evaluate(p, scope), p, scope),
        );
        return { type: 'str', value: concatStr(...parts) };
      }
      case 'binary': {
        const l = this.evaluate(expr.left, scope);
        const r = this.evaluate(expr.right, scope);
        if (l.type === 'sequence' && r.type === 'sequence')
          return { type: 'sequence', items: [...l.items, ...r.items] };
        if (l.type === 'str' || r.type === 'str')
          return { type: 'str', value: concatStr(this.toStr(l, expr.left, scope), this.toStr(r, expr.right, scope)) };
        return unknown(exprText(expr));
      }
      case 'name':
        return this.lookup(expr.id, scope);
      case 'attribute':
        return this.getAttribute(this.evaluate(expr.obj, scope), expr.name, expr);
      case 'call':
        return this.evaluateCall(expr, scope);
      case 'sequence':
        return { type: 'sequence', items: expr.items.map((i) => this.evaluate(i, scope)) };
      case 'dict':
        return {
          type: 'dict',
          entries: expr.entries.map(([k, v]) => [this.evaluate(k, scope), this.evaluate(v, scope)]),
        };
      case 'subscript': {
        const annotated = this.facts.annotatedValue(expr, scope);
        if (annotated) return annotated;
        const obj = this.evaluate(expr.obj, scope);
        const key = expr.index[0] ? this.evaluate(expr.index[0], scope) : undefined;
        return subscriptDict(obj, key) ?? unknown(exprText(expr));
      }
      case 'literal':
        return expr.value === 'none' ? { type: 'none' } : unknown(expr.value);
      case 'other':
        return unknown(expr.text);
    }
  }

  evaluateStr(expr: Expr | undefined, scope: Scope): StrVal {
    if (!expr) return str('');
    const value = this.evaluate(expr, scope);
    if (value.type === 'none') return str('');
    return this.toStr(value, expr, scope);
  }

  /** A value as a path part; anything not a string becomes `<expr>` and is remembered as unresolved. */
  private toStr(value: Value, expr: Expr, scope: Scope): StrVal {
    if (value.type === 'str') return value.value;
    const text = exprText(expr);
    return { text: `<${text}>`, unresolved: [{ text, file: scope.module.ir.file, line: exprLine(expr) }] };
  }

  getAttribute(obj: Value, name: string, expr?: Expr): Value {
    switch (obj.type) {
      case 'module': {
        const record = this.modules.get(obj.name);
        if (record) {
          this.ensureExecuted(record);
          const value = record.namespace.get(name);
          if (value) return value;
        }
        const sub = this.loadModule(`${obj.name}.${name}`);
        if (sub) return { type: 'module', name: sub.ir.module };
        return unknown(`${obj.name}.${name}`);
      }
      case 'external':
        return { type: 'external', name: `${obj.name}.${name}` };
      case 'class':
      case 'instance':
        return this.facts.classAttribute(obj.definition, obj.module, name) ?? unknown(expr ? exprText(expr) : name);
      case 'router': {
        if (name === 'router') return obj;
        const attribute = obj.router.attributes.get(name);
        if (attribute) return attribute;
        return { type: 'bound_method', receiver: obj, name };
      }
      case 'unknown':
        return unknown(`${obj.text}.${name}`);
      default:
        return { type: 'bound_method', receiver: obj, name };
    }
  }

  // ---------------------------------------------------------------- calls

  private evaluateCall(call: CallExpr, scope: Scope): Value {
    const fn = this.evaluate(call.function, scope);
    switch (fn.type) {
      case 'bound_method':
        return this.callMethod(fn.receiver, fn.name, call, scope);
      case 'external':
      case 'unknown':
        return this.callLibrary(fn, call, scope);
      case 'function':
        return this.invoke(
          fn,
          call.args.map((a) => this.evaluate(a, scope)),
          Object.fromEntries(Object.entries(call.keywords).map(([k, v]) => [k, this.evaluate(v, scope)])),
        );
      case 'class': {
        const base = this.routers.fastapiBaseOf(fn.definition, fn.module);
        if (base) return { type: 'router', router: this.routers.createRouter(base === 'FastAPI', call, scope) };
        return { type: 'instance', definition: fn.definition, module: fn.module };
      }
      case 'startup_decorator': {
        const handler = call.args[0] ? this.evaluate(call.args[0], scope) : unknown('');
        this.routers.addStartupHandler(fn.router, handler, scope.module.ir.file, call.span.line);
        return handler;
      }
      case 'route_decorator': {
        const target = call.args[0] ? this.evaluate(call.args[0], scope) : unknown('');
        this.routers.registerRoute(fn, target, 'call', scope);
        return target;
      }
      default:
        return unknown(call.text);
    }
  }

  /** A call of something outside the project: the libraries whose calls matter to the analysis. */
  private callLibrary(fn: Extract<Value, { type: 'external' | 'unknown' }>, call: CallExpr, scope: Scope): Value {
    const name = fn.type === 'external' ? fn.name : (dottedName(call.function) ?? '');
    const last = name.split('.').pop() ?? '';
    // fastapi-users: `current_active_user = fastapi_users.current_user(active=True)`.
    if (last === 'current_user' && call.function.kind === 'attribute' && importsFastapiUsers(scope.module))
      return { type: 'fastapi_users_dependency', text: call.text };
    if (fn.type === 'external') {
      if ((last === 'FastAPI' || last === 'APIRouter') && isFastapiName(name))
        return { type: 'router', router: this.routers.createRouter(last === 'FastAPI', call, scope) };
      if (last === 'Field' && /(^|\.)(pydantic|sqlmodel)(\.|$)|^Field$/.test(name)) {
        const fallback = call.keywords.default ?? call.args[0];
        return fallback ? this.evaluate(fallback, scope) : unknown(call.text);
      }
      if (/^os\.(?:getenv|environ\.get)$/.test(name)) return readEnvironmentDefault(call, scope, this);
      if (last === 'Depends' || last === 'Security') return this.facts.dependsValue(call, scope);
      if (SCHEME_CLASSES[last] && /(^|\.)(fastapi|security)/.test(name))
        return { type: 'security_scheme', kind: SCHEME_CLASSES[last]!, name };
      if (/(^|\.)(create_engine|create_async_engine)$/.test(name))
        this.facts.recordEngine(call, scope, last === 'create_async_engine');
      else if (/(^|\.)(sessionmaker|async_sessionmaker|scoped_session)$/.test(name))
        this.facts.recordSessionFactory(call, scope);
    }
    for (const arg of [...call.args, ...Object.values(call.keywords)])
      if (arg.kind === 'call') this.evaluate(arg, scope);
    return unknown(call.text);
  }

  private callMethod(receiver: Value, name: string, call: CallExpr, scope: Scope): Value {
    const builtin = callBuiltinMethod(receiver, name, call, scope, this);
    if (builtin) return builtin;
    if (receiver.type === 'router') return this.routers.callRouterMethod(receiver.router, name, call, scope);
    if (
      (receiver.type === 'external' || receiver.type === 'unknown' || receiver.type === 'instance') &&
      name === 'current_user'
    )
      return { type: 'fastapi_users_dependency', text: call.text };
    return unknown(call.text);
  }

  invoke(fn: FunctionValue, args: Value[], keywords: Record<string, Value>): Value {
    // `def get_settings() -> Settings`: the body is not needed to know what it returns.
    const returnClass = this.facts.functions.get(fn.definition)?.returnClass;
    const annotated: Value | undefined = returnClass
      ? { type: 'instance', definition: returnClass.definition, module: returnClass.module }
      : undefined;
    if (!fn.definition.body || this.callStack.includes(fn.definition) || this.callStack.length >= MAX_CALL_DEPTH)
      return annotated ?? unknown(`${fn.definition.name}()`);
    this.invoked.add(fn.definition);
    const locals = new Map<string, Value>();
    const scope: Scope = { locals, module: fn.module, parent: fn.closure, functionName: fn.definition.name };
    fn.definition.params.forEach((param, i) => {
      const value =
        keywords[param.name] ??
        args[i] ??
        (param.default
          ? this.evaluate(param.default, { locals: new Map(), module: fn.module, parent: fn.closure })
          : unknown(param.name));
      locals.set(param.name, value);
    });
    this.callStack.push(fn.definition);
    try {
      this.ensureExecuted(fn.module);
      this.execBody(fn.definition.body, scope, true);
    } finally {
      this.callStack.pop();
    }
    if (annotated && (scope.returned === undefined || scope.returned.type === 'unknown')) return annotated;
    return scope.returned ?? { type: 'none' };
  }
}

function importsFastapiUsers(mod: ModuleRecord): boolean {
  const visit = (body: Stmt[]): boolean =>
    body.some((stmt) =>
      stmt.kind === 'import' || stmt.kind === 'from'
        ? /^fastapi_users(\.|$)/.test(stmt.module)
        : stmt.kind === 'block'
          ? visit(stmt.body)
          : false,
    );
  return visit(mod.ir.body);
}

function exprLine(expr: Expr): number {
  return expr.kind === 'call' ? expr.span.line : expr.line;
}

function containsAppCreation(body: Stmt[]): boolean {
  const visitExpr = (e: Expr): boolean => {
    if (e.kind === 'call') return dottedName(e.function)?.split('.').pop() === 'FastAPI';
    return false;
  };
  for (const stmt of body) {
    if (
      (stmt.kind === 'assign' || stmt.kind === 'expr' || stmt.kind === 'return') &&
      stmt.value &&
      visitExpr(stmt.value)
    )
      return true;
    if ((stmt.kind === 'block' || stmt.kind === 'for') && containsAppCreation(stmt.body)) return true;
  }
  return false;
}
