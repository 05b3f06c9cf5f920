from fastapi import Depends, FastAPI, HTTPException
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from asyncapp.db import get_db
from asyncapp.deps import get_current_user
from asyncapp.skene import gate as skene_gate
from asyncapp.skene import install as skene_install

app = FastAPI(title="async gated test app")
skene_install(app)


@app.post("/api/items", dependencies=[Depends(skene_gate("items"))])
async def create_item(fail: int = 0, user=Depends(get_current_user), db: AsyncSession = Depends(get_db)):
    await db.execute(text("SELECT 1"))
    if fail:
        raise HTTPException(status_code=422, detail="bad item")
    return {"ok": True, "user": user.id}


@app.get("/api/open")
async def open_route(user=Depends(get_current_user)):
    return {"ok": True}
