/**
 * The facts the analyzer extracts from a FastAPI project. Everything downstream (init, doctor,
 * generate) reads only these types. Paths are relative to the analyzed DIR, POSIX style; lines are 1-based.
 */

export interface SourceRef {
  file: string;
  line: number;
}

/** A span in a file, for code edits: 1-based line, 0-based column (in UTF-16 code units of the line). */
export interface SourceSpan extends SourceRef {
  column: number;
  endLine: number;
  endColumn: number;
}

export interface Diagnostic extends SourceRef {
  message: string;
  severity: 'error' | 'warning' | 'info';
}

export interface AppFact extends SourceRef {
  /** The variable the FastAPI(...) instance is bound to (`app`), or the factory's local name. */
  variable: string;
  /** Dotted module of the file (`app.main`), from the detected source root. */
  module: string;
  /** When built inside a function such as `def create_app()`. */
  factory?: string;
  /** Where this app is mounted as a sub-app: the parent app and the mount path. */
  mountedAt: Array<{ app: SourceRef; path: string }>;
  /** The span of the statement that creates the app, for inserting one line after it. */
  creation: SourceSpan;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS' | 'HEAD' | 'TRACE';

export interface RouteDependency {
  /** The callable's name as written (`get_current_user`, `deps.get_db`), or the Annotated alias (`CurrentUser`). */
  name: string;
  /** Where it was declared: handler signature, decorator `dependencies=`, router, or include site. */
  source: 'signature' | 'decorator' | 'router' | 'include';
  /** `Security(...)` rather than `Depends(...)`. */
  security?: boolean;
  scopes?: string[];
  /** The function it resolves to (through an alias too), when found in the project. */
  callable?: { name: string; module: string };
}

export interface RouteFact extends SourceRef {
  /** `WEBSOCKET` for `@x.websocket` routes. */
  method: HttpMethod | 'WEBSOCKET';
  /** Full path as FastAPI serves it, every prefix and mount applied. */
  path: string;
  /** Handler function name. */
  function: string;
  /** Dependency names, flattened (kept for the JSON document). */
  dependencies: string[];
  /** The same dependencies with where they come from. */
  dependencyDetails: RouteDependency[];
  /** The app that serves it. */
  app: SourceRef;
  /** The path as written at the registration site (no prefixes). */
  localPath: string;
  /** The router variable the route is registered on, e.g. `router`. */
  routerVariable: string;
  /** How the route was registered; `decorator` routes are editable in place. */
  registration: {
    kind: 'decorator' | 'call' | 'add_api_route';
    /** The registration call: `router.post("/x", ...)` (without the `@`). */
    span: SourceSpan;
    /** True when the call already passes `dependencies=`. */
    hasDependenciesArgument: boolean;
  };
  /** Prefix parts that could not be resolved statically; a diagnostic is emitted too. */
  unresolved?: boolean;
}

export interface StripeCallFact extends SourceRef {
  /** `stripe.checkout.Session.create`, `client.subscriptions.list`, ... */
  api: string;
}

export interface StripeWebhookFact extends SourceRef {
  /** The handler function containing construct_event / signature use. */
  function: string;
  /** The route that serves this handler, when it is one. */
  route?: { method: string; path: string };
  /** Event types compared against in the handler (`checkout.session.completed`, ...). */
  events: string[];
  /** The `stripe.Webhook.construct_event(...)` statement, for inserting a call after it. */
  constructEvent?: SourceSpan & { eventVariable: string };
}

export interface StripeFacts {
  used: boolean;
  imports: SourceRef[];
  calls: StripeCallFact[];
  webhooks: StripeWebhookFact[];
  prices: Array<SourceRef & { id: string; kind: 'price' | 'product' | 'lookup_key' }>;
  /**
   * How a checkout is tied to a user (docs/CUSTOMER-LINKS.md). `customer` with `field`: the checkout passes
   * the app's own customer-id column (`customer=current_user.stripe_customer_id` gives `stripe_customer_id`).
   */
  checkoutUserLinks: Array<SourceRef & { kind: CheckoutUserLinkKind; field?: string }>;
  /**
   * The paths of checkout `success_url=` arguments (`/billing/success`, query dropped), when they are
   * literal or f-strings with a literal path: the route that serves one is where `refresh_customer` goes.
   */
  checkoutSuccessPaths: Array<SourceRef & { path: string }>;
  /** Env var names the API key is read from (`STRIPE_SECRET_KEY`). */
  apiKeyEnv: string[];
  webhookSecretEnv: string[];
}

export type CheckoutUserLinkKind =
  | 'client_reference_id'
  | 'metadata.user_id'
  | 'metadata.email'
  | 'customer_email'
  | 'customer';

/**
 * The app's user model (SQLAlchemy / SQLModel declarative class), read-only for skene: the runtime looks a
 * Stripe customer's user up in its table by the customer-id or email column (docs/CUSTOMER-LINKS.md).
 * Field names are the model's attribute names, not necessarily the columns' names.
 */
export interface UserModelFact extends SourceRef {
  /** The class name (`User`) and the dotted module to import it from (`app.models.user`). */
  class: string;
  module: string;
  /** `__tablename__` when it is a literal. */
  table?: string;
  /** The primary key attribute: what the gate's user key is (`id`). */
  idField: string;
  /** The email attribute (`email`). */
  emailField?: string;
  /** The app's own Stripe customer id attribute (`stripe_customer_id`). */
  customerIdField?: string;
  /**
   * Attributes holding the app's own subscription state: `boolean` (`is_pro`, `is_premium`), `status`
   * (`subscription_status`: Stripe's statuses) or `plan` (`plan`, `tier`: plan names).
   */
  planFields: Array<{ name: string; kind: 'boolean' | 'status' | 'plan' }>;
  /** Why this class: the auth dependency's return type, or the name and columns. */
  reason: 'auth-return-type' | 'name-and-columns';
}

export interface AuthDependencyFact extends SourceRef {
  /** Function name, e.g. `get_current_user`. */
  name: string;
  /** Dotted module to import it from, e.g. `app.api.deps`. */
  module: string;
  scheme: 'oauth2' | 'api_key' | 'http_bearer' | 'http_basic' | 'fastapi_users' | 'unknown';
  /**
   * What it returns: a model object with attributes, a dict, or unknown; `request-state` for a dependency that
   * sets `request.state.user` (what it returns is not the user).
   */
  returns: 'object' | 'dict' | 'unknown' | 'request-state';
  /** The return annotation or model name when known (`User`). */
  returnType?: string;
  /** Attribute/key names seen on the returned value or its model (`id`, `email`). */
  fields: string[];
  isAsync: boolean;
  /** `Annotated[User, Depends(get_current_user)]` aliases of it, e.g. `CurrentUser` in `app.api.deps`. */
  aliases: Array<{ name: string; module: string }>;
  /** Number of routes depending on it (directly, via an alias, or through a dependency built on it). */
  routeCount: number;
  /**
   * It rejects users without a paid plan (a "require subscription" guard: 402, or 403 over the plan): never the
   * dependency the gates use, or free users would never reach the gate.
   */
  rejectsFreeUsers?: boolean;
  /** The candidates it is built on (`get_current_active_user` → `get_current_user`), by name. */
  buildsOn?: string[];
}

export interface AuthFacts {
  /** The dependency most routes use to get the current user; undefined when none found. */
  primary?: AuthDependencyFact;
  candidates: AuthDependencyFact[];
}

export interface DatabaseFacts {
  kind: 'sqlalchemy' | 'sqlmodel' | 'none';
  async: boolean;
  engine?: SourceRef & {
    /** The importable name: the engine itself, the class that holds it (`access: 'attribute'`), or its getter. */
    variable: string;
    module: string;
    /** How the engine is reached from `variable`: `Database.engine`, or `get_engine()` (a cached getter). */
    access?: { kind: 'attribute'; attribute: string } | { kind: 'call' };
    urlSource?: { env?: string; setting?: string; literal?: string };
  };
  sessionFactory?: SourceRef & { variable: string; module: string };
  /** The request-scoped session dependency (`get_db`, `get_session`). */
  sessionDependency?: SourceRef & { name: string; module: string };
  alembic?: { dir: string; versionsDir: string; envFile: string };
}

export interface SourceRootFact {
  /** Folder relative to DIR ('' for DIR itself) from which absolute imports resolve. */
  path: string;
  /** Top-level packages under it. */
  packages: string[];
}

/** The FastAPI rules that changed between versions and that the route table depends on (PRODUCT.md §2). */
export interface FastapiSemantics {
  /** >= 0.137: `include_router` keeps the router: later registrations are served, `router.mount(...)` is kept. */
  includeKeepsRouter: boolean;
  /** >= 0.93: `FastAPI(lifespan=...)` runs; before, it is ignored. */
  lifespanHonoured: boolean;
  /** >= 0.112.2: an included router's own `APIRouter(lifespan=...)` runs with the app's (before, it never ran). */
  routerLifespanMerged: boolean;
  /**
   * Starlette before 1.0 (FastAPI before 0.133, or a lock that says so): the app has Starlette's `route`,
   * `add_websocket_route` and `add_event_handler`; on Starlette 1.x they are gone and calling one on the app
   * raises AttributeError at import (routers keep them).
   */
  starletteAppShortcuts: boolean;
}

export interface FastapiFacts {
  /** The requirement nearest the app: its version spec ('' for a bare name) and the file it is in. */
  declared: { spec: string; file: string } | null;
  /** The semantics of the newest version the declaration allows. */
  semantics: FastapiSemantics;
  /** True without a declaration or with only a lower bound: the newest FastAPI's semantics are assumed. */
  assumed: boolean;
}

export interface AnalysisResult {
  /** Absolute path of the analyzed folder (not in the JSON document). */
  root: string;
  sourceRoots: SourceRootFact[];
  apps: AppFact[];
  routes: RouteFact[];
  stripe: StripeFacts;
  auth: AuthFacts;
  database: DatabaseFacts;
  /** The app's user model, when one was found. */
  userModel?: UserModelFact;
  fastapi: FastapiFacts;
  diagnostics: Diagnostic[];
  stats: { files: number; bytes: number; parsedFiles: number; skippedFiles: number };
}

export interface AnalyzeOptions {
  /** Called with (done, total) while files are parsed; the CLI turns it into a progress line. */
  onProgress?: (done: number, total: number) => void;
  /** Analyze as if this FastAPI version were installed (its semantics win over the declared version's). */
  fastapiVersion?: string;
}
