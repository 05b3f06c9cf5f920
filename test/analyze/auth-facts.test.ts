/**
 * The dependency that yields the current user: which function, its module, its scheme, what it returns,
 * its Annotated aliases, and how many routes use it.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { analyzeSources, py } from './helpers.js';

const userModel = py`
  from pydantic import BaseModel

  class BaseUser(BaseModel):
      id: int

  class User(BaseUser):
      email: str
      is_active: bool = True
`;

test('OAuth2PasswordBearer: get_current_user and get_current_active_user built on it; the one the other builds on wins', async (t) => {
  const result = await analyzeSources(t, {
    'app/__init__.py': '',
    'app/models.py': userModel,
    'app/deps.py': py`
      from fastapi import Depends, HTTPException
      from fastapi.security import OAuth2PasswordBearer
      from app.models import User

      oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/token")

      async def get_current_user(token: str = Depends(oauth2_scheme)) -> User:
          return User(id=1, email="a@example.com")

      async def get_current_active_user(current_user: User = Depends(get_current_user)) -> User:
          if not current_user.is_active:
              raise HTTPException(400)
          return current_user
    `,
    'app/main.py': py`
      from fastapi import Depends, FastAPI
      from app.deps import get_current_active_user, get_current_user
      from app.models import User

      app = FastAPI()

      @app.get("/me")
      def me(user: User = Depends(get_current_active_user)):
          return user

      @app.get("/items")
      def items(user: User = Depends(get_current_active_user)):
          return []

      @app.get("/token-info")
      def token_info(user: User = Depends(get_current_user)):
          return {}
    `,
  });
  const { primary, candidates } = result.auth;
  assert.ok(primary);
  // Every route that uses get_current_active_user resolves get_current_user too: the gates build on it.
  assert.equal(primary.name, 'get_current_user');
  assert.equal(primary.module, 'app.deps');
  assert.equal(primary.scheme, 'oauth2');
  assert.equal(primary.returns, 'object');
  assert.equal(primary.returnType, 'User');
  assert.deepEqual(
    [...primary.fields].sort(),
    ['email', 'id', 'is_active'],
    'fields of the model, base classes included',
  );
  assert.equal(primary.isAsync, true);
  assert.equal(primary.routeCount, 3, 'its own route and the two through get_current_active_user');
  assert.deepEqual(
    candidates.map((c) => c.name).sort(),
    ['get_current_active_user', 'get_current_user'],
    'route handlers are not auth dependencies',
  );
  const active = candidates.find((c) => c.name === 'get_current_active_user');
  assert.equal(active?.routeCount, 2);
  assert.deepEqual(active?.buildsOn, ['get_current_user']);
});

test('APIKeyHeader with Security(...) returning a dict', async (t) => {
  const result = await analyzeSources(t, {
    'main.py': py`
      from fastapi import FastAPI, HTTPException, Security
      from fastapi.security import APIKeyHeader

      api_key_header = APIKeyHeader(name="X-API-Key")
      KEYS = {"secret": {"id": 7, "email": "ops@example.com"}}

      def require_api_key(api_key: str = Security(api_key_header)) -> dict:
          account = KEYS.get(api_key)
          if account is None:
              raise HTTPException(401)
          return {"id": account["id"], "email": account["email"]}

      app = FastAPI()

      @app.post("/reports")
      def create_report(account: dict = Security(require_api_key)):
          return {"owner": account["id"]}
    `,
  });
  const { primary } = result.auth;
  assert.ok(primary);
  assert.equal(primary.name, 'require_api_key');
  assert.equal(primary.scheme, 'api_key');
  assert.equal(primary.returns, 'dict');
  assert.ok(primary.fields.includes('id') && primary.fields.includes('email'), JSON.stringify(primary.fields));
  assert.equal(primary.routeCount, 1);
});

test('HTTPBearer and an Annotated alias used by the routes', async (t) => {
  const result = await analyzeSources(t, {
    'models.py': userModel,
    'deps.py': py`
      from typing import Annotated
      from fastapi import Depends
      from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
      from models import User

      bearer = HTTPBearer()

      def current_user(credentials: HTTPAuthorizationCredentials = Depends(bearer)) -> User:
          return User(id=1, email="x@example.com")

      CurrentUser = Annotated[User, Depends(current_user)]
    `,
    'main.py': py`
      from fastapi import FastAPI
      from deps import CurrentUser

      app = FastAPI()

      @app.get("/me")
      def me(user: CurrentUser):
          return user

      @app.get("/settings")
      def settings(user: CurrentUser):
          return {}
    `,
  });
  const { primary } = result.auth;
  assert.ok(primary);
  assert.equal(primary.name, 'current_user');
  assert.equal(primary.scheme, 'http_bearer');
  assert.deepEqual(primary.aliases, [{ name: 'CurrentUser', module: 'deps' }]);
  assert.equal(primary.routeCount, 2);
  const me = result.routes.find((r) => r.path === '/me');
  assert.deepEqual(me?.dependencies, ['CurrentUser']);
  assert.deepEqual(me?.dependencyDetails[0]?.callable, { name: 'current_user', module: 'deps' });
});

test('fastapi-users: current_user(active=True) dependencies', async (t) => {
  const result = await analyzeSources(t, {
    'users.py': py`
      import uuid
      from fastapi_users import FastAPIUsers
      from auth_backend import auth_backend, get_user_manager
      from db import User

      fastapi_users = FastAPIUsers[User, uuid.UUID](get_user_manager, [auth_backend])
      current_active_user = fastapi_users.current_user(active=True)
    `,
    'main.py': py`
      from fastapi import Depends, FastAPI
      from users import current_active_user

      app = FastAPI()

      @app.get("/authenticated-route")
      async def authenticated_route(user=Depends(current_active_user)):
          return {"message": f"Hello {user.email}!"}
    `,
  });
  const { primary } = result.auth;
  assert.ok(primary);
  assert.equal(primary.name, 'current_active_user');
  assert.equal(primary.module, 'users');
  assert.equal(primary.scheme, 'fastapi_users');
  assert.equal(primary.routeCount, 1);
  assert.ok(primary.fields.includes('id') && primary.fields.includes('email'));
});

test('a project without any auth dependency has no primary', async (t) => {
  const result = await analyzeSources(t, {
    'main.py': py`
      from fastapi import Depends, FastAPI

      def get_db():
          yield None

      app = FastAPI()

      @app.get("/public")
      def public(db=Depends(get_db)):
          return {}
    `,
  });
  assert.equal(result.auth.primary, undefined);
  assert.deepEqual(result.auth.candidates, []);
});

const sessionDb = py`
  from fastapi import Depends, HTTPException, Request
  from fastapi.security import OAuth2PasswordBearer
  from app.models import User

  oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/token")

  def authenticate_user(email: str, password: str):
      return User(id=1, email=email)

  async def get_current_user(token: str = Depends(oauth2_scheme)) -> User:
      return User(id=1, email="a@example.com")

  def require_pro(user: User = Depends(get_current_user)) -> User:
      if not user.is_pro:
          raise HTTPException(status_code=402, detail="Upgrade to Pro")
      return user
`;

test('a paywall guard (402 for free users) used by most routes is never the gates’ dependency: the one it builds on is', async (t) => {
  const result = await analyzeSources(t, {
    'app/__init__.py': '',
    'app/models.py': userModel.replace('is_active: bool = True', 'is_pro: bool = False'),
    'app/deps.py': sessionDb,
    'app/main.py': py`
      from fastapi import Depends, FastAPI
      from app.deps import get_current_user, require_pro

      app = FastAPI()

      @app.post("/exports")
      def export(user=Depends(require_pro)):
          return {}

      @app.post("/reports")
      def report(user=Depends(require_pro)):
          return {}

      @app.get("/me")
      def me(user=Depends(get_current_user)):
          return user
    `,
  });
  const { primary, candidates } = result.auth;
  assert.equal(primary?.name, 'get_current_user');
  assert.equal(primary?.routeCount, 3);
  const guard = candidates.find((c) => c.name === 'require_pro');
  assert.equal(guard?.rejectsFreeUsers, true);
  assert.deepEqual(guard?.buildsOn, ['get_current_user']);
  assert.ok(!candidates.find((c) => c.name === 'authenticate_user')?.routeCount, 'the login helper serves no route');
});

test('a login helper no route depends on is never the primary; without a used dependency there is none', async (t) => {
  const result = await analyzeSources(t, {
    'app/__init__.py': '',
    'app/models.py': userModel,
    'app/deps.py': sessionDb,
    'app/main.py': py`
      from fastapi import FastAPI
      from app.deps import authenticate_user

      app = FastAPI()

      @app.post("/token")
      def login(email: str, password: str):
          return {"access_token": authenticate_user(email, password).id}
    `,
  });
  assert.equal(result.auth.primary, undefined);
});

test('router-level dependencies and a dependency that sets request.state.user count as the user dependency', async (t) => {
  const result = await analyzeSources(t, {
    'app/__init__.py': '',
    'app/auth.py': py`
      from fastapi import HTTPException, Request

      async def load_session_user(request: Request) -> None:
          token = request.headers.get("authorization")
          if not token:
              raise HTTPException(401)
          request.state.user = {"id": token[-4:], "email": "a@example.com"}
    `,
    'app/main.py': py`
      from fastapi import APIRouter, Depends, FastAPI, Request
      from app.auth import load_session_user

      router = APIRouter(prefix="/api", dependencies=[Depends(load_session_user)])

      @router.post("/jobs")
      def create_job(request: Request):
          return {"owner": request.state.user["id"]}

      @router.get("/jobs")
      def list_jobs(request: Request):
          return []

      app = FastAPI()
      app.include_router(router)
    `,
  });
  const { primary } = result.auth;
  assert.equal(primary?.name, 'load_session_user');
  assert.equal(primary?.returns, 'request-state');
  assert.equal(primary?.routeCount, 2);
});

test('a dependency annotated to return the user class is one, whatever its name', async (t) => {
  const result = await analyzeSources(t, {
    'app/__init__.py': '',
    'app/models.py': userModel,
    'app/main.py': py`
      from fastapi import Depends, FastAPI, Header
      from app.models import User

      def load_me(x_token: str = Header(...)) -> User:
          return User(id=int(x_token), email="a@example.com")

      app = FastAPI()

      @app.post("/notes")
      def create_note(me: User = Depends(load_me)):
          return {"owner": me.id}
    `,
  });
  assert.equal(result.auth.primary?.name, 'load_me');
  assert.equal(result.auth.primary?.returns, 'object');
});
