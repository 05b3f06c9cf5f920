/**
 * The analyzer's route table against FastAPI's own, for every fixture project with a fixture.json.
 *
 * For each fixture, test/helpers/dump_routes.py imports the app with the FastAPI of each Python lane
 * (test/helpers/python-lanes.ts) that the fixture's declared FastAPI version allows and whose routing
 * (lanesForAnalysis; analyzed again with that version's rules where they differ), runs its start-up and
 * prints the (method, path) pairs FastAPI serves; the analyzer runs on a temp copy of the same fixture. The
 * two sets must be equal on every such lane, except for routes listed in expected.json's
 * `analyzerOnlyRoutes` (routes of other apps in files that Python cannot import, which the analyzer must
 * still report). Every fixture is compared on at least one lane.
 *
 * expected.json (optional, per fixture) also pins the analyzer's other facts:
 *   apps               [{ file, variable?, factory?, mountedAt?: [path] }]   each must be found
 *   routeDetails       [{ method, path, function, file, dependencies?: [name] }]  dependencies: a subset
 *   diagnosticFiles    files that must be named in diagnostics
 *   absentFiles        path prefixes no app, route or diagnostic may come from
 *   stripe             { used, calls?, webhooks?, checkoutUserLinks?, prices?, apiKeyEnv?, webhookSecretEnv? }
 *   auth               { primary: name | null, module?, scheme?, returns?, fields?, aliases? }
 *   database           { kind, async?, engine?, sessionFactory?, sessionDependency?, alembic?: false | { dir } }
 *   sourceRoots        [{ path, packages }]  each must be found (packages: a subset)
 */

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { analyzeProject } from '../../src/analyze/analyze-project.js';
import type { AnalysisResult, RouteFact } from '../../src/analyze/types.js';
import { copyFixture, fixturesDir } from '../helpers/fixtures.js';
import { type PythonLane, runLanePython } from '../helpers/python-lanes.js';
import { lanesForAnalysis } from './helpers.js';

const dumpRoutesScript = join(dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'dump_routes.py');

interface RouteKey {
  method: string;
  path: string;
}

interface ExpectedRouteDetail extends RouteKey {
  function: string;
  file: string;
  dependencies?: string[];
}

interface Expected {
  apps?: Array<{ file: string; variable?: string; factory?: string; mountedAt?: string[] }>;
  analyzerOnlyRoutes?: Array<RouteKey & { file: string }>;
  routeDetails?: ExpectedRouteDetail[];
  diagnosticFiles?: string[];
  absentFiles?: string[];
  stripe?: {
    used: boolean;
    calls?: string[];
    webhooks?: Array<{ function: string; file: string; route?: RouteKey; events: string[]; eventVariable?: string }>;
    checkoutUserLinks?: string[];
    prices?: string[];
    apiKeyEnv?: string[];
    webhookSecretEnv?: string[];
  };
  auth?: {
    primary: string | null;
    module?: string;
    scheme?: string;
    returns?: string;
    fields?: string[];
    aliases?: string[];
  };
  database?: {
    kind: string;
    async?: boolean;
    engine?: { variable: string; module: string; urlMentions?: string };
    sessionFactory?: string;
    sessionDependency?: { name: string; module: string };
    alembic?: false | { dir: string };
  };
  sourceRoots?: Array<{ path: string; packages: string[] }>;
}

const keyOf = (route: RouteKey): string => `${route.method} ${route.path}`;

function listFixtures(): string[] {
  return readdirSync(fixturesDir(), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(fixturesDir(), entry.name, 'fixture.json')))
    .map((entry) => entry.name)
    .sort();
}

