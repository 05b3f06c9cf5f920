"""A one-module app whose auth dependency lives beside the routes skene gates, wired as `skene init` wires it:
the gate import sits at the top, before get_current_user is defined."""

from typing import Optional

from fastapi import Depends, FastAPI, Header, HTTPException
from skene_runtime import gate as skene_gate
from skene_runtime import install as skene_install

USERS = {"key-ada": {"id": 1, "email": "ada@example.test"}, "key-bob": {"id": 2, "email": "bob@example.test"}}

app = FastAPI()
skene_install(app)


def get_current_user(x_api_key: Optional[str] = Header(None)) -> dict:
    user = USERS.get(x_api_key or "")
    if user is None:
        raise HTTPException(status_code=401, detail="Not authenticated")
    return user


@app.post("/summaries", dependencies=[Depends(skene_gate("summaries"))])
def create_summary(user: dict = Depends(get_current_user)):
    return {"owner": user["id"]}
