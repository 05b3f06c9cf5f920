/**
 * How each route's gate gets its user (`gateIdentityFor`, docs/ARCHITECTURE.md "where the gate runs"):
 * `handler_user=True` only when the handler's own signature declares the very dependency the gate counts by.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyzeProject } from '../../src/analyze/analyze-project.js';
import { gateIdentityFor } from '../../src/generate/gating-policy.js';
import { buildGateCall } from '../../src/generate/wire-route-gate.js';

const DEPS = `from typing import Annotated

from fastapi import Depends, HTTPException, Security
from fastapi.security import OAuth2PasswordBearer, SecurityScopes

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token", scopes={"items": "Read items."})


class User:
    id: int
    email: str


def get_current_user(security_scopes: SecurityScopes, token: str = Depends(oauth2_scheme)) -> User:
    return User()


def get_current_active_user(user: User = Depends(get_current_user)) -> User:
    if not user:
        raise HTTPException(status_code=400, detail="Inactive user")
    return user


def require_pro(user: User = Depends(get_current_user)) -> User:
    if not getattr(user, "is_pro", False):
        raise HTTPException(status_code=402, detail="Upgrade to pro")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]
`;

const ROUTES = `from fastapi import APIRouter, Depends, Security

from app.deps import CurrentUser, User, get_current_active_user, get_current_user, require_pro

router = APIRouter(prefix="/api")


@router.post("/plain")
def plain(user: User = Depends(get_current_user)):
    return {}


@router.post("/decorator", dependencies=[Depends(get_current_user)])
def decorator_only():
    return {}


@router.post("/alias")
def alias(user: CurrentUser):
    return {}


@router.post("/active")
def active(user: User = Depends(get_current_active_user)):
    return {}


@router.post("/scoped")
def scoped(user: User = Security(get_current_user, scopes=["items"])):
    return {}


@router.post("/guarded")
def guarded(user: User = Depends(require_pro)):
    return {}


@router.post("/public")
def public():
    return {}
`;

const MAIN = `from fastapi import FastAPI

from app.routes import router

app = FastAPI()
app.include_router(router)
`;

test('the gate reads the handler user only where the handler declares the dependency it counts by', async () => {
  const root = await mkdtemp(join(tmpdir(), 'skene-gate-identity-'));
  try {
    await mkdir(join(root, 'app'));
    await writeFile(join(root, 'app/__init__.py'), '');
    await writeFile(join(root, 'app/deps.py'), DEPS);
    await writeFile(join(root, 'app/routes.py'), ROUTES);
    await writeFile(join(root, 'app/main.py'), MAIN);
    const analysis = await analyzeProject(root);
    assert.equal(analysis.auth.primary?.name, 'get_current_user');
    const calls = Object.fromEntries(
      analysis.routes.map((route) => [route.path, buildGateCall('s', gateIdentityFor(route, analysis.auth))]),
    );
    assert.deepEqual(calls, {
      '/api/plain': 'skene_gate("s", handler_user=True)',
      // The user comes from the decorator's dependencies: the gate declares it.
      '/api/decorator': 'skene_gate("s")',
      '/api/alias': 'skene_gate("s", handler_user=True)',
      '/api/active': 'skene_gate("s", auth=get_current_active_user, handler_user=True)',
      '/api/scoped': 'skene_gate("s", auth=get_current_user, scopes=["items"], handler_user=True)',
      // The paywall guard is never the gate's dependency; the primary it builds on is not in the signature.
      '/api/guarded': 'skene_gate("s")',
      '/api/public': 'skene_gate("s", identify=True)',
    });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
