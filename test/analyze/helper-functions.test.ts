/**
 * No name-based shortcuts (PRODUCT.md §2): which helper bodies are followed depends on what they do with
 * apps and routers, never on what their parameters or variables are called.
 */
import { test } from 'node:test';

import { expectServedRoutes, py } from './helpers.js';

test('helpers register routes whatever their parameters are called', async (t) => {
  await expectServedRoutes(
    t,
    {
      // Starlette 1.0 removed add_route and route on FastAPI apps: this stack is the one that has them.
      'requirements.txt': 'fastapi==0.92.0\n',
      'main.py': py`
        from fastapi import FastAPI
        from starlette.responses import PlainTextResponse

        import wiring

        def ping(request):
            return PlainTextResponse("pong")

        def register(srv):
            srv.add_route("/ping", ping)

        def build(r):
            @r.route("/legacy", methods=["POST"])
            def legacy(request):
                return PlainTextResponse("")

        def delegate(target, helper):
            helper(target)

        server = FastAPI()
        register(server)
        build(server)
        delegate(server, wiring.attach)
      `,
      'wiring.py': py`
        from fastapi import APIRouter

        extra = APIRouter()

        @extra.get("/attached")
        def attached():
            return {}

        def finish(x):
            x.include_router(extra, prefix="/w")

        def attach(thing):
            finish(thing)
      `,
    },
    { 'main:server': ['GET /ping', 'HEAD /ping', 'POST /legacy', 'GET /w/attached'] },
    { 'main:server': 'main.py' },
  );
});

test('a helper without parameters that passes on a router its module creates is followed', async (t) => {
  await expectServedRoutes(
    t,
    {
      'main.py': py`
        from fastapi import APIRouter, FastAPI

        import features

        hub = APIRouter(prefix="/hub")

        def load():
            features.install(hub)

        load()
        service = FastAPI()
        service.include_router(hub)
      `,
      'features.py': py`
        def report():
            return []

        def install(where):
            where.add_api_route("/report", report)
      `,
    },
    { 'main:service': ['GET /hub/report'] },
    { 'main:service': 'main.py' },
  );
});

test('a parameter typed Any may be the app; a container of Any does not stop the analysis', async (t) => {
  await expectServedRoutes(
    t,
    {
      'main.py': py`
        from typing import Any, Dict, List, Optional

        from fastapi import FastAPI

        def ping():
            return {}

        def install(target):
            target.add_api_route("/ping", ping)

        def wire(where: Optional[Any]):
            install(where)

        def annotated(where: "Any"):
            install(where)

        def summarize(rows: List[Any], options: Dict[str, Any]) -> Dict[str, Any]:
            return dict(total=len(rows), options=options)

        app = FastAPI()
        wire(app)
        other = FastAPI()
        annotated(other)
        summarize([app], {})
      `,
    },
    { 'main:app': ['GET /ping'], 'main:other': ['GET /ping'] },
    { 'main:app': 'main.py', 'main:other': 'main.py' },
  );
});
