import { dottedName, exprText } from './extract-module-ir.js';
import { dependsKind } from './fastapi-semantics.js';
import type {
  CallExpr,
  ClassRef,
  DepRef,
  Evaluator,
  FunctionRecord,
  InterpretResult,
  ModuleRecord,
  Scope,
  Value,
} from './interpreter-values.js';
import { unknown } from './interpreter-values.js';
import type { ClassIR, Expr, FunctionIR, Span } from './python-ir.js';

/**
 * What the interpreter learns besides routes, as it runs: each function's signature dependencies
 * (`Depends`/`Security`, `Annotated[...]` aliases) and return class, the module-level security schemes,
 * `Annotated` aliases, engines and session factories; and the fields and attributes of project classes.
 */
export class FactRecorder {
  readonly functions = new Map<FunctionIR, FunctionRecord>();
  readonly aliases: InterpretResult['aliases'] = [];
  readonly schemes: InterpretResult['schemes'] = [];
  readonly engines: InterpretResult['engines'] = [];
  readonly sessionFactories: InterpretResult['sessionFactories'] = [];

  constructor(private readonly evaluator: Evaluator) {}

  /** `def f(...)` ran: its dependencies and return class are read once, in the scope it was defined in. */
  recordFunction(fn: FunctionIR, scope: Scope): void {
    if (this.functions.has(fn)) return;
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

  /** `name = value` at a module's top level: a scheme, an alias, an engine or a session factory gets its name. */
  recordModuleBinding(name: string, value: Value, scope: Scope, span: Span): void {
    const file = scope.module.ir.file;
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

  /** `create_engine(url)` / `create_async_engine(url)`: named when the statement binds it. */
  recordEngine(call: CallExpr, scope: Scope, async: boolean): void {
    this.engines.push({
      variable: '',
      module: scope.module.ir.module,
      file: scope.module.ir.file,
      line: call.span.line,
      async,
      url: call.args[0] ?? call.keywords.url,
    });
  }

  /** `sessionmaker(...)`, `async_sessionmaker(...)`, `scoped_session(...)`. */
  recordSessionFactory(call: CallExpr, scope: Scope): void {
    this.sessionFactories.push({
      variable: '',
      module: scope.module.ir.module,
      file: scope.module.ir.file,
      line: call.span.line,
    });
  }

  private resolveReturnClass(annotation: string, scope: Scope): ClassRef | undefined {
    const match =
      annotation.match(/([A-Za-z_][\w.]*)\s*(?:\|\s*None)?\s*$/) ??
      annotation.match(/Optional\[\s*([A-Za-z_][\w.]*)\s*\]/);
    const name = match?.[1];
    if (!name) return undefined;
    let value = this.evaluator.lookup(name.split('.')[0]!, scope);
    for (const part of name.split('.').slice(1)) value = this.evaluator.getAttribute(value, part);
    return value.type === 'class' ? { definition: value.definition, module: value.module } : undefined;
  }

  // ---------------------------------------------------------------- dependencies

  private signatureDeps(fn: FunctionIR, scope: Scope): FunctionRecord['signatureDeps'] {
    const out: FunctionRecord['signatureDeps'] = [];
    for (const param of fn.params) {
      if (param.default && param.default.kind === 'call') {
        const dep = this.dependsFromCall(param.default, scope, param.annotation);
        if (dep) out.push({ param: param.name, dep: dep.dep, target: dep.target });
      }
      if (param.annotation) {
        const annotation = param.annotation;
        if (annotation.kind === 'subscript' && this.isAnnotated(annotation.obj, scope)) {
          for (const item of annotation.index.slice(1)) {
            if (item.kind !== 'call') continue;
            const dep = this.dependsFromCall(item, scope, annotation.index[0]);
            if (dep) out.push({ param: param.name, dep: dep.dep, target: dep.target });
          }
        } else if (annotation.kind === 'name' || annotation.kind === 'attribute') {
          const value = this.evaluator.evaluateQuietly(annotation, scope);
          if (value.type === 'annotated') {
            for (const dep of value.dependencies)
              out.push({ param: param.name, dep: { ...dep, name: exprText(annotation) } });
          }
        }
      }
    }
    return out;
  }

  /** `Annotated[T, Depends(f), ...]`: the dependencies it carries, or undefined when `expr` is not `Annotated[...]`. */
  annotatedValue(expr: Extract<Expr, { kind: 'subscript' }>, scope: Scope): Value | undefined {
    if (!this.isAnnotated(expr.obj, scope)) return undefined;
    const deps: DepRef[] = [];
    for (const item of expr.index.slice(1)) {
      if (item.kind !== 'call') continue;
      const dep = this.dependsFromCall(item, scope, expr.index[0]);
      if (dep) deps.push(dep.dep);
    }
    return deps.length > 0 ? { type: 'annotated', dependencies: deps } : unknown(exprText(expr));
  }

  private isAnnotated(expr: Expr, scope: Scope): boolean {
    const value = this.evaluator.evaluateQuietly(expr, scope);
    return (
      (value.type === 'external' && /(^|\.)Annotated$/.test(value.name)) ||
      (value.type === 'unknown' && dottedName(expr)?.endsWith('Annotated') === true)
    );
  }

  /** `Depends(f)` / `Security(f, scopes=[...])` as a value. */
  dependsValue(call: CallExpr, scope: Scope): Value {
    const dep = this.dependsFromCall(call, scope);
    return dep ? { type: 'depends', dependency: dep.dep } : unknown(call.text);
  }

  private dependsFromCall(
    call: CallExpr,
    scope: Scope,
    annotation?: Expr,
  ): { dep: DepRef; target?: Value } | undefined {
    const fn = this.evaluator.evaluateQuietly(call.function, scope);
    const kind = dependsKind(fn, call.function);
    if (!kind) return undefined;
    const targetExpr = call.args[0] ?? call.keywords.dependency ?? annotation;
    const dep: DepRef = { name: targetExpr ? exprText(targetExpr) : '' };
    if (kind === 'security') {
      dep.security = true;
      const scopes = call.keywords.scopes;
      if (scopes && scopes.kind === 'sequence')
        dep.scopes = scopes.items.flatMap((s) => (s.kind === 'string' ? [s.value] : []));
    }
    let target: Value | undefined;
    if (targetExpr) {
      target = this.evaluator.evaluateQuietly(targetExpr, scope);
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
    for (const [module, record] of this.evaluator.modules) {
      for (const [name, v] of record.namespace) if (v === value) bindings.push({ name, module });
    }
    return bindings.find((b) => this.schemes.some((s) => s.module === b.module && s.name === b.name)) ?? bindings[0];
  }

  /** `dependencies=[Depends(a), Depends(b)]`. */
  dependencyList(expr: Expr | undefined, scope: Scope): DepRef[] {
    if (!expr) return [];
    const value = this.evaluator.evaluate(expr, scope);
    if (value.type !== 'sequence') return [];
    return value.items.flatMap((item) => (item.type === 'depends' ? [item.dependency] : []));
  }

  // ---------------------------------------------------------------- classes

  /** Field names of a project class, base classes included (`id` often lives on a base model). */
  fieldsOf(cls: ClassIR, mod: ModuleRecord, seen = new Set<ClassIR>()): string[] {
    if (seen.has(cls)) return [];
    seen.add(cls);
    const names = cls.fields
      .map((f) => f.name)
      .filter((n) => !n.startsWith('_') && n !== 'model_config' && n !== 'Config');
    for (const base of cls.bases) {
      const value = this.evaluator.evaluate(base, { locals: new Map(), module: mod });
      if (value.type === 'class') names.push(...this.fieldsOf(value.definition, value.module, seen));
    }
    return [...new Set(names)];
  }

  /** What a class's bases evaluate to in its module: project classes, external names (`sqlmodel.SQLModel`), unknowns. */
  baseValuesOf(cls: ClassIR, mod: ModuleRecord): Value[] {
    return cls.bases.map((base) => this.evaluator.evaluate(base, { locals: new Map(), module: mod }));
  }

  /** `settings.API_V1_STR`: the class-attribute default, looked up through project base classes. */
  classAttribute(cls: ClassIR, mod: ModuleRecord, name: string, seen = new Set<ClassIR>()): Value | undefined {
    if (seen.has(cls)) return undefined;
    seen.add(cls);
    const field = cls.fields.find((f) => f.name === name);
    if (field) {
      if (!field.value) return unknown(`${cls.name}.${name}`);
      return this.evaluator.evaluate(field.value, { locals: new Map(), module: mod });
    }
    for (const base of cls.bases) {
      const value = this.evaluator.evaluate(base, { locals: new Map(), module: mod });
      if (value.type === 'class') {
        const hit = this.classAttribute(value.definition, value.module, name, seen);
        if (hit) return hit;
      }
    }
    return undefined;
  }
}
