import asyncio
import os

from fastapi import Depends, FastAPI, HTTPException, Request, Security
from sqlalchemy import text
from sqlalchemy.orm import Session

from testapp.db import get_db
from testapp.deps import CurrentUser, get_current_user
from testapp.skene import gate as skene_gate
from testapp.skene import handle_stripe_event as skene_handle_stripe_event
from testapp.skene import install as skene_install

app = FastAPI(title="gated test app")
skene_install(app)


@app.api_route(
    "/api/reports", methods=["POST", "PUT"], dependencies=[Depends(skene_gate("reports", handler_user=True))]
)
def create_report(request: Request, fail: int = 0, user=Depends(get_current_user)):
    if fail == 1:
        raise HTTPException(status_code=400, detail="bad report")
    if fail == 2:
        raise RuntimeError("the handler crashed")
    return {"ok": True, "user": user.id, "auth_calls": request.state.auth_calls}


@app.post(
    "/api/exports",
    dependencies=[Depends(skene_gate("exports", auth=get_current_user, scopes=["exports"], handler_user=True))],
)
def create_export(request: Request, user=Security(get_current_user, scopes=["exports"])):
    return {"ok": True, "auth_calls": request.state.auth_calls}


@app.post("/api/alias", dependencies=[Depends(skene_gate("exports", auth=CurrentUser))])
def alias_export(request: Request, user=Depends(get_current_user)):
    return {"ok": True, "auth_calls": request.state.auth_calls}


@app.post("/api/shadow", dependencies=[Depends(skene_gate("shadow", handler_user=True))])
def shadow(user=Depends(get_current_user)):
    return {"ok": True}


@app.post("/api/strict", dependencies=[Depends(skene_gate("strict", handler_user=True))])
def strict(user=Depends(get_current_user)):
    return {"ok": True}


@app.post("/api/burst", dependencies=[Depends(skene_gate("burst"))])
def burst(user=Depends(get_current_user), db: Session = Depends(get_db)):
    db.execute(text("SELECT 1")).scalar()
    return {"ok": True}


@app.post("/api/closed", dependencies=[Depends(skene_gate("closed", handler_user=True))])
def closed(user=Depends(get_current_user)):
    return {"ok": True}


@app.get("/api/open")
def open_route(user=Depends(get_current_user)):
    return {"ok": True}


def refuse_when_asked(request: Request):
    """An app dependency that runs after the gate and raises before the handler."""
    if request.headers.get("X-Refuse"):
        raise HTTPException(status_code=403, detail="refused by the app")


@app.post(
    "/api/server-errors",
    dependencies=[Depends(skene_gate("server-errors", handler_user=True)), Depends(refuse_when_asked)],
)
def server_errors(n: int = 0, fail: int = 0, user=Depends(get_current_user)):
    if fail == 1:
        raise HTTPException(status_code=422, detail="did the work, then said no")
    if fail == 2:
        raise RuntimeError("the handler crashed")
    return {"ok": True, "n": n}


@app.post("/api/never", dependencies=[Depends(skene_gate("never", handler_user=True))])
def never(fail: int = 0, user=Depends(get_current_user)):
    if fail == 2:
        raise RuntimeError("the handler crashed")
    return {"ok": True}


@app.post("/api/unwired", dependencies=[Depends(skene_gate("reports", handler_user=True))])
def unwired():
    """A handler that lost the user parameter its gate was wired for (handler_user=True)."""
    return {"ok": True}


@app.post("/api/unwired-strict", dependencies=[Depends(skene_gate("strict", handler_user=True))])
def unwired_strict():
    return {"ok": True}


async def hold_when_asked(request: Request):
    """An app dependency after the gate that keeps a request waiting for X-Hold seconds."""
    if request.headers.get("X-Hold"):
        await asyncio.sleep(float(request.headers["X-Hold"]))


@app.api_route("/api/taken", methods=["POST", "PUT"], dependencies=[Depends(skene_gate("reports", handler_user=True))])
def taken(user=Depends(get_current_user)):
    return {"ok": True}


@app.post(
    "/api/held",
    dependencies=[Depends(skene_gate("reports", handler_user=True)), Depends(hold_when_asked)],
)
def held(user=Depends(get_current_user)):
    return {"ok": True}


def gated_inside(_=Depends(skene_gate("reports", handler_user=True))):
    """An app dependency that holds a gate itself."""


@app.post("/api/nested", dependencies=[Depends(gated_inside)])
def nested(user=Depends(get_current_user)):
    return {"ok": True}


@app.post("/app/stripe-webhook")
async def own_stripe_webhook(request: Request):
    """The app's own Stripe webhook endpoint with skene's one-line hand-off, as init wires it."""
    import stripe

    payload = await request.body()
    try:
        event = stripe.Webhook.construct_event(
            payload, request.headers.get("stripe-signature"), os.environ["STRIPE_WEBHOOK_SECRET"]
        )
    except ValueError:
        raise HTTPException(status_code=400, detail="invalid payload") from None
    except stripe.error.SignatureVerificationError:
        raise HTTPException(status_code=400, detail="invalid signature") from None
    skene_handle_stripe_event(event)
    return {"ok": True}
