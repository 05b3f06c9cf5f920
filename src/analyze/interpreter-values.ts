import type { ClassIR, Expr, FunctionIR, ModuleIR, Span } from './python-ir.js';
import type { Diagnostic, RouteDependency, SourceRef, SourceSpan } from './types.js';

/**
 * The values the module interpreter (interpret-modules.ts) works with: strings with their unresolved parts,
 * routers and apps with their routes, includes and mounts, functions, dependencies, and what it records.
 */

/** A string with the parts that could not be resolved written as `<expr>`. */
export interface StrVal {
  text: string;
  unresolved: Array<{ text: string; file: string; line: number }>;
  /** Parts taken from the default of an environment read (`os.getenv("PREFIX", "/api")`). */
  fromEnv?: Array<{ variable: string; fallback: string; file: string; line: number }>;
}

export interface DepRef {
  name: string;
  security?: boolean;
  scopes?: string[];
  /** The function (or fastapi-users dependency) it resolves to. */
  callable?: { name: string; module: string };
}

export interface RouteEntry {
  method: string;
  path: StrVal;
  localPath: string;
  function: string;
  file: string;
  line: number;
  deps: Array<DepRef & { source: RouteDependency['source'] }>;
  registration: { kind: 'decorator' | 'call' | 'add_api_route'; span: SourceSpan; hasDependenciesArgument: boolean };
  routerVariable: string;
  /** Set once the entry was copied by an include or served by an app. */
  origin: { copied: boolean };
  /** When it was registered, in the interpreter's order of events (see `RouterObj.includes`). */
  seq: number;
  /** Registered through `app.route(...)`, which Starlette 1.x removed (see `FastapiSemantics`). */
  starletteShortcut?: string;
}

/** `parent.include_router(child, prefix=..., dependencies=...)`, kept as a link and applied when the table is read. */
export interface IncludeLink {
  router: RouterObj;
  prefix: StrVal;
  deps: DepRef[];
  at: SourceRef;
  seq: number;
}

/** Code FastAPI runs at start-up with the app: `lifespan=`, `on_startup=[...]`, `on_event("startup")`. */
export interface StartupHook {
  /** `app.add_event_handler(...)`, which Starlette 1.x removed from the app (see `FastapiSemantics`). */
  starletteShortcut?: string;
  kind: 'lifespan' | 'startup';
  handler: Value;
  at: SourceRef;
}

export interface RouterObj {
  isApp: boolean;
  file: string;
  line: number;
  variable: string;
  module: string;
  factory?: string;
  creation: SourceSpan;
  prefix: StrVal;
  deps: DepRef[];
  routes: RouteEntry[];
  mounts: Array<{ path: StrVal; app: RouterObj; at: SourceRef; seq: number }>;
  includes: IncludeLink[];
  includedAt: SourceRef[];
  startup: StartupHook[];
  /** Attributes read as values: an app's `docs_url`, `openapi_url`...; a router's `prefix`. */
  attributes: Map<string, Value>;
}

export type Value =
  | { type: 'str'; value: StrVal }
  /** What the interpreter cannot know statically; `text` is the source it came from. */
  | { type: 'unknown'; text: string }
  | { type: 'none' }
  | { type: 'router'; router: RouterObj }
  | { type: 'module'; name: string }
  /** A dotted name from outside the project (`fastapi.FastAPI`, `os.getenv`). */
  | { type: 'external'; name: string }
  | { type: 'function'; definition: FunctionIR; module: ModuleRecord; closure?: Scope }
  | { type: 'class'; definition: ClassIR; module: ModuleRecord }
  /** An instance of the project class `definition`. */
  | { type: 'instance'; definition: ClassIR; module: ModuleRecord }
  /** A list, tuple or set. */
  | { type: 'sequence'; items: Value[] }
  | { type: 'dict'; entries: Array<[Value, Value]> }
  /** `Depends(f)` or `Security(f)`. */
  | { type: 'depends'; dependency: DepRef }
  /** `Annotated[User, Depends(f)]`. */
  | { type: 'annotated'; dependencies: DepRef[] }
  /** `receiver.name`, about to be called. */
  | { type: 'bound_method'; receiver: Value; name: string }
  /** `router.get("/x")`: applied to a function (or called with one), registers it as a route. */
  | {
      type: 'route_decorator';
      router: RouterObj;
      /** Registered through one of Starlette's app shortcuts Starlette 1.x removed (`app.route`). */
      starletteShortcut?: string;
      methods: string[];
      path: Expr | undefined;
      keywords: Record<string, Expr>;
      span: Span;
      scope: Scope;
    }
  /** An instance of one of FastAPI's security classes (`OAuth2PasswordBearer(...)`); `name` is the class's. */
  | { type: 'security_scheme'; kind: SchemeKind; name: string }
  /** `fastapi_users.current_user(...)`. */
  | { type: 'fastapi_users_dependency'; text: string }
  /** `app.on_event("startup")`: applied to a function, adds it to the app's start-up hooks. */
  | { type: 'startup_decorator'; router: RouterObj };

