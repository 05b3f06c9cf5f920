/**
 * What `skene analyze` prints: the JSON document (the contract of PRODUCT.md §2) and the human table
 * with its summary line, both pure functions of the analysis.
 */

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';

import { buildAnalysisDocument } from '../../src/analyze/build-analysis-document.js';
import type { AnalysisResult } from '../../src/analyze/types.js';
import { createPalette } from '../../src/ui/palette.js';
import { renderAnalysis, renderDiagnostic, renderSummaryLine } from '../../src/ui/render-analysis.js';
import { analyzeSources, py } from './helpers.js';

function analyzeSaas(t: TestContext): Promise<AnalysisResult> {
  return analyzeSources(t, {
    'app/__init__.py': '',
    'app/db.py': py`
      from sqlalchemy import create_engine
      from sqlalchemy.orm import sessionmaker

      engine = create_engine("sqlite:///app.db")
      SessionLocal = sessionmaker(bind=engine)

      def get_db():
          db = SessionLocal()
          try:
              yield db
          finally:
              db.close()
    `,
    'app/deps.py': py`
      from fastapi import Depends
      from fastapi.security import OAuth2PasswordBearer

      oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/token")

      def get_current_user(token: str = Depends(oauth2_scheme)) -> dict:
          return {"id": 1, "email": "a@example.com"}
    `,
    'app/billing.py': py`
      import os
      import stripe
      from fastapi import APIRouter, Depends, Request
      from app.deps import get_current_user

      stripe.api_key = os.environ["STRIPE_SECRET_KEY"]
      router = APIRouter(prefix="/billing")

      @router.post("/checkout")
      def checkout(user=Depends(get_current_user)):
          return stripe.checkout.Session.create(mode="subscription", client_reference_id=str(user["id"]))

      @router.post("/portal")
      def portal(user=Depends(get_current_user)):
          return stripe.billing_portal.Session.create(customer="cus_1")

      @router.post("/webhook")
      async def webhook(request: Request):
          event = stripe.Webhook.construct_event(await request.body(), request.headers["stripe-signature"], os.environ["STRIPE_WEBHOOK_SECRET"])
          if event["type"] in ("checkout.session.completed", "customer.subscription.updated", "customer.subscription.deleted"):
              pass
          return {}
    `,
    'app/main.py': py`
      from fastapi import Depends, FastAPI
      from app import billing
      from app.db import get_db
      from app.deps import get_current_user
      from plugins import load_prefix

      app = FastAPI()
      app.include_router(billing.router, prefix="/api")
      app.include_router(billing.router, prefix=load_prefix())

      @app.get("/me")
      def me(user=Depends(get_current_user), db=Depends(get_db)):
          return user
    `,
  });
}

test('the summary line names the routes, Stripe uses, webhook events, auth dependency and database', async (t) => {
  const result = await analyzeSaas(t);
  assert.equal(
    renderSummaryLine(result),
    '7 routes in 2 files · Stripe: checkout, portal, webhook (3 events) · auth: get_current_user · database: SQLAlchemy',
  );
});

test('the human table groups routes by app and router, with every full path', async (t) => {
  const result = await analyzeSaas(t);
  const text = renderAnalysis(result, createPalette(false), '.');
  const lines = text.split('\n');
  assert.match(lines[0]!, /^app — FastAPI app in app\/main\.py:7$/);
  assert.equal(lines[1], '  app/billing.py · router');
  assert.match(lines[2]!, /^ {4}POST {2}\/api\/billing\/checkout +checkout +:10 {2}depends: get_current_user$/);
  const groupHeaders = lines.filter((l) => /^ {2}\S/.test(l));
  assert.deepEqual(groupHeaders, ['  app/billing.py · router', '  app/main.py · app']);
  assert.match(text, /<load_prefix\(\)>\/billing\/webhook +webhook +:18 +unresolved/);
  assert.match(text, /^Stripe +checkout app\/billing\.py:11, portal app\/billing\.py:15$/m);
  assert.match(text, /^Auth +get_current_user in app\.deps/m);
  assert.ok(text.endsWith(`${renderSummaryLine(result)}\n`));
});

test('paths are cyan when colour is on', async (t) => {
  const result = await analyzeSaas(t);
  const text = renderAnalysis(result, createPalette(true), '.');
  assert.ok(text.includes('\x1b[36m/api/billing/checkout'), 'path in cyan');
  assert.ok(!renderAnalysis(result, createPalette(false), '.').includes('\x1b['), 'no escapes without colour');
});

test('a diagnostic renders as file:line message', () => {
  assert.equal(
    renderDiagnostic({ file: 'app/main.py', line: 9, severity: 'warning', message: 'could not resolve `x`' }),
    'app/main.py:9 could not resolve `x`',
  );
});

