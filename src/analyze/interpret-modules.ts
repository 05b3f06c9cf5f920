import { dottedName, exprText } from './extract-module-ir.js';
import { HTTP_METHOD_SET, ROUTER_METHOD_SET } from './fastapi-router-api.js';
import {
  APP_URL_DEFAULTS,
  dependsKind,
  isFastapiName,
  SCHEME_CLASSES,
  startupHooksOf,
  withHead,
} from './fastapi-semantics.js';
import {
  type ClassRef,
  concatStr,
  type DepRef,
  type FunctionRecord,
  type InterpretResult,
  type ModuleRecord,
  type RouteEntry,
  type RouterObj,
  type Scope,
  type StartupHook,
  type StrVal,
  str,
  unknown,
  type Value,
} from './interpreter-values.js';
import type { ClassIR, Expr, FunctionIR, ModuleIR, Span, Stmt, Target } from './python-ir.js';
import { callStrMethod } from './python-str-methods.js';
import type { Diagnostic, FastapiSemantics } from './types.js';

/**
 * An abstract interpreter for the module-level code of a FastAPI project. It follows what Python and
 * FastAPI do at import time: modules run in import order, `include_router` copies the routes a router
 * has at that moment (later registrations are not served), a router's own prefix applies to what it
 * includes, helper functions run once per call site with their arguments bound, and mounts keep a live
 * reference to the sub-app. Values it cannot know statically become `unknown` and are reported.
 */

const HTTP_METHODS = HTTP_METHOD_SET;
const MAX_CALL_DEPTH = 12;

export class ModuleInterpreter {
  private readonly modules = new Map<string, ModuleRecord>();
  private readonly apps: RouterObj[] = [];
  private readonly routers: RouterObj[] = [];
  private readonly functions = new Map<FunctionIR, FunctionRecord>();
  private readonly invoked = new Set<FunctionIR>();
  private readonly callStack: FunctionIR[] = [];
  private readonly aliases: InterpretResult['aliases'] = [];
  private readonly schemes: InterpretResult['schemes'] = [];
  private readonly engines: InterpretResult['engines'] = [];
  private readonly sessionFactories: InterpretResult['sessionFactories'] = [];
  private readonly diagnostics: Diagnostic[] = [];
  private readonly diagnosticKeys = new Set<string>();
  /** Orders registrations, includes and mounts, for FastAPI versions whose include copies what it sees. */
  private clock = 0;

  constructor(
    irs: ModuleIR[],
    private readonly resolveModuleName: (name: string) => string | undefined,
  ) {
    for (const ir of irs) this.modules.set(ir.module, { ir, namespace: new Map(), state: 'new' });
  }

  run(): InterpretResult {
    const ordered = [...this.modules.values()].sort((a, b) =>
      a.ir.file < b.ir.file ? -1 : a.ir.file > b.ir.file ? 1 : 0,
    );
    for (const record of ordered) this.ensureExecuted(record);
    // App factories nobody calls (uvicorn --factory, tests only): run them once with unknown arguments.
    for (const record of [...this.functions.values()]) {
      if (
        !this.invoked.has(record.definition) &&
        record.definition.body &&
        containsAppCreation(record.definition.body)
      ) {
        const mod = this.modules.get(record.module);
        if (mod)
          this.invoke({ type: 'function', definition: record.definition, module: mod }, [], {}, record.definition.line);
      }
    }
    return {
      apps: this.apps,
      routers: this.routers,
      functions: [...this.functions.values()],
      aliases: this.aliases,
      schemes: this.schemes,
      engines: this.engines,
      sessionFactories: this.sessionFactories,
      diagnostics: this.diagnostics,
    };
  }

  /**
   * Start-up, after every module is imported: FastAPI runs the app's lifespan (from 0.93) with the app, or its
   * start-up handlers, and those of the routers it includes; routes they register are served too.
   */
  runStartup(semantics: FastapiSemantics): void {
    const ran = new Set<StartupHook>();
    for (const app of [...this.apps]) {
      for (const hook of startupHooksOf(app, new Set())) {
        if (ran.has(hook)) continue;
        ran.add(hook);
        const ownLifespan = app.startup.includes(hook);
        if (hook.starletteShortcut && !semantics.starletteAppShortcuts) {
          this.diagnose(
            hook.at.file,
            hook.at.line,
            `${app.variable || 'app'}.${hook.starletteShortcut}(...) does not exist on Starlette 1.x (what FastAPI 0.133 and later install): importing this module raises AttributeError and the app does not start`,
            'error',
          );
          continue;
        }
        if (hook.kind === 'lifespan' && !ownLifespan && !semantics.routerLifespanMerged) {
          this.diagnose(
            hook.at.file,
            hook.at.line,
            "an included router's APIRouter(lifespan=...) is not run by the declared FastAPI (before 0.112.2); routes it registers are not listed",
            'info',
          );
          continue;
        }
        if (hook.kind === 'lifespan' && !semantics.lifespanHonoured) {
          this.diagnose(
            hook.at.file,
            hook.at.line,
            'FastAPI(lifespan=...) is ignored by the declared FastAPI (before 0.93); routes it registers are not listed',
            'info',
          );
          continue;
        }
        if (hook.handler.type !== 'function') {
          this.diagnose(
            hook.at.file,
            hook.at.line,
            `could not resolve the ${hook.kind === 'lifespan' ? 'lifespan' : 'start-up handler'}; routes it registers are not listed`,
            'info',
          );
          continue;
        }
        this.invoke(hook.handler, hook.kind === 'lifespan' ? [{ type: 'router', router: app }] : [], {}, hook.at.line);
      }
    }
  }

