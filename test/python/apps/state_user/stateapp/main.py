from fastapi import APIRouter, Depends, FastAPI, Request

from stateapp.auth import CALLS, load_session_user
from stateapp.skene import gate as skene_gate
from stateapp.skene import install as skene_install

router = APIRouter(prefix="/api", dependencies=[Depends(load_session_user)])


@router.post("/jobs", dependencies=[Depends(skene_gate("jobs"))])
def create_job(request: Request):
    return {"owner": request.state.user["id"], "auth_calls": CALLS["n"]}


app = FastAPI()
app.include_router(router)
skene_install(app)
