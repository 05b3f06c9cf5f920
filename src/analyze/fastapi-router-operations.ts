import { exprText } from './extract-module-ir.js';
import { HTTP_METHOD_SET, ROUTER_METHOD_SET } from './fastapi-router-api.js';
import { APP_URL_DEFAULTS, isFastapiName, startupHooksOf, withHead } from './fastapi-semantics.js';
import type {
  CallExpr,
  Evaluator,
  FunctionValue,
  ModuleRecord,
  RouteDecorator,
  RouteEntry,
  RouterObj,
  Scope,
  StartupHook,
  Value,
} from './interpreter-values.js';
import { concatStr, str, unknown } from './interpreter-values.js';
import { iterate } from './python-builtins.js';
import type { ClassIR, Expr, FunctionIR, Span } from './python-ir.js';
import type { FactRecorder } from './record-facts.js';
import type { FastapiSemantics } from './types.js';

/**
 * What FastAPI's and Starlette's calls do to an app or a router value, as they run at import time:
 * `FastAPI(...)` / `APIRouter(...)` create one, `.get`/`.api_route`/`.route`/`.websocket` return a route
 * decorator, `.add_api_route`/`.add_route` register, `.include_router` links (applied when the table is
 * read, collect-served-routes.ts), `.mount` keeps the sub-app, `.on_event`/`.add_event_handler`/`lifespan=`
 * add start-up hooks, run after every module is imported (`runStartup`).
 */
export class RouterOperations {
  readonly apps: RouterObj[] = [];
  readonly routers: RouterObj[] = [];
  /** Orders registrations, includes and mounts, for FastAPI versions whose include copies what it sees. */
  private clock = 0;

  constructor(
    private readonly evaluator: Evaluator,
    private readonly facts: FactRecorder,
  ) {}

  createRouter(isApp: boolean, call: CallExpr, scope: Scope): RouterObj {
    const file = scope.module.ir.file;
    const router: RouterObj = {
      isApp,
      file,
      line: call.span.line,
      variable: '',
      module: scope.module.ir.module,
      factory: scope.functionName,
      creation: { file, ...call.span },
      prefix: isApp ? str('') : this.evaluator.evaluateStr(call.keywords.prefix, scope),
      deps: this.facts.dependencyList(call.keywords.dependencies, scope),
      routes: [],
      mounts: [],
      includes: [],
      includedAt: [],
      startup: [],
      attributes: new Map(),
    };
    if (isApp) {
      for (const [name, fallback] of Object.entries(APP_URL_DEFAULTS)) {
        const given = call.keywords[name];
        router.attributes.set(
          name,
          given ? this.evaluator.evaluate(given, scope) : { type: 'str', value: str(fallback) },
        );
      }
    } else {
      router.attributes.set('prefix', { type: 'str', value: router.prefix });
    }
    (isApp ? this.apps : this.routers).push(router);
    const at = { file, line: call.span.line };
    if (call.keywords.lifespan)
      router.startup.push({ kind: 'lifespan', handler: this.evaluator.evaluate(call.keywords.lifespan, scope), at });
    if (call.keywords.on_startup) {
      const handlers = this.evaluator.evaluate(call.keywords.on_startup, scope);
      for (const handler of iterate(handlers) ?? []) router.startup.push({ kind: 'startup', handler, at });
    }
    return router;
  }