  private diagnose(file: string, line: number, message: string, severity: Diagnostic['severity'] = 'warning'): void {
    const key = `${file}:${line}:${message}`;
    if (this.diagnosticKeys.has(key)) return;
    this.diagnosticKeys.add(key);
    this.diagnostics.push({ file, line, message, severity });
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

  private execImport(stmt: Extract<Stmt, { k: 'import' | 'from' }>, scope: Scope): void {
    if (stmt.k === 'import') {
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
      scope.locals.set(alias ?? name, this.getAttr(baseValue, name));
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
    switch (stmt.k) {
      case 'import':
      case 'from':
        this.execImport(stmt, scope);
        return;
      case 'assign': {
        const value = this.eval(stmt.value, scope);
        for (const target of stmt.targets) this.bind(target, value, scope, stmt.span);
        return;
      }
      case 'expr':
        this.eval(stmt.value, scope);
        return;
      case 'def':
        this.execDef(stmt.fn, scope);
        return;
      case 'class': {
        scope.locals.set(stmt.cls.name, { type: 'class', definition: stmt.cls, module: scope.module });
        // Names bound in a class body are not visible to the enclosing scope; route decorators still run.
        const classScope: Scope = {
          locals: new Map(),
          module: scope.module,
          parent: scope,
          ...(scope.functionName !== undefined ? { functionName: scope.functionName } : {}),
        };
        for (const method of stmt.cls.decoratedMethods) this.execDef(method, classScope);
        return;
      }
      case 'block':
        this.execBody(stmt.body, scope, false);
        return;
      case 'for': {
        const items = this.iterate(this.eval(stmt.iter, scope));
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
        if (scope.returned === undefined) scope.returned = stmt.value ? this.eval(stmt.value, scope) : { type: 'none' };
        return;
    }
  }

  private bind(target: Target, value: Value, scope: Scope, span?: Span): void {
    if (target.k === 'name') {
      const previous = scope.locals.get(target.id);
      if (previous?.type === 'router' && value.type === 'router' && previous.router !== value.router)
        this.replaceUnusedApp(previous.router, value.router);
      scope.locals.set(target.id, value);
      if (span) this.nameCreatedObject(target.id, value, scope, span);
      return;
    }
    if (target.k === 'seq') {
      const items = value.type === 'sequence' ? value.items : undefined;
      for (const [i, t] of target.items.entries()) this.bind(t, items?.[i] ?? unknown(`<unpacked ${i}>`), scope);
    }
  }

  /**
   * `if DEBUG: app = FastAPI(debug=True) else: app = FastAPI()`: every branch runs here, so the second app
   * replaces the first before anything was registered on it. Python runs one branch: it is one app.
   */
  private replaceUnusedApp(previous: RouterObj, next: RouterObj): void {
    if (!previous.isApp || !next.isApp || previous.file !== next.file || previous.factory !== next.factory) return;
    if (
      previous.routes.length > 0 ||
      previous.includes.length > 0 ||
      previous.mounts.length > 0 ||
      previous.startup.length > 0
    )
      return;
    const at = this.apps.indexOf(previous);
    if (at !== -1) this.apps.splice(at, 1);
  }

  /** The statement `app = FastAPI(...)` names the app and gives the span to insert after. */
  private nameCreatedObject(name: string, value: Value, scope: Scope, span: Span): void {
    const file = scope.module.ir.file;
    if (value.type === 'router' && value.router.variable === '' && value.router.file === file) {
      value.router.variable = name;
      value.router.creation = { file, ...span };
    }
    if (scope.functionName !== undefined) return;
    const module = scope.module.ir.module;
    if (value.type === 'annotated') this.aliases.push({ name, module, deps: value.dependencies });
    else if (value.type === 'security_scheme')
      this.schemes.push({ name, module, kind: value.kind, file, line: span.line });
    else if (value.type === 'fastapi_users_dependency')
      this.schemes.push({ name, module, kind: 'fastapi_users', file, line: span.line });
    const engine = this.engines.find((e) => e.file === file && e.line === span.line && e.variable === '');
    if (engine) engine.variable = name;
    const factory = this.sessionFactories.find((e) => e.file === file && e.line === span.line && e.variable === '');
    if (factory) factory.variable = name;
  }

  private execDef(fn: FunctionIR, scope: Scope): void {
    const value: Value = {
      type: 'function',
      definition: fn,
      module: scope.module,
      closure: scope.functionName !== undefined ? scope : undefined,
    };
    scope.locals.set(fn.name, value);
    if (!this.functions.has(fn)) {
      const record: FunctionRecord = {
        definition: fn,
        module: scope.module.ir.module,
        file: scope.module.ir.file,
        signatureDeps: this.signatureDeps(fn, scope),
      };
      if (fn.returns) {
        const returnClass = this.resolveReturnClass(fn.returns, scope);
        if (returnClass) record.returnClass = returnClass;
      }
      this.functions.set(fn, record);
    }
    // Decorators apply bottom-up; FastAPI's route decorators return the function unchanged.
    for (let i = fn.decorators.length - 1; i >= 0; i--) {
      const decorator = this.eval(fn.decorators[i]!, scope);
      if (decorator.type === 'route_decorator') this.registerRoute(decorator, value, 'decorator', scope);
      else if (decorator.type === 'startup_decorator')
        decorator.router.startup.push({
          kind: 'startup',
          handler: value,
          at: { file: scope.module.ir.file, line: fn.line },
        });
      else this.noteUnresolvedRouteDecorator(fn.decorators[i]!, decorator, fn, scope);
    }
  }

  /** `@router.get("/x")` on a `router` the analysis could not follow: say so instead of dropping it silently. */
  private noteUnresolvedRouteDecorator(expr: Expr, value: Value, fn: FunctionIR, scope: Scope): void {
    if (value.type !== 'unknown' || expr.k !== 'call' || expr.fn.k !== 'attr') return;
    const method = expr.fn.name;
    if (!HTTP_METHODS.has(method) && method !== 'api_route' && method !== 'websocket') return;
    const path = expr.args[0] ?? expr.kw.path;
    if (path?.k !== 'str' && path?.k !== 'fstr') return;
    if (path.k === 'str' && !path.v.startsWith('/') && path.v !== '') return;
    const receiver = this.evalQuiet(expr.fn.obj, scope);
    // Objects from other libraries (`@app.get` of Flask) are theirs; only unknown project values count.
    if (receiver.type !== 'unknown') return;
    this.diagnose(
      scope.module.ir.file,
      expr.span.line,
      `could not resolve \`${exprText(expr.fn.obj)}\` in @${exprText(expr.fn.obj)}.${method}(...) on ${fn.name}; this route is not listed`,
    );
  }

  private resolveReturnClass(annotation: string, scope: Scope): ClassRef | undefined {
    const match =
      annotation.match(/([A-Za-z_][\w.]*)\s*(?:\|\s*None)?\s*$/) ??
      annotation.match(/Optional\[\s*([A-Za-z_][\w.]*)\s*\]/);
    const name = match?.[1];
    if (!name) return undefined;
    let value = this.lookup(name.split('.')[0]!, scope);
    for (const part of name.split('.').slice(1)) value = this.getAttr(value, part);
    return value.type === 'class' ? { definition: value.definition, module: value.module } : undefined;
  }

  // ---------------------------------------------------------------- dependencies

  private signatureDeps(fn: FunctionIR, scope: Scope): FunctionRecord['signatureDeps'] {
    const out: FunctionRecord['signatureDeps'] = [];
    for (const param of fn.params) {
      if (param.default && param.default.k === 'call') {
        const dep = this.dependsFromCall(param.default, scope, param.annotation);
        if (dep) out.push({ param: param.name, dep: dep.dep, target: dep.target });
      }
      if (param.annotation) {
        const annotation = param.annotation;
        if (annotation.k === 'sub' && this.isAnnotated(annotation.obj, scope)) {
          for (const item of annotation.index.slice(1)) {
            if (item.k !== 'call') continue;
            const dep = this.dependsFromCall(item, scope, annotation.index[0]);
            if (dep) out.push({ param: param.name, dep: dep.dep, target: dep.target });
          }
        } else if (annotation.k === 'name' || annotation.k === 'attr') {
          const value = this.evalQuiet(annotation, scope);
          if (value.type === 'annotated') {
            for (const dep of value.dependencies)
              out.push({ param: param.name, dep: { ...dep, name: exprText(annotation) } });
          }
        }
      }
    }
    return out;
  }

  private isAnnotated(expr: Expr, scope: Scope): boolean {
    const value = this.evalQuiet(expr, scope);
    return (
      (value.type === 'external' && /(^|\.)Annotated$/.test(value.name)) ||
      (value.type === 'unknown' && dottedName(expr)?.endsWith('Annotated') === true)
    );
  }

  private dependsFromCall(
    call: Extract<Expr, { k: 'call' }>,
    scope: Scope,
    annotation?: Expr,
  ): { dep: DepRef; target?: Value } | undefined {
    const fn = this.evalQuiet(call.fn, scope);
    const kind = dependsKind(fn, call.fn);
    if (!kind) return undefined;
    const targetExpr = call.args[0] ?? call.kw.dependency ?? annotation;
    const dep: DepRef = { name: targetExpr ? exprText(targetExpr) : '' };
    if (kind === 'security') {
      dep.security = true;
      const scopes = call.kw.scopes;
      if (scopes && scopes.k === 'seq') dep.scopes = scopes.items.flatMap((s) => (s.k === 'str' ? [s.v] : []));
    }
    let target: Value | undefined;
    if (targetExpr) {
      target = this.evalQuiet(targetExpr, scope);
      if (target.type === 'function') dep.callable = { name: target.definition.name, module: target.module.ir.module };
      else if (target.type === 'class')
        dep.callable = { name: target.definition.name, module: target.module.ir.module };
      else if (target.type === 'fastapi_users_dependency' || target.type === 'security_scheme') {
        const owner = this.findModuleBinding(target);
        if (owner) dep.callable = owner;
      }
    }
    return { dep, target };
  }

  /** Where a scheme or fastapi-users dependency is defined: modules that import it bind the same value too. */
  private findModuleBinding(value: Value): { name: string; module: string } | undefined {
    const bindings: Array<{ name: string; module: string }> = [];
    for (const [module, record] of this.modules) {
      for (const [name, v] of record.namespace) if (v === value) bindings.push({ name, module });
    }
    return bindings.find((b) => this.schemes.some((s) => s.module === b.module && s.name === b.name)) ?? bindings[0];
  }

  private depsList(expr: Expr | undefined, scope: Scope): DepRef[] {
    if (!expr) return [];
    const value = this.eval(expr, scope);
    if (value.type !== 'sequence') return [];
    return value.items.flatMap((item) => (item.type === 'depends' ? [item.dependency] : []));
  }

  // ---------------------------------------------------------------- expressions

  /** Evaluates without side effects that matter for names (used for annotations and dependency targets). */
  private evalQuiet(expr: Expr, scope: Scope): Value {
    if (expr.k === 'call') return unknown(expr.text);
    return this.eval(expr, scope);
  }

  private lookup(name: string, scope: Scope): Value {
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

  private eval(expr: Expr, scope: Scope): Value {
    switch (expr.k) {
      case 'str':
        return { type: 'str', value: str(expr.v) };
      case 'fstr': {
        const parts = expr.parts.map((p) =>
          typeof p === 'string' ? str(p) : this.toStr(this.eval(p, scope), p, scope),
        );
        return { type: 'str', value: concatStr(...parts) };
      }
      case 'bin': {
        const l = this.eval(expr.l, scope);
        const r = this.eval(expr.r, scope);
        if (l.type === 'sequence' && r.type === 'sequence')
          return { type: 'sequence', items: [...l.items, ...r.items] };
        if (l.type === 'str' || r.type === 'str')
          return { type: 'str', value: concatStr(this.toStr(l, expr.l, scope), this.toStr(r, expr.r, scope)) };
        return unknown(exprText(expr));
      }
      case 'name':
        return this.lookup(expr.id, scope);
      case 'attr':
        return this.getAttr(this.eval(expr.obj, scope), expr.name, expr);
      case 'call':
        return this.evalCall(expr, scope);
      case 'seq':
        return { type: 'sequence', items: expr.items.map((i) => this.eval(i, scope)) };
      case 'dict':
        return { type: 'dict', entries: expr.entries.map(([k, v]) => [this.eval(k, scope), this.eval(v, scope)]) };
      case 'sub': {
        if (this.isAnnotated(expr.obj, scope)) {
          const deps: DepRef[] = [];
          for (const item of expr.index.slice(1)) {
            if (item.k !== 'call') continue;
            const dep = this.dependsFromCall(item, scope, expr.index[0]);
            if (dep) deps.push(dep.dep);
          }
          return deps.length > 0 ? { type: 'annotated', dependencies: deps } : unknown(exprText(expr));
        }
        const obj = this.eval(expr.obj, scope);
        const key = expr.index[0] ? this.eval(expr.index[0], scope) : undefined;
        if (obj.type === 'dict' && key?.type === 'str') {
          const hit = obj.entries.find(
            ([k]) => k.type === 'str' && k.value.text === key.value.text && k.value.unresolved.length === 0,
          );
          if (hit) return hit[1];
        }
        return unknown(exprText(expr));
      }
      case 'lit':
        return expr.v === 'none' ? { type: 'none' } : unknown(expr.v);
      case 'other':
        return unknown(expr.text);
    }
  }

  /** A value as a path part; anything not a string becomes `<expr>` and is remembered as unresolved. */
  private toStr(value: Value, expr: Expr, scope: Scope): StrVal {
    if (value.type === 'str') return value.value;
    const text = exprText(expr);
    return { text: `<${text}>`, unresolved: [{ text, file: scope.module.ir.file, line: exprLine(expr) }] };
  }

  private getAttr(obj: Value, name: string, expr?: Expr): Value {
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
        return this.classAttr(obj.definition, obj.module, name, new Set()) ?? unknown(expr ? exprText(expr) : name);
      case 'router': {
        if (name === 'router') return obj;
        const attribute = obj.router.attributes.get(name);
        if (attribute) return attribute;
        return { type: 'bound_method', receiver: obj, name };
      }
      case 'dict':
      case 'sequence':
        return { type: 'bound_method', receiver: obj, name };
      case 'unknown':
        return unknown(`${obj.text}.${name}`);
      default:
        return { type: 'bound_method', receiver: obj, name };
    }
  }

  /** Field names of a project class, base classes included (`id` often lives on a base model). */
  fieldsOf(cls: ClassIR, mod: ModuleRecord, seen = new Set<ClassIR>()): string[] {
    if (seen.has(cls)) return [];
    seen.add(cls);
    const names = cls.fields
      .map((f) => f.name)
      .filter((n) => !n.startsWith('_') && n !== 'model_config' && n !== 'Config');
    for (const base of cls.bases) {
      const value = this.eval(base, { locals: new Map(), module: mod });
      if (value.type === 'class') names.push(...this.fieldsOf(value.definition, value.module, seen));
    }
    return [...new Set(names)];
  }

  /** The classes each module defines at its top level (in `if`/`try` blocks too), after the run. */
  moduleClasses(): Array<ClassRef> {
    const out: Array<ClassRef> = [];
    for (const mod of this.modules.values()) {
      for (const value of mod.namespace.values()) if (value.type === 'class' && value.module === mod) out.push(value);
    }
    return out;
  }

  /** What a class's bases evaluate to in its module: project classes, external names (`sqlmodel.SQLModel`), unknowns. */
  baseValuesOf(cls: ClassIR, mod: ModuleRecord): Value[] {
    return cls.bases.map((base) => this.eval(base, { locals: new Map(), module: mod }));
  }

  /** `settings.API_V1_STR`: the class-attribute default, looked up through project base classes. */
  private classAttr(cls: ClassIR, mod: ModuleRecord, name: string, seen: Set<ClassIR>): Value | undefined {
    if (seen.has(cls)) return undefined;
    seen.add(cls);
    const field = cls.fields.find((f) => f.name === name);
    if (field) {
      if (!field.value) return unknown(`${cls.name}.${name}`);
      return this.eval(field.value, { locals: new Map(), module: mod });
    }
    for (const base of cls.bases) {
      const value = this.eval(base, { locals: new Map(), module: mod });
      if (value.type === 'class') {
        const hit = this.classAttr(value.definition, value.module, name, seen);
        if (hit) return hit;
      }
    }
    return undefined;
  }

  private iterate(value: Value): Value[] | undefined {
    if (value.type === 'sequence') return value.items;
    if (value.type === 'dict') return value.entries.map(([k]) => k);
    return undefined;
  }

  private evalCall(call: Extract<Expr, { k: 'call' }>, scope: Scope): Value {
    const fn = this.eval(call.fn, scope);
    const file = scope.module.ir.file;
    switch (fn.type) {
      case 'bound_method':
        return this.callMethod(fn.receiver, fn.name, call, scope);
      case 'external':
      case 'unknown': {
        const name = fn.type === 'external' ? fn.name : (dottedName(call.fn) ?? '');
        const last = name.split('.').pop() ?? '';
        // fastapi-users: `current_active_user = fastapi_users.current_user(active=True)`.
        if (last === 'current_user' && call.fn.k === 'attr' && this.importsFastapiUsers(scope.module))
          return { type: 'fastapi_users_dependency', text: call.text };
        if (fn.type === 'external' && (last === 'FastAPI' || last === 'APIRouter') && isFastapiName(name)) {
          return { type: 'router', router: this.createRouter(last === 'FastAPI', call, scope) };
        }
        if (fn.type === 'external' && last === 'Field' && /(^|\.)(pydantic|sqlmodel)(\.|$)|^Field$/.test(name)) {
          const fallback = call.kw.default ?? call.args[0];
          return fallback ? this.eval(fallback, scope) : unknown(call.text);
        }
        if (fn.type === 'external' && /^os\.(?:getenv|environ\.get)$/.test(name))
          return this.envWithDefault(call, scope);
        if (fn.type === 'external' && (last === 'Depends' || last === 'Security')) {
          const dep = this.dependsFromCall(call, scope);
          return dep ? { type: 'depends', dependency: dep.dep } : unknown(call.text);
        }
        if (fn.type === 'external' && SCHEME_CLASSES[last] && /(^|\.)(fastapi|security)/.test(name))
          return { type: 'security_scheme', kind: SCHEME_CLASSES[last]!, name };
        if (fn.type === 'external' && /(^|\.)(create_engine|create_async_engine)$/.test(name)) {
          this.engines.push({
            variable: '',
            module: scope.module.ir.module,
            file,
            line: call.span.line,
            async: last === 'create_async_engine',
            url: call.args[0] ?? call.kw.url,
          });
        } else if (fn.type === 'external' && /(^|\.)(sessionmaker|async_sessionmaker|scoped_session)$/.test(name)) {
          this.sessionFactories.push({ variable: '', module: scope.module.ir.module, file, line: call.span.line });
        }
        for (const arg of [...call.args, ...Object.values(call.kw)]) if (arg.k === 'call') this.eval(arg, scope);
        return unknown(call.text);
      }
      case 'function':
        return this.invoke(
          fn,
          call.args.map((a) => this.eval(a, scope)),
          Object.fromEntries(Object.entries(call.kw).map(([k, v]) => [k, this.eval(v, scope)])),
          call.span.line,
        );
      case 'class': {
        const base = this.fastapiBaseOf(fn.definition, fn.module, new Set());
        if (base) return { type: 'router', router: this.createRouter(base === 'FastAPI', call, scope) };
        return { type: 'instance', definition: fn.definition, module: fn.module };
      }
      case 'startup_decorator': {
        const handler = call.args[0] ? this.eval(call.args[0], scope) : unknown('');
        fn.router.startup.push({ kind: 'startup', handler, at: { file, line: call.span.line } });
        return handler;
      }
      case 'route_decorator': {
        const target = call.args[0] ? this.eval(call.args[0], scope) : unknown('');
        this.registerRoute(fn, target, 'call', scope);
        return target;
      }
      default:
        return unknown(call.text);
    }
  }

  private importsFastapiUsers(mod: ModuleRecord): boolean {
    const visit = (body: Stmt[]): boolean =>
      body.some((stmt) =>
        stmt.k === 'import' || stmt.k === 'from'
          ? /^fastapi_users(\.|$)/.test(stmt.module)
          : stmt.k === 'block'
            ? visit(stmt.body)
            : false,
      );
    return visit(mod.ir.body);
  }

  /** `class VersionedRouter(APIRouter)`: a project class that is (transitively) FastAPI's own. */
  private fastapiBaseOf(cls: ClassIR, mod: ModuleRecord, seen: Set<ClassIR>): 'FastAPI' | 'APIRouter' | undefined {
    if (seen.has(cls)) return undefined;
    seen.add(cls);
    for (const baseExpr of cls.bases) {
      const base = this.evalQuiet(baseExpr, { locals: new Map(), module: mod });
      if (base.type === 'external') {
        const last = base.name.split('.').pop();
        if ((last === 'FastAPI' || last === 'APIRouter') && isFastapiName(base.name)) return last;
      } else if (base.type === 'class') {
        const found = this.fastapiBaseOf(base.definition, base.module, seen);
        if (found) return found;
      }
    }
    return undefined;
  }

  /**
   * `os.getenv("API_PREFIX", "/api")`: the default is what FastAPI serves when the variable is not set;
   * the route keeps it, and a note says the environment can change it.
   */
  private envWithDefault(call: Extract<Expr, { k: 'call' }>, scope: Scope): Value {
    const fallbackExpr = call.args[1] ?? call.kw.default;
    const nameExpr = call.args[0] ?? call.kw.key;
    const fallback = fallbackExpr ? this.eval(fallbackExpr, scope) : undefined;
    if (fallback?.type !== 'str') return unknown(call.text);
    const variable = nameExpr?.k === 'str' ? nameExpr.v : nameExpr ? exprText(nameExpr) : '?';
    const note = { variable, fallback: fallback.value.text, file: scope.module.ir.file, line: call.span.line };
    return { type: 'str', value: { ...fallback.value, fromEnv: [...(fallback.value.fromEnv ?? []), note] } };
  }

  private createRouter(isApp: boolean, call: Extract<Expr, { k: 'call' }>, scope: Scope): RouterObj {
    const file = scope.module.ir.file;
    const router: RouterObj = {
      isApp,
      file,
      line: call.span.line,
      variable: '',
      module: scope.module.ir.module,
      factory: scope.functionName,
      creation: { file, ...call.span },
      prefix: isApp ? str('') : this.evalStr(call.kw.prefix, scope),
      deps: this.depsList(call.kw.dependencies, scope),
      routes: [],
      mounts: [],
      includes: [],
      includedAt: [],
      startup: [],
      attributes: new Map(),
    };
    if (isApp) {
      for (const [name, fallback] of Object.entries(APP_URL_DEFAULTS)) {
        const given = call.kw[name];
        router.attributes.set(name, given ? this.eval(given, scope) : { type: 'str', value: str(fallback) });
      }
    } else {
      router.attributes.set('prefix', { type: 'str', value: router.prefix });
    }
    (isApp ? this.apps : this.routers).push(router);
    const at = { file, line: call.span.line };
    if (call.kw.lifespan) router.startup.push({ kind: 'lifespan', handler: this.eval(call.kw.lifespan, scope), at });
    if (call.kw.on_startup) {
      const handlers = this.eval(call.kw.on_startup, scope);
      for (const handler of this.iterate(handlers) ?? []) router.startup.push({ kind: 'startup', handler, at });
    }
    return router;
  }

  private evalStr(expr: Expr | undefined, scope: Scope): StrVal {
    if (!expr) return str('');
    const value = this.eval(expr, scope);
    if (value.type === 'none') return str('');
    return this.toStr(value, expr, scope);
  }

  private callMethod(target: Value, name: string, call: Extract<Expr, { k: 'call' }>, scope: Scope): Value {
    if (target.type === 'str')
      return callStrMethod(
        target.value,
        name,
        call,
        (expr) => this.eval(expr, scope),
        (value) => this.iterate(value),
      );
    if (target.type === 'dict') {
      if (name === 'items')
        return { type: 'sequence', items: target.entries.map(([k, v]) => ({ type: 'sequence', items: [k, v] })) };
      if (name === 'keys') return { type: 'sequence', items: target.entries.map(([k]) => k) };
      if (name === 'values') return { type: 'sequence', items: target.entries.map(([, v]) => v) };
      if (name === 'get' && call.args[0]) {
        const key = this.eval(call.args[0], scope);
        const hit =
          key.type === 'str'
            ? target.entries.find(([k]) => k.type === 'str' && k.value.text === key.value.text)
            : undefined;
        return hit ? hit[1] : unknown(call.text);
      }
      return unknown(call.text);
    }
    if (target.type === 'external' || target.type === 'unknown' || target.type === 'instance') {
      if (name === 'current_user') return { type: 'fastapi_users_dependency', text: call.text };
      return unknown(call.text);
    }
    // Only the calls fastapi-router-api.ts lists are interpreted: the extractor converts bodies by that list.
    if (target.type !== 'router' || !ROUTER_METHOD_SET.has(name)) return unknown(call.text);
    const router = target.router;
    // `app.route(...)` is Starlette's shortcut on the app; `app.router.route(...)` is the router's own method.
    const onAppItself =
      router.isApp && !(call.fn.k === 'attr' && call.fn.obj.k === 'attr' && call.fn.obj.name === 'router');
    const lower = name.toLowerCase();
    const pathExpr = call.args[0] ?? call.kw.path;
    const decorator = (methods: string[]): Value => ({
      type: 'route_decorator',
      router,
      methods,
      path: pathExpr,
      keywords: call.kw,
      span: call.span,
      scope,
    });
    if (HTTP_METHODS.has(lower) && name === lower) return decorator([name.toUpperCase()]);
    if (name === 'api_route') return decorator(this.methodsArg(call.kw.methods, scope));
    // Starlette's own routes (not APIRoute) answer HEAD wherever they answer GET.
    if (name === 'route') {
      const registered = decorator(withHead(this.methodsArg(call.kw.methods, scope)));
      return onAppItself && registered.type === 'route_decorator'
        ? { ...registered, starletteShortcut: 'route' }
        : registered;
    }
    if (name === 'add_route') {
      const endpoint = call.args[1]
        ? this.eval(call.args[1], scope)
        : call.kw.route
          ? this.eval(call.kw.route, scope)
          : unknown('');
      const methods = withHead(this.methodsArg(call.args[2] ?? call.kw.methods, scope));
      this.registerRoute(
        { type: 'route_decorator', router, methods, path: pathExpr, keywords: call.kw, span: call.span, scope },
        endpoint,
        'add_api_route',
        scope,
      );
      return { type: 'none' };
    }
    if (name === 'websocket' || name === 'websocket_route') return decorator(['WEBSOCKET']);
    if (name === 'add_api_route' || name === 'add_api_websocket_route' || name === 'add_websocket_route') {
      const endpoint = call.args[1]
        ? this.eval(call.args[1], scope)
        : call.kw.endpoint
          ? this.eval(call.kw.endpoint, scope)
          : unknown('');
      const methods = name === 'add_api_route' ? this.methodsArg(call.kw.methods, scope) : ['WEBSOCKET'];
      const shortcut = onAppItself && name === 'add_websocket_route' ? { starletteShortcut: name } : {};
      this.registerRoute(
        {
          type: 'route_decorator',
          router,
          methods,
          path: pathExpr,
          keywords: call.kw,
          span: call.span,
          scope,
          ...shortcut,
        },
        endpoint,
        'add_api_route',
        scope,
      );
      return { type: 'none' };
    }
    if (name === 'on_event' || name === 'add_event_handler') {
      const event = call.args[0] ?? call.kw.event_type;
      const eventValue = event ? this.eval(event, scope) : undefined;
      if (eventValue?.type !== 'str' || eventValue.value.text !== 'startup') return { type: 'none' };
      if (name === 'on_event') return { type: 'startup_decorator', router };
      const handlerExpr = call.args[1] ?? call.kw.func;
      if (handlerExpr)
        router.startup.push({
          kind: 'startup',
          handler: this.eval(handlerExpr, scope),
          at: { file: scope.module.ir.file, line: call.span.line },
          ...(onAppItself && name === 'add_event_handler' ? { starletteShortcut: name } : {}),
        });
      return { type: 'none' };
    }
    if (name === 'include_router') {
      const childExpr = call.args[0] ?? call.kw.router;
      const child = childExpr ? this.eval(childExpr, scope) : unknown('');
      this.includeRouter(router, child, childExpr, call, scope);
      return { type: 'none' };
    }
    if (name === 'mount') {
      const appExpr = call.args[1] ?? call.kw.app;
      const sub = appExpr ? this.eval(appExpr, scope) : unknown('');
      if (sub.type === 'router' && sub.router.isApp) {
        router.mounts.push({
          path: this.evalStr(call.args[0] ?? call.kw.path, scope),
          app: sub.router,
          at: { file: scope.module.ir.file, line: call.span.line },
          seq: this.clock++,
        });
      } else if (sub.type === 'router') {
        this.diagnose(
          scope.module.ir.file,
          call.span.line,
          `mount of an APIRouter is not analyzed: ${call.text}`,
          'info',
        );
      }
      return { type: 'none' };
    }
    return unknown(call.text);
  }

  /** The str methods path code uses (`"/api/{}".format(v)`, `BASE.rstrip("/")`), on fully known strings. */
  private methodsArg(expr: Expr | undefined, scope: Scope): string[] {
    // FastAPI's api_route and add_api_route default to GET.
    if (!expr) return ['GET'];
    const value = this.eval(expr, scope);
    if (value.type === 'sequence') {
      const methods = value.items.flatMap((i) =>
        i.type === 'str' && i.value.unresolved.length === 0 ? [i.value.text.toUpperCase()] : [],
      );
      if (methods.length === value.items.length) return [...new Set(methods)];
    }
    this.diagnose(
      scope.module.ir.file,
      exprLine(expr),
      `could not resolve the methods ${exprText(expr)}; assuming GET`,
    );
    return ['GET'];
  }

  private registerRoute(
    decorator: Extract<Value, { type: 'route_decorator' }>,
    target: Value,
    kind: RouteEntry['registration']['kind'],
    scope: Scope,
  ): void {
    const { router } = decorator;
    const file = scope.module.ir.file;
    const functionName =
      target.type === 'function' ? target.definition.name : target.type === 'unknown' ? target.text : '<unknown>';
    const localPath = this.evalStr(decorator.path, decorator.scope);
    const record = target.type === 'function' ? this.functions.get(target.definition) : undefined;
    if (record) record.isRouteHandler = true;
    const decoratorDeps = this.depsList(decorator.keywords.dependencies, decorator.scope);
    const deps: RouteEntry['deps'] = [
      ...router.deps.map((d) => ({ ...d, source: 'router' as const })),
      ...decoratorDeps.map((d) => ({ ...d, source: 'decorator' as const })),
      ...(record?.signatureDeps ?? []).map((d) => ({ ...d.dep, source: 'signature' as const })),
    ];
    const routerVariable = router.variable || '<router>';
    for (const method of decorator.methods) {
      router.routes.push({
        method,
        path: concatStr(router.prefix, localPath),
        localPath: localPath.text,
        function: functionName,
        file,
        line: target.type === 'function' && kind === 'decorator' ? target.definition.line : decorator.span.line,
        deps,
        registration: {
          kind,
          span: { file, ...decorator.span },
          hasDependenciesArgument: decorator.keywords.dependencies !== undefined,
        },
        routerVariable,
        origin: { copied: false },
        seq: this.clock++,
        ...(decorator.starletteShortcut ? { starletteShortcut: decorator.starletteShortcut } : {}),
      });
    }
  }

  private includeRouter(
    parent: RouterObj,
    child: Value,
    childExpr: Expr | undefined,
    call: Extract<Expr, { k: 'call' }>,
    scope: Scope,
  ): void {
    const file = scope.module.ir.file;
    if (child.type !== 'router') {
      this.diagnose(
        file,
        call.span.line,
        `could not resolve the router in ${call.text.split('\n')[0]}; its routes are not listed`,
      );
      return;
    }
    void childExpr;
    const at = { file, line: call.span.line };
    child.router.includedAt.push(at);
    parent.includes.push({
      router: child.router,
      prefix: this.evalStr(call.kw.prefix, scope),
      deps: this.depsList(call.kw.dependencies, scope),
      at,
      seq: this.clock++,
    });
  }

  private invoke(
    fn: Extract<Value, { type: 'function' }>,
    args: Value[],
    kw: Record<string, Value>,
    line: number,
  ): Value {
    // `def get_settings() -> Settings`: the body is not needed to know what it returns.
    const returnClass = this.functions.get(fn.definition)?.returnClass;
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
        kw[param.name] ??
        args[i] ??
        (param.default
          ? this.eval(param.default, { locals: new Map(), module: fn.module, parent: fn.closure })
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
    void line;
    if (annotated && (scope.returned === undefined || scope.returned.type === 'unknown')) return annotated;
    return scope.returned ?? { type: 'none' };
  }
}

function exprLine(expr: Expr): number {
  return expr.k === 'call' ? expr.span.line : expr.line;
}

function containsAppCreation(body: Stmt[]): boolean {
  const visitExpr = (e: Expr): boolean => {
    if (e.k === 'call') return dottedName(e.fn)?.split('.').pop() === 'FastAPI';
    return false;
  };
  for (const stmt of body) {
    if ((stmt.k === 'assign' || stmt.k === 'expr' || stmt.k === 'return') && stmt.value && visitExpr(stmt.value))
      return true;
    if ((stmt.k === 'block' || stmt.k === 'for') && containsAppCreation(stmt.body)) return true;
  }
  return false;
}
