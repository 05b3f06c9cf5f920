from fastapi import Depends, FastAPI, Request

from idapp.deps import get_current_user
from idapp.skene import gate as skene_gate
from idapp.skene import install as skene_install

app = FastAPI(title="identify fallback test app")
skene_install(app)


@app.middleware("http")
async def session_user(request: Request, call_next):
    # A session cookie middleware, as many apps have: the user is known before any route runs.
    session = request.cookies.get("session")
    if session:
        request.state.user = {"id": "session-%s" % session, "email": "%s@example.test" % session}
    return await call_next(request)


# A public route: no user dependency, so its gate identifies the caller through identify(request).
@app.post("/api/signup", dependencies=[Depends(skene_gate("signup", identify=True))])
def signup(request: Request):
    return {"ok": True, "auth_calls": getattr(request.state, "auth_calls", 0)}


@app.post("/api/reports", dependencies=[Depends(skene_gate("reports"))])
def reports(user=Depends(get_current_user)):
    return {"ok": True, "user": user["id"]}


@app.get("/api/open")
def open_route():
    return {"ok": True}
