/**
 * The app's user model (docs/CUSTOMER-LINKS.md): the ORM class the auth dependency returns, else the best
 * named table class with an email; its id, email, Stripe customer id and own subscription-state columns.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { analyzeProject } from '../../src/analyze/analyze-project.js';
import { matchSuccessRoutes } from '../../src/analyze/match-success-routes.js';
import { fixturePath } from '../helpers/fixtures.js';
import { analyzeSources, py } from './helpers.js';

const app = (deps: string) => py`
  from fastapi import Depends, FastAPI
  from ${deps} import get_current_user

  app = FastAPI()

  @app.post("/reports")
  def report(user=Depends(get_current_user)):
      return {}
`;

test('SQLAlchemy 2 declarative: the auth return type, Mapped columns, the primary key, the customer id and is_pro', async (t) => {
  const result = await analyzeSources(t, {
    'app/__init__.py': '',
    'app/db.py': py`
      from sqlalchemy.orm import DeclarativeBase

      class Base(DeclarativeBase):
          pass
    `,
    'app/models.py': py`
      from typing import Optional
      from sqlalchemy import Boolean, String
      from sqlalchemy.orm import Mapped, mapped_column, relationship
      from app.db import Base

      class Account(Base):
          __tablename__ = "accounts"
          id: Mapped[int] = mapped_column(primary_key=True)
          email: Mapped[str] = mapped_column(String(255), unique=True)

      class Person(Base):
          __tablename__ = "people"
          uid: Mapped[int] = mapped_column(primary_key=True)
          email_address: Mapped[str] = mapped_column(String(320), unique=True, index=True)
          email_verified: Mapped[bool] = mapped_column(default=False)
          stripe_customer_id: Mapped[Optional[str]] = mapped_column(String(64), index=True)
          is_pro: Mapped[bool] = mapped_column(Boolean, default=False)
          is_active: Mapped[bool] = mapped_column(default=True)
          items: Mapped[list["Item"]] = relationship(back_populates="owner")
    `,
    'app/deps.py': py`
      from fastapi import Depends
      from fastapi.security import OAuth2PasswordBearer
      from app.models import Person

      oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/token")

      def get_current_user(token: str = Depends(oauth2_scheme)) -> Person:
          ...
    `,
    'app/main.py': app('app.deps'),
  });
  assert.deepEqual(result.userModel, {
    file: 'app/models.py',
    line: 11,
    class: 'Person',
    module: 'app.models',
    table: 'people',
    idField: 'uid',
    emailField: 'email_address',
    customerIdField: 'stripe_customer_id',
    planFields: [{ name: 'is_pro', kind: 'boolean' }],
    reason: 'auth-return-type',
  });
});

test('Flask-SQLAlchemy style db.Model with Column(...) and a base mixin; found by name when the dependency returns a schema', async (t) => {
  const result = await analyzeSources(t, {
    'models.py': py`
      from flask_sqlalchemy import SQLAlchemy
      from sqlalchemy import Column, Integer, String, Boolean

      db = SQLAlchemy()

      class IdMixin:
          id = Column(Integer, primary_key=True)

      class Team(IdMixin, db.Model):
          name = db.Column(db.String(80))

      class User(IdMixin, db.Model):
          __tablename__ = "user"
          email = db.Column(db.String(120), unique=True, nullable=False)
          customer_id = db.Column(db.String(64))
          subscription_status = db.Column(db.String(32))
          plan = db.Column(db.String(32), default="free")
          plan_id = db.Column(db.Integer)
    `,
    'schemas.py': py`
      from pydantic import BaseModel

      class Me(BaseModel):
          id: int
          email: str
          plan: str
    `,
    'deps.py': py`
      from schemas import Me

      def get_current_user(token: str = "") -> Me:
          ...
    `,
    'main.py': app('deps'),
  });
  assert.deepEqual(result.userModel, {
    file: 'models.py',
    line: 12,
    class: 'User',
    module: 'models',
    table: 'user',
    idField: 'id',
    emailField: 'email',
    customerIdField: 'customer_id',
    planFields: [
      { name: 'subscription_status', kind: 'status' },
      { name: 'plan', kind: 'plan' },
    ],
    reason: 'name-and-columns',
  });
});

test('SQLModel: only the table=True class is the model; annotated fields of its base count; an EmailStr username is the email', async (t) => {
  const result = await analyzeSources(t, {
    'app/__init__.py': '',
    'app/models.py': py`
      from typing import Optional
      from pydantic import EmailStr
      from sqlmodel import Field, SQLModel

      class UserBase(SQLModel):
          username: EmailStr = Field(unique=True, index=True)
          tier: Optional[str] = None

      class UserCreate(UserBase):
          password: str

      class User(UserBase, table=True):
          id: Optional[int] = Field(default=None, primary_key=True)
          hashed_password: str
          stripe_id: Optional[str] = None
          has_active_subscription: bool = False
    `,
    'app/deps.py': py`
      from typing import Annotated
      from fastapi import Depends
      from app import models

      def get_current_user(token: str = "") -> Optional[models.User]:
          ...
    `,
    'app/main.py': app('app.deps'),
  });
  assert.deepEqual(result.userModel, {
    file: 'app/models.py',
    line: 12,
    class: 'User',
    module: 'app.models',
    idField: 'id',
    emailField: 'username',
    customerIdField: 'stripe_id',
    planFields: [
      { name: 'tier', kind: 'plan' },
      { name: 'has_active_subscription', kind: 'boolean' },
    ],
    reason: 'auth-return-type',
  });
});

test('the customer column the checkout passes wins over a better-known name; no model without a table class', async (t) => {
  const result = await analyzeSources(t, {
    'models.py': py`
      from sqlalchemy import Column, Integer, String
      from sqlalchemy.orm import declarative_base

      Base = declarative_base()

      class Member(Base):
          __tablename__ = "members"
          member_id = Column(Integer, primary_key=True)
          email = Column(String)
          customer_id = Column(String)
          billing_ref = Column(String)
    `,
    'billing.py': py`
      import stripe
      from fastapi import APIRouter, Depends
      from deps import get_current_user

      router = APIRouter()

      @router.post("/checkout")
      def checkout(user=Depends(get_current_user)):
          return stripe.checkout.Session.create(customer=user.billing_ref, mode="subscription")
    `,
    'deps.py': py`
      def get_current_user(token: str = ""):
          ...
    `,
    'main.py': app('deps'),
  });
  assert.equal(result.userModel?.class, 'Member');
  assert.equal(result.userModel?.idField, 'member_id');
  assert.equal(result.userModel?.customerIdField, 'billing_ref');
  assert.equal(result.userModel?.reason, 'name-and-columns');

  const none = await analyzeSources(t, {
    'schemas.py': py`
      from pydantic import BaseModel

      class User(BaseModel):
          id: int
          email: str
    `,
    'deps.py': py`
      from schemas import User

      def get_current_user(token: str = "") -> User:
          ...
    `,
    'main.py': app('deps'),
  });
  assert.equal(none.userModel, undefined);

  // Another ORM's `Model` (Tortoise) is not a SQLAlchemy table: the runtime could not query it.
  const tortoise = await analyzeSources(t, {
    'models.py': py`
      from tortoise import fields
      from tortoise.models import Model

      class User(Model):
          id = fields.IntField(pk=True)
          email = fields.CharField(max_length=255)
    `,
    'deps.py': py`
      from models import User

      def get_current_user(token: str = "") -> User:
          ...
    `,
    'main.py': app('deps'),
  });
  assert.equal(tortoise.userModel, undefined);
});

test('fastapi-users: the library base gives id and email; an abstract base and a mixin are not the model', async (t) => {
  const result = await analyzeSources(t, {
    'app/__init__.py': '',
    'app/db.py': py`
      from fastapi_users.db import SQLAlchemyBaseUserTableUUID
      from sqlalchemy import Boolean, Column, DateTime, Integer, String
      from sqlalchemy.orm import DeclarativeBase

      class Base(DeclarativeBase):
          pass

      class Model(Base):
          __abstract__ = True
          id = Column(Integer, primary_key=True)
          email = Column(String)

      class TimestampMixin:
          created_at = Column(DateTime)

      class User(SQLAlchemyBaseUserTableUUID, TimestampMixin, Base):
          is_premium = Column(Boolean, default=False)
    `,
    'app/users.py': py`
      from fastapi_users import FastAPIUsers
      from app.db import User

      fastapi_users = FastAPIUsers[User, int](get_user_manager, [auth_backend])
      current_active_user = fastapi_users.current_user(active=True)
    `,
    'app/main.py': py`
      from fastapi import Depends, FastAPI
      from app.users import current_active_user

      app = FastAPI()

      @app.post("/reports")
      def report(user=Depends(current_active_user)):
          return {}
    `,
  });
  assert.deepEqual(result.userModel, {
    file: 'app/db.py',
    line: 16,
    class: 'User',
    module: 'app.db',
    idField: 'id',
    emailField: 'email',
    planFields: [{ name: 'is_premium', kind: 'boolean' }],
    reason: 'auth-return-type',
  });
});

test('the customer-link fixtures: the column link (is_pro, the success route) and the email-only link', async () => {
  const column = await analyzeProject(fixturePath('link-column'));
  assert.deepEqual(
    {
      class: column.userModel?.class,
      module: column.userModel?.module,
      idField: column.userModel?.idField,
      emailField: column.userModel?.emailField,
      customerIdField: column.userModel?.customerIdField,
      planFields: column.userModel?.planFields,
      reason: column.userModel?.reason,
    },
    {
      class: 'User',
      module: 'saas.models',
      idField: 'id',
      emailField: 'email',
      customerIdField: 'stripe_customer_id',
      planFields: [{ name: 'is_pro', kind: 'boolean' }],
      reason: 'auth-return-type',
    },
  );
  assert.deepEqual(
    column.stripe.checkoutUserLinks.map((l) => `${l.kind} ${l.field ?? ''}`.trim()),
    ['customer stripe_customer_id'],
  );
  assert.deepEqual(
    matchSuccessRoutes(column).map((m) => `${m.path} → ${m.route.method} ${m.route.path} ${m.route.function}`),
    ['/billing/success → GET /billing/success checkout_success'],
  );

  // The email column's attribute is `email_address` (its column is named "email"): the attribute is what the runtime reads.
  const email = await analyzeProject(fixturePath('link-email'));
  assert.equal(email.userModel?.class, 'Account');
  assert.equal(email.userModel?.emailField, 'email_address');
  assert.equal(email.userModel?.customerIdField, undefined);
  assert.deepEqual(email.userModel?.planFields, []);
  assert.deepEqual(email.stripe.checkoutUserLinks.map((l) => l.kind).sort(), ['customer_email', 'metadata.email']);
});
