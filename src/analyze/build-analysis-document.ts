import { matchSuccessRoutes } from './match-success-routes.js';
import type {
  AnalysisResult,
  AuthDependencyFact,
  DatabaseFacts,
  FastapiFacts,
  SourceRef,
  SourceRootFact,
  UserModelFact,
} from './types.js';

/**
 * The JSON document of `skene analyze --json` (PRODUCT.md §2). It is a contract: fields are only added,
 * never renamed or removed without raising `schemaVersion`. Every field below is part of it.
 *
 * Built field by field from the analysis instead of serializing `AnalysisResult`, so facts kept for code
 * edits do not leak into the contract: the absolute `root`, the editing spans (`creation` of an app,
 * `registration` of a route, `constructEvent` of a webhook), a route's `localPath`, `dependencyDetails`
 * and `routerVariable` as an internal name. Paths are relative to DIR, POSIX style; lines are 1-based.
 */
export interface AnalysisDocument {
  schemaVersion: 1;
  /** Folders (relative to DIR, '' for DIR itself) from which absolute imports resolve. */
  sourceRoots: SourceRootFact[];
  apps: Array<
    SourceRef & {
      /** The variable the `FastAPI(...)` instance is bound to. */
      variable: string;
      module: string;
      /** The function that builds it (`create_app`), when it is built inside one. */
      factory?: string;
      /** Where it is mounted as a sub-app; empty for a top-level app. */
      mountedAt: Array<{ app: SourceRef; path: string }>;
    }
  >;
  /** One entry per served full path: a route served by several apps or under several prefixes repeats. */
  routes: Array<
    SourceRef & {
      method: string;
      path: string;
      function: string;
      /** The router (or app) variable it is registered on. */
      router: string;
      /** Dependency names as written: signature, decorator, router and include site. */
      dependencies: string[];
      /** The app that serves it. */
      app: SourceRef;
      /** Present (true) when part of the path could not be resolved statically; see diagnostics. */
      unresolved?: true;
    }
  >;
  stripe: {
    used: boolean;
    imports: SourceRef[];
    calls: Array<SourceRef & { api: string }>;
    webhooks: Array<SourceRef & { function: string; route?: { method: string; path: string }; events: string[] }>;
    prices: Array<SourceRef & { id: string; kind: string }>;
    /** `field`: the user attribute passed as `customer=` (`stripe_customer_id`). */
    checkoutUserLinks: Array<SourceRef & { kind: string; field?: string }>;
    /** Checkout success URL paths, with the GET route of the app that serves each when one does. */
    checkoutSuccessPaths: Array<
      SourceRef & { path: string; routes: Array<SourceRef & { method: string; path: string }> }
    >;
    apiKeyEnv: string[];
    webhookSecretEnv: string[];
  };
  auth: {
    primary: AuthDocument | null;
    candidates: AuthDocument[];
  };
  database: DatabaseFacts;
  /** The app's user model (docs/CUSTOMER-LINKS.md), null when none was found. */
  userModel: UserModelFact | null;
  /** The FastAPI version the project declares and the semantics the route table follows (PRODUCT.md §2). */
  fastapi: FastapiFacts;
  diagnostics: Array<SourceRef & { severity: string; message: string }>;
  stats: { files: number; parsedFiles: number; skippedFiles: number; bytes: number };
}

type AuthDocument = AuthDependencyFact;

const ref = (value: SourceRef): SourceRef => ({ file: value.file, line: value.line });

function authDocument(fact: AuthDependencyFact): AuthDocument {
  return {
    file: fact.file,
    line: fact.line,
    name: fact.name,
    module: fact.module,
    scheme: fact.scheme,
    returns: fact.returns,
    ...(fact.returnType !== undefined ? { returnType: fact.returnType } : {}),
    fields: [...fact.fields],
    isAsync: fact.isAsync,
    aliases: fact.aliases.map((a) => ({ name: a.name, module: a.module })),
    routeCount: fact.routeCount,
  };
}