  /** `class VersionedRouter(APIRouter)`: a project class that is (transitively) FastAPI's own. */
  fastapiBaseOf(cls: ClassIR, mod: ModuleRecord, seen = new Set<ClassIR>()): 'FastAPI' | 'APIRouter' | undefined {
    if (seen.has(cls)) return undefined;
    seen.add(cls);
    for (const baseExpr of cls.bases) {
      const base = this.evaluator.evaluateQuietly(baseExpr, { locals: new Map(), module: mod });
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

  /** The statement `app = FastAPI(...)` names the app and gives the span to insert after. */
  nameRouter(name: string, value: Value, file: string, span: Span): void {
    if (value.type === 'router' && value.router.variable === '' && value.router.file === file) {
      value.router.variable = name;
      value.router.creation = { file, ...span };
    }
  }

  /**
   * `if DEBUG: app = FastAPI(debug=True) else: app = FastAPI()`: every branch runs here, so the second app
   * replaces the first before anything was registered on it. Python runs one branch: it is one app.
   */
  replaceUnusedApp(previous: RouterObj, next: RouterObj): void {
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

  /** `router.name(...)`. Only the calls fastapi-router-api.ts lists are interpreted: the extractor converts bodies by that list. */
  callRouterMethod(router: RouterObj, name: string, call: CallExpr, scope: Scope): Value {
    if (!ROUTER_METHOD_SET.has(name)) return unknown(call.text);
    const evaluate = (expr: Expr): Value => this.evaluator.evaluate(expr, scope);
    // `app.route(...)` is Starlette's shortcut on the app; `app.router.route(...)` is the router's own method.
    const onAppItself =
      router.isApp &&
      !(
        call.function.kind === 'attribute' &&
        call.function.obj.kind === 'attribute' &&
        call.function.obj.name === 'router'
      );
    const lower = name.toLowerCase();
    const pathExpr = call.args[0] ?? call.keywords.path;
    const decorator = (methods: string[]): RouteDecorator => ({
      type: 'route_decorator',
      router,
      methods,
      path: pathExpr,
      keywords: call.keywords,
      span: call.span,
      scope,
    });
    if (HTTP_METHOD_SET.has(lower) && name === lower) return decorator([name.toUpperCase()]);
    if (name === 'api_route') return decorator(this.methodsArg(call.keywords.methods, scope));
    // Starlette's own routes (not APIRoute) answer HEAD wherever they answer GET.
    if (name === 'route') {
      const registered = decorator(withHead(this.methodsArg(call.keywords.methods, scope)));
      return onAppItself ? { ...registered, starletteShortcut: 'route' } : registered;
    }
    if (name === 'add_route') {
      const endpoint = call.args[1]
        ? evaluate(call.args[1])
        : call.keywords.route
          ? evaluate(call.keywords.route)
          : unknown('');
      const methods = withHead(this.methodsArg(call.args[2] ?? call.keywords.methods, scope));
      this.registerRoute(decorator(methods), endpoint, 'add_api_route', scope);
      return { type: 'none' };
    }
    if (name === 'websocket' || name === 'websocket_route') return decorator(['WEBSOCKET']);
    if (name === 'add_api_route' || name === 'add_api_websocket_route' || name === 'add_websocket_route') {
      const endpoint = call.args[1]
        ? evaluate(call.args[1])
        : call.keywords.endpoint
          ? evaluate(call.keywords.endpoint)
          : unknown('');
      const methods = name === 'add_api_route' ? this.methodsArg(call.keywords.methods, scope) : ['WEBSOCKET'];
      const shortcut = onAppItself && name === 'add_websocket_route' ? { starletteShortcut: name } : {};
      this.registerRoute({ ...decorator(methods), ...shortcut }, endpoint, 'add_api_route', scope);
      return { type: 'none' };
    }
    if (name === 'on_event' || name === 'add_event_handler') {
      const event = call.args[0] ?? call.keywords.event_type;
      const eventValue = event ? evaluate(event) : undefined;
      if (eventValue?.type !== 'str' || eventValue.value.text !== 'startup') return { type: 'none' };
      if (name === 'on_event') return { type: 'startup_decorator', router };
      const handlerExpr = call.args[1] ?? call.keywords.func;
      if (handlerExpr)
        router.startup.push({
          kind: 'startup',
          handler: evaluate(handlerExpr),
          at: { file: scope.module.ir.file, line: call.span.line },
          ...(onAppItself && name === 'add_event_handler' ? { starletteShortcut: name } : {}),
        });
      return { type: 'none' };
    }
    if (name === 'include_router') {
      const childExpr = call.args[0] ?? call.keywords.router;
      const child = childExpr ? evaluate(childExpr) : unknown('');
      this.includeRouter(router, child, call, scope);
      return { type: 'none' };
    }
    if (name === 'mount') {
      const appExpr = call.args[1] ?? call.keywords.app;
      const sub = appExpr ? evaluate(appExpr) : unknown('');
      if (sub.type === 'router' && sub.router.isApp) {
        router.mounts.push({
          path: this.evaluator.evaluateStr(call.args[0] ?? call.keywords.path, scope),
          app: sub.router,
          at: { file: scope.module.ir.file, line: call.span.line },
          seq: this.clock++,
        });
      } else if (sub.type === 'router') {
        this.evaluator.diagnose(
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

  /** `methods=["GET", "POST"]`: fully known strings, upper-cased; anything else is GET, with a warning. */
  private methodsArg(expr: Expr | undefined, scope: Scope): string[] {
    // FastAPI's api_route and add_api_route default to GET.
    if (!expr) return ['GET'];
    const value = this.evaluator.evaluate(expr, scope);
    if (value.type === 'sequence') {
      const methods = value.items.flatMap((i) =>
        i.type === 'str' && i.value.unresolved.length === 0 ? [i.value.text.toUpperCase()] : [],
      );
      if (methods.length === value.items.length) return [...new Set(methods)];
    }
    this.evaluator.diagnose(
      scope.module.ir.file,
      expr.kind === 'call' ? expr.span.line : expr.line,
      `could not resolve the methods ${exprText(expr)}; assuming GET`,
    );
    return ['GET'];
  }

  /** A route decorator applied to `target` (or `add_api_route(path, target)`): one route per method. */
  registerRoute(
    decorator: RouteDecorator,
    target: Value,
    kind: RouteEntry['registration']['kind'],
    scope: Scope,
  ): void {
    const { router } = decorator;
    const file = scope.module.ir.file;
    const functionName =
      target.type === 'function' ? target.definition.name : target.type === 'unknown' ? target.text : '<unknown>';
    const localPath = this.evaluator.evaluateStr(decorator.path, decorator.scope);
    const record = target.type === 'function' ? this.facts.functions.get(target.definition) : undefined;
    if (record) record.isRouteHandler = true;
    const decoratorDeps = this.facts.dependencyList(decorator.keywords.dependencies, decorator.scope);
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

  /** `@app.on_event("startup")` applied to a function, or called with one. */
  addStartupHandler(router: RouterObj, handler: Value, file: string, line: number): void {
    router.startup.push({ kind: 'startup', handler, at: { file, line } });
  }

  private includeRouter(parent: RouterObj, child: Value, call: CallExpr, scope: Scope): void {
    const file = scope.module.ir.file;
    if (child.type !== 'router') {
      this.evaluator.diagnose(
        file,
        call.span.line,
        `could not resolve the router in ${call.text.split('\n')[0]}; its routes are not listed`,
      );
      return;
    }
    const at = { file, line: call.span.line };
    child.router.includedAt.push(at);
    parent.includes.push({
      router: child.router,
      prefix: this.evaluator.evaluateStr(call.keywords.prefix, scope),
      deps: this.facts.dependencyList(call.keywords.dependencies, scope),
      at,
      seq: this.clock++,
    });
  }

  /** `@router.get("/x")` on a `router` the analysis could not follow: say so instead of dropping it silently. */
  noteUnresolvedRouteDecorator(expr: Expr, value: Value, fn: FunctionIR, scope: Scope): void {
    if (value.type !== 'unknown' || expr.kind !== 'call' || expr.function.kind !== 'attribute') return;
    const method = expr.function.name;
    if (!HTTP_METHOD_SET.has(method) && method !== 'api_route' && method !== 'websocket') return;
    const path = expr.args[0] ?? expr.keywords.path;
    if (path?.kind !== 'string' && path?.kind !== 'fstring') return;
    if (path.kind === 'string' && !path.value.startsWith('/') && path.value !== '') return;
    const receiver = this.evaluator.evaluateQuietly(expr.function.obj, scope);
    // Objects from other libraries (`@app.get` of Flask) are theirs; only unknown project values count.
    if (receiver.type !== 'unknown') return;
    this.evaluator.diagnose(
      scope.module.ir.file,
      expr.span.line,
      `could not resolve \`${exprText(expr.function.obj)}\` in @${exprText(expr.function.obj)}.${method}(...) on ${fn.name}; this route is not listed`,
    );
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
        const handler = this.startupHandlerToRun(app, hook, semantics);
        if (handler)
          this.evaluator.invoke(handler, hook.kind === 'lifespan' ? [{ type: 'router', router: app }] : [], {});
      }
    }
  }

  /** The function a hook runs under the declared FastAPI, or undefined with a diagnostic saying why not. */
  private startupHandlerToRun(
    app: RouterObj,
    hook: StartupHook,
    semantics: FastapiSemantics,
  ): FunctionValue | undefined {
    const { file, line } = hook.at;
    if (hook.starletteShortcut && !semantics.starletteAppShortcuts) {
      this.evaluator.diagnose(
        file,
        line,
        `${app.variable || 'app'}.${hook.starletteShortcut}(...) does not exist on Starlette 1.x (what FastAPI 0.133 and later install): importing this module raises AttributeError and the app does not start`,
        'error',
      );
      return undefined;
    }
    if (hook.kind === 'lifespan' && !app.startup.includes(hook) && !semantics.routerLifespanMerged) {
      this.evaluator.diagnose(
        file,
        line,
        "an included router's APIRouter(lifespan=...) is not run by the declared FastAPI (before 0.112.2); routes it registers are not listed",
        'info',
      );
      return undefined;
    }
    if (hook.kind === 'lifespan' && !semantics.lifespanHonoured) {
      this.evaluator.diagnose(
        file,
        line,
        'FastAPI(lifespan=...) is ignored by the declared FastAPI (before 0.93); routes it registers are not listed',
        'info',
      );
      return undefined;
    }
    if (hook.handler.type !== 'function') {
      this.evaluator.diagnose(
        file,
        line,
        `could not resolve the ${hook.kind === 'lifespan' ? 'lifespan' : 'start-up handler'}; routes it registers are not listed`,
        'info',
      );
      return undefined;
    }
    return hook.handler;
  }
}
