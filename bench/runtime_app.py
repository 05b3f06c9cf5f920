"""The runtime benchmark's app: one endpoint behind the gated test app's own auth dependency
(an API key looked up in the app's database through its SQLAlchemy session), served without skene
(BENCH_GATED=0), with skene installed and the gate on the route (BENCH_GATED=1), or with skene installed
but no gate (BENCH_GATED=installed: what install(app)'s middleware costs on its own)."""
import os

from fastapi import Depends, FastAPI

from testapp.deps import get_current_user

app = FastAPI(title="skene runtime benchmark")
work_dependencies = []
blocked_dependencies = []

if os.environ.get("BENCH_GATED") in ("1", "installed"):
    from testapp.skene import install as skene_install

    skene_install(app)
if os.environ.get("BENCH_GATED") == "1":
    from testapp.skene import gate as skene_gate

    work_dependencies = [Depends(skene_gate("bench", handler_user=True))]
    blocked_dependencies = [Depends(skene_gate("blocked", handler_user=True))]


@app.post("/api/work", dependencies=work_dependencies)
def work(user=Depends(get_current_user)):
    return {"ok": True, "user": user.id}


@app.post("/api/blocked", dependencies=blocked_dependencies)
def blocked(user=Depends(get_current_user)):
    return {"ok": True, "user": user.id}


@app.get("/health")
def health():
    return {"ok": True}