test('the JSON document has the contract fields and none of the internal ones', async (t) => {
  const result = await analyzeSaas(t);
  const document = JSON.parse(JSON.stringify(buildAnalysisDocument(result))) as Record<string, unknown>;
  assert.deepEqual(Object.keys(document).sort(), [
    'apps',
    'auth',
    'database',
    'diagnostics',
    'fastapi',
    'routes',
    'schemaVersion',
    'sourceRoots',
    'stats',
    'stripe',
    'userModel',
  ]);
  assert.equal(document.schemaVersion, 1);
  assert.equal(document.userModel, null);

  const apps = document.apps as Array<Record<string, unknown>>;
  assert.deepEqual(apps, [{ file: 'app/main.py', line: 7, variable: 'app', module: 'app.main', mountedAt: [] }]);

  const routes = document.routes as Array<Record<string, unknown>>;
  assert.equal(routes.length, 7);
  assert.deepEqual(
    routes.find((r) => r.path === '/me'),
    {
      method: 'GET',
      path: '/me',
      file: 'app/main.py',
      line: 12,
      function: 'me',
      router: 'app',
      dependencies: ['get_current_user', 'get_db'],
      app: { file: 'app/main.py', line: 7 },
    },
  );
  const unresolved = routes.filter((r) => r.unresolved === true).map((r) => r.path);
  assert.deepEqual(unresolved.sort(), [
    '<load_prefix()>/billing/checkout',
    '<load_prefix()>/billing/portal',
    '<load_prefix()>/billing/webhook',
  ]);

  const stripe = document.stripe as { webhooks: Array<Record<string, unknown>> };
  assert.deepEqual(Object.keys(stripe.webhooks[0]!).sort(), ['events', 'file', 'function', 'line', 'route']);
  const auth = document.auth as { primary: { name: string } | null };
  assert.equal(auth.primary?.name, 'get_current_user');
  const diagnostics = document.diagnostics as Array<Record<string, unknown>>;
  assert.ok(
    diagnostics.some((d) => d.file === 'app/main.py' && d.line === 9 && /load_prefix\(\)/.test(String(d.message))),
  );
  for (const d of diagnostics) assert.deepEqual(Object.keys(d).sort(), ['file', 'line', 'message', 'severity']);

  const text = JSON.stringify(document);
  for (const internal of [
    '"root"',
    '"creation"',
    '"registration"',
    '"constructEvent"',
    '"localPath"',
    '"dependencyDetails"',
    '"routerVariable"',
    result.root,
  ]) {
    assert.ok(!text.includes(internal), `${internal} is not part of the document`);
  }
});

test('the user model, the customer column a checkout passes and the route its success URL lands on, in the table and the document', async (t) => {
  const result = await analyzeSources(t, {
    'models.py': py`
      from sqlalchemy import Boolean, Column, Integer, String
      from sqlalchemy.orm import declarative_base

      Base = declarative_base()

      class User(Base):
          __tablename__ = "users"
          id = Column(Integer, primary_key=True)
          email = Column(String, unique=True)
          stripe_customer_id = Column(String, index=True)
          is_pro = Column(Boolean, default=False)
    `,
    'main.py': py`
      import stripe
      from fastapi import Depends, FastAPI
      from models import User

      app = FastAPI()

      def get_current_user(token: str = "") -> User:
          ...

      @app.post("/checkout")
      def checkout(user: User = Depends(get_current_user)):
          return stripe.checkout.Session.create(
              customer=user.stripe_customer_id,
              success_url="https://example.com/billing/success/?session_id={CHECKOUT_SESSION_ID}",
          )

      @app.get("/billing/success")
      def success(session_id: str, user: User = Depends(get_current_user)):
          return {}

      @app.post("/billing/success")
      def not_a_redirect_target():
          return {}
    `,
  });
  const text = renderAnalysis(result, createPalette(false), '.');
  assert.match(text, /^ {10}checkout tied to the user by customer \(user\.stripe_customer_id\)$/m);
  assert.match(text, /^ {10}checkout success at \/billing\/success\/: GET \/billing\/success main\.py:18$/m);
  assert.match(
    text,
    /^Users {5}User in models models\.py:6, table users: id id, email email, Stripe customer stripe_customer_id, plan is_pro \(boolean\)$/m,
  );
  const document = JSON.parse(JSON.stringify(buildAnalysisDocument(result))) as {
    stripe: { checkoutUserLinks: unknown[]; checkoutSuccessPaths: unknown[] };
    userModel: unknown;
  };
  assert.deepEqual(document.stripe.checkoutUserLinks, [
    { file: 'main.py', line: 13, kind: 'customer', field: 'stripe_customer_id' },
  ]);
  assert.deepEqual(document.stripe.checkoutSuccessPaths, [
    {
      file: 'main.py',
      line: 14,
      path: '/billing/success/',
      routes: [{ file: 'main.py', line: 18, method: 'GET', path: '/billing/success' }],
    },
  ]);
  assert.deepEqual(document.userModel, {
    file: 'models.py',
    line: 6,
    class: 'User',
    module: 'models',
    table: 'users',
    idField: 'id',
    emailField: 'email',
    customerIdField: 'stripe_customer_id',
    planFields: [{ name: 'is_pro', kind: 'boolean' }],
    reason: 'auth-return-type',
  });
});

test('the summary line without Stripe, auth or database', async (t) => {
  const result = await analyzeSources(t, {
    'main.py': py`
      from fastapi import FastAPI
      app = FastAPI()

      @app.get("/")
      def index():
          return {}
    `,
  });
  assert.equal(renderSummaryLine(result), '1 route in 1 file · Stripe: not used · auth: none found · database: none');
});

test('a mounted sub-app is listed after the app it is mounted in, with its mount path', async (t) => {
  const result = await analyzeSources(t, {
    'admin.py': py`
      from fastapi import FastAPI
      admin = FastAPI()

      @admin.get("/stats")
      def stats():
          return {}
    `,
    'main.py': py`
      from fastapi import FastAPI
      from admin import admin

      app = FastAPI()
      app.mount("/admin", admin)
    `,
  });
  const text = renderAnalysis(result, createPalette(false), '.');
  const headers = text.split('\n').filter((l) => /FastAPI app in/.test(l));
  assert.deepEqual(headers, [
    'app — FastAPI app in main.py:4',
    'admin — FastAPI app in admin.py:2, mounted at /admin by main.py:4',
  ]);
  assert.match(text, /GET +\/admin\/stats +stats/);
});