export type SchemeKind = 'oauth2' | 'api_key' | 'http_bearer' | 'http_basic' | 'fastapi_users';

/** A project class and the module that defines it. */
export interface ClassRef {
  definition: ClassIR;
  module: ModuleRecord;
}

export interface ModuleRecord {
  ir: ModuleIR;
  namespace: Map<string, Value>;
  state: 'new' | 'running' | 'done';
}

/** What the interpreter learned about each function it saw defined. */
export interface FunctionRecord {
  definition: FunctionIR;
  module: string;
  file: string;
  signatureDeps: Array<{ param: string; dep: DepRef; target?: Value }>;
  /** The resolved class of the return annotation, when it is a project class. */
  returnClass?: ClassRef;
  /** Registered as a route's endpoint (a handler is not itself an auth dependency). */
  isRouteHandler?: boolean;
}

export interface InterpretResult {
  apps: RouterObj[];
  routers: RouterObj[];
  functions: FunctionRecord[];
  /** Module-level names bound to `Annotated[..., Depends(f)]`. */
  aliases: Array<{ name: string; module: string; deps: DepRef[] }>;
  /** Module-level security scheme instances and fastapi-users dependencies by module and name. */
  schemes: Array<{ name: string; module: string; kind: SchemeKind; file: string; line: number }>;
  engines: Array<{
    variable: string;
    module: string;
    file: string;
    line: number;
    async: boolean;
    url?: Expr;
    urlValue?: Value;
  }>;
  sessionFactories: Array<{ variable: string; module: string; file: string; line: number }>;
  diagnostics: Diagnostic[];
}

export const unknown = (text: string): Value => ({ type: 'unknown', text });
export const str = (text: string): StrVal => ({ text, unresolved: [] });

export function concatStr(...parts: StrVal[]): StrVal {
  const fromEnv = parts.flatMap((p) => p.fromEnv ?? []);
  return {
    text: parts.map((p) => p.text).join(''),
    unresolved: parts.flatMap((p) => p.unresolved),
    ...(fromEnv.length > 0 ? { fromEnv } : {}),
  };
}

/** Where a name is looked up: a function call's locals, then the module's. */
export interface Scope {
  locals: Map<string, Value>;
  module: ModuleRecord;
  parent?: Scope;
  /** Set in a function call's scope (and the class bodies in it): the function's name. */
  functionName?: string;
  returned?: Value;
}

export type CallExpr = Extract<Expr, { kind: 'call' }>;
export type FunctionValue = Extract<Value, { type: 'function' }>;
export type RouteDecorator = Extract<Value, { type: 'route_decorator' }>;

/**
 * What the interpreter (interpret-modules.ts) offers the modules that apply FastAPI's router calls
 * (fastapi-router-operations.ts), record facts (record-facts.ts) and emulate builtins (python-builtins.ts).
 */
export interface Evaluator {
  readonly modules: ReadonlyMap<string, ModuleRecord>;
  evaluate(expr: Expr, scope: Scope): Value;
  /** Without calls, whose side effects would count twice (annotations, dependency targets): a call is unknown. */
  evaluateQuietly(expr: Expr, scope: Scope): Value;
  /** A path part: absent or None is ''; what is not a string is kept as an unresolved `<expr>`. */
  evaluateStr(expr: Expr | undefined, scope: Scope): StrVal;
  lookup(name: string, scope: Scope): Value;
  getAttribute(value: Value, name: string): Value;
  invoke(fn: FunctionValue, args: Value[], keywords: Record<string, Value>): Value;
  diagnose(file: string, line: number, message: string, severity?: Diagnostic['severity']): void;
}