function readExpected(name: string): Expected {
  const file = join(fixturesDir(), name, 'expected.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Expected) : {};
}

async function dumpFastapiRoutes(lane: PythonLane, name: string): Promise<RouteKey[]> {
  return JSON.parse(await runLanePython(lane, [dumpRoutesScript, join(fixturesDir(), name)])) as RouteKey[];
}

function describeRoute(route: RouteFact): string {
  return `${keyOf(route)}  (${route.file}:${route.line} ${route.function})`;
}

/** Equal sets, or a message listing what each side has that the other lacks. */
function compareRouteSets(fastapi: Set<string>, analyzer: RouteFact[]): string | undefined {
  const analyzerKeys = new Set(analyzer.map(keyOf));
  const missing = [...fastapi].filter((key) => !analyzerKeys.has(key)).sort();
  const extra = analyzer.filter((route) => !fastapi.has(keyOf(route)));
  if (missing.length === 0 && extra.length === 0) return undefined;
  const lines: string[] = [];
  if (missing.length)
    lines.push(`served by FastAPI, missing from the analysis (${missing.length}):`, ...missing.map((k) => `  - ${k}`));
  if (extra.length)
    lines.push(
      `reported by the analyzer, not served (${extra.length}):`,
      ...extra.map((r) => `  + ${describeRoute(r)}`),
    );
  return lines.join('\n');
}

function findRoute(result: AnalysisResult, key: RouteKey, file: string): RouteFact | undefined {
  return result.routes.find((route) => route.method === key.method && route.path === key.path && route.file === file);
}

function checkApps(result: AnalysisResult, expected: Expected): void {
  for (const app of expected.apps ?? []) {
    const found = result.apps.filter((candidate) => candidate.file === app.file);
    const summary = result.apps.map((a) => `${a.file}:${a.line} ${a.variable}`).join(', ');
    assert.ok(found.length > 0, `no app found in ${app.file}; apps: [${summary}]`);
    if (app.variable)
      assert.ok(
        found.some((a) => a.variable === app.variable),
        `app in ${app.file} should be bound to ${app.variable}; apps: [${summary}]`,
      );
    if (app.factory)
      assert.ok(
        found.some((a) => a.factory === app.factory),
        `app in ${app.file} should be built by ${app.factory}()`,
      );
    for (const mountPath of app.mountedAt ?? []) {
      assert.ok(
        found.some((a) => a.mountedAt.some((mount) => mount.path === mountPath)),
        `app in ${app.file} should be mounted at ${mountPath}; mountedAt: ${JSON.stringify(found.map((a) => a.mountedAt))}`,
      );
    }
  }
}

function checkRouteDetails(result: AnalysisResult, expected: Expected): void {
  for (const detail of expected.routeDetails ?? []) {
    const route = findRoute(result, detail, detail.file);
    assert.ok(route, `route ${keyOf(detail)} in ${detail.file} not found`);
    assert.equal(route.function, detail.function, `handler of ${keyOf(detail)}`);
    assert.ok(route.line > 0, `line of ${keyOf(detail)}`);
    for (const dependency of detail.dependencies ?? []) {
      assert.ok(
        route.dependencies.some((name) => name === dependency || name.endsWith(`.${dependency}`)),
        `${keyOf(detail)} should depend on ${dependency}; dependencies: ${JSON.stringify(route.dependencies)}`,
      );
    }
  }
}

function checkFiles(result: AnalysisResult, expected: Expected): void {
  const diagnosticFiles = new Set(result.diagnostics.map((diagnostic) => diagnostic.file));
  for (const file of expected.diagnosticFiles ?? []) {
    assert.ok(
      diagnosticFiles.has(file),
      `diagnostics should name ${file}; they name: ${JSON.stringify([...diagnosticFiles])}`,
    );
  }
  for (const prefix of expected.absentFiles ?? []) {
    const offenders = [
      ...result.apps.map((app) => app.file),
      ...result.routes.map((route) => route.file),
      ...result.diagnostics.map((diagnostic) => diagnostic.file),
    ].filter((file) => file.startsWith(prefix));
    assert.deepEqual(offenders, [], `nothing may come from ${prefix}`);
  }
}

function checkStripe(result: AnalysisResult, expected: Expected): void {
  const want = expected.stripe;
  if (!want) return;
  const stripe = result.stripe;
  assert.equal(stripe.used, want.used, 'stripe.used');
  if (!want.used) {
    assert.deepEqual(stripe.webhooks, [], 'no Stripe webhook in a project without Stripe');
    return;
  }
  const apis = new Set(stripe.calls.map((call) => call.api));
  for (const api of want.calls ?? [])
    assert.ok(apis.has(api), `Stripe call ${api} not found; calls: ${JSON.stringify([...apis])}`);
  assert.equal(
    stripe.webhooks.length,
    want.webhooks?.length ?? stripe.webhooks.length,
    'number of Stripe webhook endpoints',
  );
  for (const webhook of want.webhooks ?? []) {
    const found = stripe.webhooks.find(
      (candidate) => candidate.function === webhook.function && candidate.file === webhook.file,
    );
    assert.ok(
      found,
      `webhook ${webhook.function} in ${webhook.file} not found; webhooks: ${JSON.stringify(stripe.webhooks)}`,
    );
    assert.deepEqual([...found.events].sort(), [...webhook.events].sort(), `events handled by ${webhook.function}`);
    if (webhook.route) assert.deepEqual(found.route, webhook.route, `route serving ${webhook.function}`);
    if (webhook.eventVariable)
      assert.equal(found.constructEvent?.eventVariable, webhook.eventVariable, 'construct_event result variable');
  }
  const links = new Set<string>(stripe.checkoutUserLinks.map((link) => link.kind));
  for (const kind of want.checkoutUserLinks ?? [])
    assert.ok(links.has(kind), `checkout user link ${kind} not found; links: ${JSON.stringify([...links])}`);
  const prices = new Set(stripe.prices.map((price) => price.id));
  for (const id of want.prices ?? [])
    assert.ok(prices.has(id), `price ${id} not found; prices: ${JSON.stringify([...prices])}`);
  for (const env of want.apiKeyEnv ?? [])
    assert.ok(stripe.apiKeyEnv.includes(env), `API key env ${env}; found ${JSON.stringify(stripe.apiKeyEnv)}`);
  for (const env of want.webhookSecretEnv ?? []) {
    assert.ok(
      stripe.webhookSecretEnv.includes(env),
      `webhook secret env ${env}; found ${JSON.stringify(stripe.webhookSecretEnv)}`,
    );
  }
}

function checkAuth(result: AnalysisResult, expected: Expected): void {
  const want = expected.auth;
  if (!want) return;
  const primary = result.auth.primary;
  if (want.primary === null) {
    assert.equal(primary, undefined, `no auth dependency expected; found ${primary?.name}`);
    return;
  }
  assert.ok(
    primary,
    `auth primary should be ${want.primary}; candidates: ${JSON.stringify(result.auth.candidates.map((c) => c.name))}`,
  );
  assert.equal(primary.name, want.primary, 'auth primary');
  if (want.module) assert.equal(primary.module, want.module, 'auth module');
  if (want.scheme) assert.equal(primary.scheme, want.scheme, 'auth scheme');
  if (want.returns) assert.equal(primary.returns, want.returns, 'what the auth dependency returns');
  for (const field of want.fields ?? [])
    assert.ok(primary.fields.includes(field), `auth fields should include ${field}; ${JSON.stringify(primary.fields)}`);
  for (const alias of want.aliases ?? []) {
    assert.ok(
      primary.aliases.some((a) => a.name === alias),
      `auth aliases should include ${alias}; ${JSON.stringify(primary.aliases)}`,
    );
  }
  assert.ok(primary.routeCount > 0, 'the primary auth dependency is used by routes');
}

function checkDatabase(result: AnalysisResult, expected: Expected): void {
  const want = expected.database;
  if (!want) return;
  const database = result.database;
  assert.equal(database.kind, want.kind, 'database kind');
  if (want.async !== undefined) assert.equal(database.async, want.async, 'database async');
  if (want.engine) {
    assert.ok(database.engine, 'database engine not found');
    assert.equal(database.engine.variable, want.engine.variable, 'engine variable');
    assert.equal(database.engine.module, want.engine.module, 'engine module');
    if (want.engine.urlMentions) {
      assert.ok(
        JSON.stringify(database.engine.urlSource ?? {}).includes(want.engine.urlMentions),
        `engine URL source should name ${want.engine.urlMentions}; found ${JSON.stringify(database.engine.urlSource)}`,
      );
    }
  }
  if (want.sessionFactory) assert.equal(database.sessionFactory?.variable, want.sessionFactory, 'session factory');
  if (want.sessionDependency) {
    assert.equal(database.sessionDependency?.name, want.sessionDependency.name, 'session dependency');
    assert.equal(database.sessionDependency?.module, want.sessionDependency.module, 'session dependency module');
  }
  if (want.alembic === false) assert.equal(database.alembic, undefined, 'no Alembic expected');
  else if (want.alembic) assert.equal(database.alembic?.dir, want.alembic.dir, 'Alembic folder');
}

function checkSourceRoots(result: AnalysisResult, expected: Expected): void {
  for (const root of expected.sourceRoots ?? []) {
    const found = result.sourceRoots.find((candidate) => candidate.path === root.path);
    assert.ok(found, `source root '${root.path}' not found; roots: ${JSON.stringify(result.sourceRoots)}`);
    for (const pkg of root.packages)
      assert.ok(found.packages.includes(pkg), `source root '${root.path}' should hold package ${pkg}`);
  }
}

const fixtures = listFixtures();

test('there are fixtures to compare', () => {
  assert.ok(fixtures.length >= 7, `expected at least 7 fixtures with a fixture.json, found ${fixtures.join(', ')}`);
});

for (const name of fixtures) {
  test(`${name}: the analyzer's routes equal FastAPI's`, async (t) => {
    const expected = readExpected(name);
    const copy = await copyFixture(name);
    t.after(() => rm(dirname(copy), { recursive: true, force: true }));
    const result = await analyzeProject(copy);

    const seen = new Set<string>();
    for (const route of result.routes) {
      const identity = `${keyOf(route)} ${route.file}:${route.line} ${route.app.file}:${route.app.line}`;
      assert.ok(!seen.has(identity), `route reported twice: ${identity}`);
      seen.add(identity);
    }
    for (const route of expected.analyzerOnlyRoutes ?? []) {
      assert.ok(findRoute(result, route, route.file), `${keyOf(route)} should come from ${route.file}`);
    }
    checkApps(result, expected);
    checkRouteDetails(result, expected);
    checkFiles(result, expected);
    checkStripe(result, expected);
    checkAuth(result, expected);
    checkDatabase(result, expected);
    checkSourceRoots(result, expected);

    const { compared, other } = await lanesForAnalysis(result);
    assert.ok(
      compared.length > 0,
      `${name}: no Python lane runs the FastAPI it declares (${JSON.stringify(result.fastapi.declared)}); lanes: ${other.map((l) => `${l.name} ${l.fastapiVersion}`).join(', ')}`,
    );
    for (const { lane, analysis } of compared) {
      const rules = analysis === result ? '' : ', analyzed with its rules';
      await t.test(`on ${lane.name} (FastAPI ${lane.fastapiVersion}${rules})`, async () => {
        const served = await dumpFastapiRoutes(lane, name);
        assert.ok(served.length > 0, `FastAPI serves no routes for ${name}`);
        const wanted = new Set(served.map(keyOf));
        for (const route of expected.analyzerOnlyRoutes ?? []) {
          assert.ok(!wanted.has(keyOf(route)), `${keyOf(route)} is listed as analyzer-only but FastAPI serves it`);
          wanted.add(keyOf(route));
        }
        const difference = compareRouteSets(wanted, analysis.routes);
        assert.equal(difference, undefined, `${name}: route tables differ on ${lane.name}\n${difference}`);
      });
    }
  });
}