function databaseDocument(db: DatabaseFacts): DatabaseFacts {
  return {
    kind: db.kind,
    async: db.async,
    ...(db.engine
      ? {
          engine: {
            ...ref(db.engine),
            variable: db.engine.variable,
            module: db.engine.module,
            ...(db.engine.urlSource ? { urlSource: { ...db.engine.urlSource } } : {}),
          },
        }
      : {}),
    ...(db.sessionFactory
      ? {
          sessionFactory: {
            ...ref(db.sessionFactory),
            variable: db.sessionFactory.variable,
            module: db.sessionFactory.module,
          },
        }
      : {}),
    ...(db.sessionDependency
      ? {
          sessionDependency: {
            ...ref(db.sessionDependency),
            name: db.sessionDependency.name,
            module: db.sessionDependency.module,
          },
        }
      : {}),
    ...(db.alembic
      ? { alembic: { dir: db.alembic.dir, versionsDir: db.alembic.versionsDir, envFile: db.alembic.envFile } }
      : {}),
  };
}

function userModelDocument(model: UserModelFact): UserModelFact {
  return {
    ...ref(model),
    class: model.class,
    module: model.module,
    ...(model.table !== undefined ? { table: model.table } : {}),
    idField: model.idField,
    ...(model.emailField !== undefined ? { emailField: model.emailField } : {}),
    ...(model.customerIdField !== undefined ? { customerIdField: model.customerIdField } : {}),
    planFields: model.planFields.map((f) => ({ name: f.name, kind: f.kind })),
    reason: model.reason,
  };
}

export function buildAnalysisDocument(result: AnalysisResult): AnalysisDocument {
  const { stripe } = result;
  const successRoutes = matchSuccessRoutes(result);
  return {
    schemaVersion: 1,
    sourceRoots: result.sourceRoots.map((r) => ({ path: r.path, packages: [...r.packages] })),
    apps: result.apps.map((app) => ({
      ...ref(app),
      variable: app.variable,
      module: app.module,
      ...(app.factory ? { factory: app.factory } : {}),
      mountedAt: app.mountedAt.map((m) => ({ app: ref(m.app), path: m.path })),
    })),
    routes: result.routes.map((route) => ({
      method: route.method,
      path: route.path,
      ...ref(route),
      function: route.function,
      router: route.routerVariable,
      dependencies: [...route.dependencies],
      app: ref(route.app),
      ...(route.unresolved ? { unresolved: true as const } : {}),
    })),
    stripe: {
      used: stripe.used,
      imports: stripe.imports.map(ref),
      calls: stripe.calls.map((c) => ({ ...ref(c), api: c.api })),
      webhooks: stripe.webhooks.map((w) => ({
        ...ref(w),
        function: w.function,
        ...(w.route ? { route: { method: w.route.method, path: w.route.path } } : {}),
        events: [...w.events],
      })),
      prices: stripe.prices.map((p) => ({ ...ref(p), id: p.id, kind: p.kind })),
      checkoutUserLinks: stripe.checkoutUserLinks.map((l) => ({
        ...ref(l),
        kind: l.kind,
        ...(l.field !== undefined ? { field: l.field } : {}),
      })),
      checkoutSuccessPaths: stripe.checkoutSuccessPaths.map((s) => ({
        ...ref(s),
        path: s.path,
        routes: successRoutes
          .filter((m) => m.checkout.file === s.file && m.checkout.line === s.line && m.path === s.path)
          .map((m) => ({ ...ref(m.route), method: m.route.method, path: m.route.path })),
      })),
      apiKeyEnv: [...stripe.apiKeyEnv],
      webhookSecretEnv: [...stripe.webhookSecretEnv],
    },
    auth: {
      primary: result.auth.primary ? authDocument(result.auth.primary) : null,
      candidates: result.auth.candidates.map(authDocument),
    },
    database: databaseDocument(result.database),
    userModel: result.userModel ? userModelDocument(result.userModel) : null,
    fastapi: {
      declared: result.fastapi.declared
        ? { spec: result.fastapi.declared.spec, file: result.fastapi.declared.file }
        : null,
      semantics: {
        includeKeepsRouter: result.fastapi.semantics.includeKeepsRouter,
        lifespanHonoured: result.fastapi.semantics.lifespanHonoured,
        routerLifespanMerged: result.fastapi.semantics.routerLifespanMerged,
        starletteAppShortcuts: result.fastapi.semantics.starletteAppShortcuts,
      },
      assumed: result.fastapi.assumed,
    },
    diagnostics: result.diagnostics.map((d) => ({ ...ref(d), severity: d.severity, message: d.message })),
    stats: {
      files: result.stats.files,
      parsedFiles: result.stats.parsedFiles,
      skippedFiles: result.stats.skippedFiles,
      bytes: result.stats.bytes,
    },
  };
}
