/**
 * Stripe facts from inline code: API calls (module API and StripeClient), the webhook endpoint and the
 * event types it handles, how a checkout is tied to a user, price IDs and where the keys come from.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { analyzeSources, py } from './helpers.js';

test('module-level Stripe API calls, prices and env var names of the keys', async (t) => {
  const result = await analyzeSources(t, {
    'billing.py': py`
      import os
      import stripe
      from fastapi import APIRouter

      stripe.api_key = os.environ["STRIPE_SECRET_KEY"]
      PRO_PRICE = "price_1PqProMonthly"
      router = APIRouter()

      @router.post("/checkout")
      def checkout(user_id: int, email: str):
          session = stripe.checkout.Session.create(
              mode="subscription",
              line_items=[{"price": PRO_PRICE, "quantity": 1}],
              client_reference_id=str(user_id),
              metadata={"user_id": str(user_id)},
              customer_email=email,
          )
          return {"url": session.url}

      @router.post("/portal")
      def portal(customer: str):
          return stripe.billing_portal.Session.create(customer=customer, return_url="https://example.com")

      def cancel(subscription_id: str):
          stripe.Subscription.modify(subscription_id, cancel_at_period_end=True)
          return stripe.Customer.retrieve("cus_123")
    `,
  });
  const { stripe } = result;
  assert.equal(stripe.used, true);
  assert.deepEqual(stripe.imports, [{ file: 'billing.py', line: 2 }]);
  assert.deepEqual(
    stripe.calls.map((c) => `${c.line} ${c.api}`),
    [
      '11 stripe.checkout.Session.create',
      '22 stripe.billing_portal.Session.create',
      '25 stripe.Subscription.modify',
      '26 stripe.Customer.retrieve',
    ],
  );
  assert.deepEqual(
    stripe.prices.map((p) => `${p.id} ${p.kind}`),
    ['price_1PqProMonthly price'],
  );
  assert.deepEqual(
    stripe.checkoutUserLinks.map((l) => `${l.line} ${l.kind}`),
    ['14 client_reference_id', '15 metadata.user_id', '16 customer_email'],
  );
  assert.deepEqual(stripe.apiKeyEnv, ['STRIPE_SECRET_KEY']);
  assert.deepEqual(stripe.webhooks, [], 'no webhook without construct_event or a signature header');
});

test('StripeClient: the client constructor and its calls, the key from os.getenv', async (t) => {
  const result = await analyzeSources(t, {
    'payments.py': py`
      import os
      from stripe import StripeClient

      client = StripeClient(os.getenv("STRIPE_API_KEY"))

      def start_checkout(user):
          return client.checkout.sessions.create(params={"mode": "subscription", "client_reference_id": user.id})

      def subscriptions(customer):
          return client.v1.subscriptions.list(params={"customer": customer})
    `,
  });
  const apis = result.stripe.calls.map((c) => c.api);
  assert.ok(apis.includes('StripeClient'), JSON.stringify(apis));
  assert.ok(apis.includes('client.checkout.sessions.create'), JSON.stringify(apis));
  assert.ok(apis.includes('client.v1.subscriptions.list'), JSON.stringify(apis));
  assert.deepEqual(result.stripe.apiKeyEnv, ['STRIPE_API_KEY']);
  assert.deepEqual(result.stripe.imports, [{ file: 'payments.py', line: 2 }]);
});

test('webhook: construct_event, its route, events from ==, in (...), match/case with | patterns', async (t) => {
  const result = await analyzeSources(t, {
    'main.py': py`
      import os
      import stripe
      from fastapi import FastAPI, Header, Request

      app = FastAPI()
      WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")

      @app.post("/webhooks/stripe")
      async def stripe_webhook(request: Request, stripe_signature: str = Header(None)):
          payload = await request.body()
          event = stripe.Webhook.construct_event(payload, stripe_signature, WEBHOOK_SECRET)
          if event["type"] == "checkout.session.completed":
              pass
          elif event.type in ("customer.subscription.updated", "customer.subscription.deleted"):
              pass
          match event["type"]:
              case "invoice.paid":
                  pass
              case "invoice.payment_failed" | "invoice.finalized":
                  pass
              case _:
                  pass
          return {"received": True}

      @app.get("/status")
      def status():
          if os.environ.get("MODE") == "not.an.event.handler":
              return {}
          return {}
    `,
  });
  const [hook, ...others] = result.stripe.webhooks;
  assert.equal(others.length, 0);
  assert.ok(hook);
  assert.equal(hook.function, 'stripe_webhook');
  assert.equal(hook.line, 9);
  assert.deepEqual(hook.route, { method: 'POST', path: '/webhooks/stripe' });
  assert.deepEqual([...hook.events].sort(), [
    'checkout.session.completed',
    'customer.subscription.deleted',
    'customer.subscription.updated',
    'invoice.finalized',
    'invoice.paid',
    'invoice.payment_failed',
  ]);
  assert.equal(hook.constructEvent?.eventVariable, 'event');
  assert.equal(hook.constructEvent?.line, 11);
  assert.deepEqual(result.stripe.webhookSecretEnv, ['STRIPE_WEBHOOK_SECRET']);
});

test('webhook through StripeClient.construct_event and a dispatch dict of handlers', async (t) => {
  const result = await analyzeSources(t, {
    'hooks.py': py`
      from fastapi import APIRouter, Request
      from stripe import StripeClient

      from settings import settings

      client = StripeClient(settings.stripe_secret_key)
      router = APIRouter(prefix="/billing")

      def on_checkout(obj): ...
      def on_cancel(obj): ...

      HANDLERS = {
          "checkout.session.completed": on_checkout,
          "customer.subscription.deleted": on_cancel,
      }

      @router.post("/webhook")
      async def billing_webhook(request: Request):
          event = client.construct_event(await request.body(), request.headers["stripe-signature"], settings.stripe_webhook_secret)
          HANDLERS[event.type](event.data.object)
          return {}
    `,
    'settings.py': py`
      from pydantic_settings import BaseSettings

      class Settings(BaseSettings):
          stripe_secret_key: str = ""
          stripe_webhook_secret: str = ""

      settings = Settings()
    `,
    'main.py': py`
      from fastapi import FastAPI
      from hooks import router

      app = FastAPI()
      app.include_router(router, prefix="/api")
    `,
  });
  const [hook] = result.stripe.webhooks;
  assert.ok(hook, JSON.stringify(result.stripe));
  assert.equal(hook.function, 'billing_webhook');
  assert.deepEqual(hook.route, { method: 'POST', path: '/api/billing/webhook' });
  assert.deepEqual([...hook.events].sort(), ['checkout.session.completed', 'customer.subscription.deleted']);
  assert.deepEqual(result.stripe.apiKeyEnv, ['STRIPE_SECRET_KEY'], 'pydantic settings read STRIPE_SECRET_KEY');
  assert.deepEqual(result.stripe.webhookSecretEnv, ['STRIPE_WEBHOOK_SECRET']);
});

test('a project without Stripe has no Stripe facts, even with dotted strings compared', async (t) => {
  const result = await analyzeSources(t, {
    'main.py': py`
      from fastapi import FastAPI
      app = FastAPI()

      @app.get("/")
      def index(kind: str):
          if kind == "user.created":
              return {}
          return {}
    `,
  });
  assert.deepEqual(result.stripe, {
    used: false,
    imports: [],
    calls: [],
    webhooks: [],
    prices: [],
    checkoutUserLinks: [],
    checkoutSuccessPaths: [],
    apiKeyEnv: [],
    webhookSecretEnv: [],
  });
});

test('aliased imports: import stripe as stripe_sdk, from stripe import Customer, checkout', async (t) => {
  const result = await analyzeSources(t, {
    'billing.py': py`
      import stripe as stripe_sdk
      from stripe import Customer, Webhook, checkout

      def start(user):
          customer = Customer.create(email=user.email)
          return checkout.Session.create(customer=customer.id, client_reference_id=str(user.id))

      def portal(customer_id):
          return stripe_sdk.billing_portal.Session.create(customer=customer_id)

      def stripe_webhook(payload, signature, secret):
          event = Webhook.construct_event(payload, signature, secret)
          if event["type"] == "invoice.paid":
              return True
          return False
    `,
  });
  const apis = result.stripe.calls.map((c) => c.api).sort();
  assert.deepEqual(apis, [
    'stripe.Customer.create',
    'stripe.Webhook.construct_event',
    'stripe.billing_portal.Session.create',
    'stripe.checkout.Session.create',
  ]);
  assert.deepEqual(result.stripe.checkoutUserLinks.map((l) => l.kind).sort(), ['client_reference_id', 'customer']);
  assert.deepEqual(
    result.stripe.webhooks.map((w) => [w.function, w.events]),
    [['stripe_webhook', ['invoice.paid']]],
  );
  assert.equal(result.stripe.imports.length, 2);
});

test('checkout links: metadata.email, the customer-id column (through a local, getattr, `or None`), the params dict', async (t) => {
  const result = await analyzeSources(t, {
    'billing.py': py`
      import stripe
      from fastapi import APIRouter

      router = APIRouter()
      client = stripe.StripeClient("sk_test_x")

      @router.post("/a")
      def a(current_user):
          return stripe.checkout.Session.create(
              customer=current_user.stripe_customer_id,
              metadata={"email": current_user.email, "user_id": str(current_user.id)},
          )

      @router.post("/b")
      def b(user):
          customer_id = user.billing_customer_id or None
          return stripe.checkout.Session.create(customer=customer_id, subscription_data={"metadata": {"email": user.email}})

      @router.post("/c")
      def c(user):
          customer = stripe.Customer.create(email=user.email)
          return stripe.checkout.Session.create(customer=customer.id)

      @router.post("/d")
      def d(user):
          return client.checkout.sessions.create(params={"customer": getattr(user, "stripe_id", None), "client_reference_id": str(user.id)})
    `,
  });
  assert.deepEqual(
    result.stripe.checkoutUserLinks.map((l) => `${l.line} ${l.kind}${l.field ? ` ${l.field}` : ''}`),
    [
      '10 customer stripe_customer_id',
      '11 metadata.user_id',
      '11 metadata.email',
      '17 customer billing_customer_id',
      '17 metadata.email',
      '22 customer',
      '26 customer stripe_id',
      '26 client_reference_id',
    ],
  );
});

test('success_url: the path of literals, f-strings and concatenations, host and query dropped; other forms left out', async (t) => {
  const result = await analyzeSources(t, {
    'billing.py': py`
      import stripe
      from fastapi import APIRouter, Request
      from config import settings

      router = APIRouter()
      SUCCESS = "https://app.example.com/thanks?from=checkout#top"

      @router.post("/1")
      def one(request: Request, plan: str):
          stripe.checkout.Session.create(success_url=f"{settings.FRONTEND_URL}/billing/success?session_id={{CHECKOUT_SESSION_ID}}")
          stripe.checkout.Session.create(success_url="http://localhost:8000/api/v1/billing/done")
          stripe.checkout.Session.create(success_url=str(request.base_url) + "checkout/complete")
          stripe.checkout.Session.create(success_url=settings.BASE + "/paid?session_id={CHECKOUT_SESSION_ID}")
          stripe.checkout.Session.create(success_url=SUCCESS)
          url = f"https://{settings.HOST}/welcome/"
          stripe.checkout.Session.create(success_url=url)
          stripe.checkout.Session.create(success_url=f"{settings.FRONTEND_URL}/plans/{plan}/ok")
          stripe.checkout.Session.create(success_url=request.url_for("done"))
          stripe.checkout.Session.create(success_url=settings.SUCCESS_URL)
    `,
  });
  assert.deepEqual(
    result.stripe.checkoutSuccessPaths.map((s) => `${s.line} ${s.path}`),
    [
      '10 /billing/success',
      '11 /api/v1/billing/done',
      '12 /checkout/complete',
      '13 /paid',
      '14 /thanks',
      '16 /welcome/',
    ],
  );
});
