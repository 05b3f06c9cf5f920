from fastapi import Depends, FastAPI, Header

from heldapp.skene import gate as skene_gate
from heldapp.skene import install as skene_install


def current_user(x_user: str = Header(...)):
    return {"id": x_user, "email": None}


app = FastAPI()
skene_install(app)


@app.post("/api/run", dependencies=[Depends(skene_gate("run"))])
def run(user=Depends(current_user)):
    return {"ok": True}
