from fastapi import Depends, FastAPI, HTTPException, Request, Security
from sqlalchemy import text
from sqlalchemy.orm import Session

from testapp.db import get_db
from testapp.deps import CurrentUser, get_current_user
from testapp.skene import gate as skene_gate
from testapp.skene import install as skene_install

app = FastAPI(title="gated test app")
skene_install(app)


@app.api_route("/api/reports", methods=["POST", "PUT"], dependencies=[Depends(skene_gate("reports"))])
def create_report(request: Request, fail: int = 0, user=Depends(get_current_user)):
    if fail == 1:
        raise HTTPException(status_code=400, detail="bad report")
    if fail == 2:
        raise RuntimeError("the handler crashed")
    return {"ok": True, "user": user.id, "auth_calls": request.state.auth_calls}


@app.post("/api/exports", dependencies=[Depends(skene_gate("exports", auth=get_current_user, scopes=["exports"]))])
def create_export(request: Request, user=Security(get_current_user, scopes=["exports"])):
    return {"ok": True, "auth_calls": request.state.auth_calls}


@app.post("/api/alias", dependencies=[Depends(skene_gate("exports", auth=CurrentUser))])
def alias_export(request: Request, user=Depends(get_current_user)):
    return {"ok": True, "auth_calls": request.state.auth_calls}


@app.post("/api/shadow", dependencies=[Depends(skene_gate("shadow"))])
def shadow(user=Depends(get_current_user)):
    return {"ok": True}


@app.post("/api/strict", dependencies=[Depends(skene_gate("strict"))])
def strict(user=Depends(get_current_user)):
    return {"ok": True}


@app.post("/api/burst", dependencies=[Depends(skene_gate("burst"))])
def burst(user=Depends(get_current_user), db: Session = Depends(get_db)):
    db.execute(text("SELECT 1")).scalar()
    return {"ok": True}


@app.post("/api/closed", dependencies=[Depends(skene_gate("closed"))])
def closed(user=Depends(get_current_user)):
    return {"ok": True}


@app.get("/api/open")
def open_route(user=Depends(get_current_user)):
    return {"ok": True}
