"""A small app gated by skene as `skene init` wires it, for the tracked-link, warning and stats tests: users
are `key-<n>` API keys (user id n, email user<n>@example.test), the store is SKENE_DATABASE_URL, and skene
mounts its own Stripe webhook route (the app has none)."""
from typing import Optional

from fastapi import Depends, FastAPI, Header, HTTPException

from linksapp.skene import gate as skene_gate
from linksapp.skene import install as skene_install

app = FastAPI(title="links test app")
skene_install(app)


def get_current_user(x_api_key: Optional[str] = Header(None)) -> dict:
    if not (x_api_key or "").startswith("key-"):
        raise HTTPException(status_code=401, detail="Missing API key")
    number = x_api_key[len("key-"):]
    return {"id": number, "email": "user%s@example.test" % number}


@app.post("/api/reports", dependencies=[Depends(skene_gate("reports"))])
def create_report(user: dict = Depends(get_current_user)):
    return {"ok": True, "user": user["id"]}


@app.post("/api/exports", dependencies=[Depends(skene_gate("exports"))])
def create_export(user: dict = Depends(get_current_user)):
    return {"ok": True, "user": user["id"]}


@app.get("/api/open")
def open_route():
    return {"ok": True}
