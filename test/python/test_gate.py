"""The gate through the app's HTTP interface: quota, refunds, identity, methods, 402, shadow, outages."""

import logging
import os


def key(n):
    return {"X-API-Key": "key-%d" % n}


def test_exact_quota_then_402_with_body_and_headers(client, app_db):
    for n in range(3):
        response = client.post("/api/reports", headers=key(1))
        assert response.status_code == 200, response.text
        assert response.headers["RateLimit-Limit"] == "3"
        assert response.headers["RateLimit-Remaining"] == str(2 - n)
        assert 0 < int(response.headers["RateLimit-Reset"]) <= 30 * 86400
    blocked = client.post("/api/reports", headers=key(1))
    assert blocked.status_code == 402
    body = blocked.json()
    assert set(body) == {"error", "message", "upgrade_url", "limit", "used", "period", "resets_at"}
    assert body["error"] == "upgrade_required"
    assert body["message"] == "You've reached your free tier limit. Upgrade to continue."
    # The tracked link (GET /skene/upgrade/<token>), which leads to the step's upgrade URL.
    assert body["upgrade_url"].startswith("http://testserver/skene/upgrade/")
    followed = client.get(body["upgrade_url"], follow_redirects=False)
    assert (followed.status_code, followed.headers["location"]) == (302, "https://example.test/upgrade")
    assert (body["limit"], body["used"], body["period"]) == (3, 3, "30d")
    assert body["resets_at"].endswith("Z")
    assert blocked.headers["RateLimit-Remaining"] == "0"
    # Blocked requests never give back quota they did not take.
    for _ in range(3):
        assert client.post("/api/reports", headers=key(1)).status_code == 402
    assert app_db("SELECT used FROM skene_usage WHERE step_id='reports' AND user_key='1'") == [(3,)]


def test_errors_do_not_spend_quota(client, app_db):
    assert client.post("/api/reports?fail=1", headers=key(2)).status_code == 400
    assert client.post("/api/reports?fail=2", headers=key(2)).status_code == 500
    assert client.post("/api/reports?fail=1", headers=key(2)).status_code == 400
    assert app_db("SELECT used FROM skene_usage WHERE user_key='2'") == [(0,)]
    assert [client.post("/api/reports", headers=key(2)).status_code for _ in range(4)] == [200, 200, 200, 402]


def test_a_limit_of_zero_blocks_the_first_request(client, app_db):
    blocked = client.post("/api/closed", headers=key(10))
    assert blocked.status_code == 402
    assert (blocked.json()["limit"], blocked.json()["used"]) == (0, 0)
    assert client.post("/api/closed", headers=key(10)).status_code == 402
    assert app_db("SELECT COUNT(*) FROM skene_usage WHERE step_id='closed'") == [(0,)]


def test_users_are_counted_separately(client):
    assert [client.post("/api/reports", headers=key(3)).status_code for _ in range(4)] == [200, 200, 200, 402]
    assert [client.post("/api/reports", headers=key(4)).status_code for _ in range(4)] == [200, 200, 200, 402]


def test_unauthenticated_calls_get_the_apps_401(client, app_db):
    response = client.post("/api/reports")
    assert response.status_code == 401
    assert response.json() == {"detail": "Missing API key"}
    assert client.post("/api/reports", headers={"X-API-Key": "nope"}).status_code == 401
    assert app_db("SELECT COUNT(*) FROM skene_usage") in ([(0,)], [])


def test_method_outside_the_trigger_passes_ungated(client):
    for _ in range(3):
        assert client.post("/api/reports", headers=key(5)).status_code == 200
    assert client.post("/api/reports", headers=key(5)).status_code == 402
    put = client.put("/api/reports", headers=key(5))
    assert put.status_code == 200
    assert "RateLimit-Limit" not in put.headers


def test_security_scopes_and_alias_resolve_auth_once(client):
    first = client.post("/api/exports", headers=key(6))
    assert first.status_code == 200 and first.json()["auth_calls"] == 1
    second = client.post("/api/alias", headers=key(6))
    assert second.status_code == 200 and second.json()["auth_calls"] == 1
    blocked = client.post("/api/exports", headers=key(6))
    assert blocked.status_code == 402 and blocked.json()["period"] == "1h"


def _route(app, path):
    return next(r for r in app.routes if getattr(r, "path", None) == path)


def _gates(dependant):
    """The skene gates among a dependant's own dependencies."""
    return [d for d in dependant.dependencies if d.call.__name__.startswith("skene_gate")]


def test_a_handler_user_gate_declares_nothing_and_counts_the_handlers_user(client, gated_app, app_db):
    first = client.post("/api/reports", headers=key(13))
    assert first.status_code == 200 and first.json()["auth_calls"] == 1
    assert app_db("SELECT used FROM skene_usage WHERE step_id='reports' AND user_key='13'") == [(1,)]
    from testapp.skene import _endpoint_call

    route = _route(gated_app, "/api/reports")
    gates = _endpoint_call.taken_over(route.dependant) or _gates(route.dependant)
    assert [g.call.__name__ for g in gates] == ["skene_gate_reports"]
    assert all(not getattr(g, "dependencies", []) for g in gates)


def test_the_wrap_takes_a_handler_user_gate_over_at_its_first_request(client, gated_app, app_db):
    from testapp.skene import _endpoint_call

    route = _route(gated_app, "/api/taken")
    before = [g.call for g in _gates(route.dependant)]
    assert len(before) == 1 and _endpoint_call.taken_over(route.dependant) == []
    first = client.post("/api/taken", headers=key(24))
    assert (first.status_code, first.headers["RateLimit-Remaining"]) == (200, "2")
    # FastAPI no longer solves the gate: the wrap enforces it.
    assert _gates(route.dependant) == []
    assert [g.call for g in _endpoint_call.taken_over(route.dependant)] == before
    put = client.put("/api/taken", headers=key(24))
    assert put.status_code == 200 and "RateLimit-Limit" not in put.headers
    answers = [client.post("/api/taken", headers=key(24)) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 402]
    assert [a.headers["RateLimit-Remaining"] for a in answers] == ["1", "0", "0"]
    assert answers[2].json()["error"] == "upgrade_required"
    assert client.post("/api/taken").status_code == 401
    assert app_db("SELECT used FROM skene_usage WHERE step_id='reports' AND user_key='24'") == [(3,)]


def test_a_request_solved_before_the_take_over_is_counted_once(client, gated_app, app_db):
    import asyncio

    import httpx
    from testapp.skene import _endpoint_call

    route = _route(gated_app, "/api/held")
    assert len(_gates(route.dependant)) == 1

    async def both():
        transport = httpx.ASGITransport(app=gated_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            # The first has passed the gate and waits in the next dependency while the second one's handler
            # call takes the gate over.
            held = asyncio.ensure_future(http.post("/api/held", headers=dict(key(25), **{"X-Hold": "0.5"})))
            await asyncio.sleep(0.2)
            quick = await http.post("/api/held", headers=key(25))
            assert _gates(route.dependant) == [] and len(_endpoint_call.taken_over(route.dependant)) == 1
            return quick, await held

    quick, held = asyncio.run(both())
    assert (quick.status_code, quick.headers["RateLimit-Remaining"]) == (200, "2")
    assert (held.status_code, held.headers["RateLimit-Remaining"]) == (200, "1")
    assert app_db("SELECT used FROM skene_usage WHERE step_id='reports' AND user_key='25'") == [(2,)]


def test_a_gate_nested_in_another_dependency_stays_a_dependency_and_counts(client, gated_app, app_db):
    from testapp.skene import _endpoint_call

    assert [client.post("/api/nested", headers=key(26)).status_code for _ in range(4)] == [200, 200, 200, 402]
    route = _route(gated_app, "/api/nested")
    assert _endpoint_call.taken_over(route.dependant) == []
    assert [len(_gates(sub)) for sub in route.dependant.dependencies if sub.call.__name__ == "gated_inside"] == [1]
    assert app_db("SELECT used FROM skene_usage WHERE step_id='reports' AND user_key='26'") == [(3,)]


def test_without_install_the_gate_stays_a_dependency_and_counts(client, gated_app, app_db):
    from fastapi import Depends, FastAPI
    from fastapi.testclient import TestClient
    from testapp.deps import get_current_user
    from testapp.skene import _endpoint_call, gate

    bare = FastAPI()

    @bare.post("/bare", dependencies=[Depends(gate("reports", handler_user=True))])
    def bare_route(user=Depends(get_current_user)):
        return {"ok": True}

    with TestClient(bare) as bare_client:
        assert [bare_client.post("/bare", headers=key(27)).status_code for _ in range(4)] == [200, 200, 200, 402]
    route = _route(bare, "/bare")
    assert len(_gates(route.dependant)) == 1 and _endpoint_call.taken_over(route.dependant) == []
    assert app_db("SELECT used FROM skene_usage WHERE step_id='reports' AND user_key='27'") == [(3,)]


def test_a_handler_that_lost_its_user_parameter_fails_open_or_closed_and_says_so_once(client, app_db, caplog):
    with caplog.at_level(logging.ERROR, logger="skene"):
        assert [client.post("/api/unwired", headers=key(12)).status_code for _ in range(5)] == [200] * 5
        strict = [client.post("/api/unwired-strict", headers=key(12)) for _ in range(2)]
    assert [r.status_code for r in strict] == [503, 503]
    assert strict[0].json()["error"] == "usage_store_unavailable"
    assert app_db("SELECT COUNT(*) FROM skene_usage WHERE user_key='12'") == [(0,)]
    logged = [r.getMessage() for r in caplog.records if "no longer declares" in r.getMessage()]
    assert len(logged) == 2, logged
    assert "/api/unwired " in logged[0] and "get_current_user" in logged[0] and "fails open" in logged[0]
    assert "/api/unwired-strict" in logged[1] and "fails closed" in logged[1]


def test_shadow_mode_counts_and_records_but_never_blocks(client, app_db):
    from testapp.skene import wait_idle

    assert [client.post("/api/shadow", headers=key(7)).status_code for _ in range(3)] == [200, 200, 200]
    wait_idle()
    assert app_db("SELECT used FROM skene_usage WHERE step_id='shadow'") == [(1,)]
    assert app_db("SELECT kind FROM skene_events WHERE step_id='shadow'") == [("limit_reached",)]


def test_store_outage_fails_open_or_closed(client, gated_project, caplog):
    from testapp.skene import _store

    os.environ["SKENE_DATABASE_URL"] = "sqlite:///%s" % os.path.join(gated_project, "missing-dir", "x.db")
    _store.reset_store()
    try:
        assert [client.post("/api/reports", headers=key(8)).status_code for _ in range(5)] == [200] * 5
        strict = client.post("/api/strict", headers=key(8))
        assert strict.status_code == 503
        assert strict.json()["error"] == "usage_store_unavailable"
    finally:
        del os.environ["SKENE_DATABASE_URL"]
        _store.reset_store()
    assert client.post("/api/strict", headers=key(8)).status_code == 200


def test_annotated_alias_extracts_the_dependency(gated_app):
    from testapp.deps import CurrentUser, get_current_user
    from testapp.skene import _gate

    assert _gate._auth_dependency(CurrentUser) == (get_current_user, None)


def test_refund_server_errors_gives_back_only_5xx_and_errors_before_the_handler(client, app_db):
    def used():
        return app_db("SELECT used FROM skene_usage WHERE step_id='server-errors' AND user_key='9'")

    assert client.post("/api/server-errors", headers=key(9)).status_code == 200
    assert used() == [(1,)]
    # The handler did the work and then answered 4xx: it counts.
    assert client.post("/api/server-errors?fail=1", headers=key(9)).status_code == 422
    assert used() == [(2,)]
    # Raised before the handler body: request validation, and the app's own dependency.
    invalid = client.post("/api/server-errors?n=abc", headers=key(9))
    assert invalid.status_code == 422 and invalid.json()["detail"][0]["loc"][-1] == "n"
    assert used() == [(2,)]
    assert client.post("/api/server-errors", headers=dict(key(9), **{"X-Refuse": "1"})).status_code == 403
    assert used() == [(2,)]
    # A crash in the handler is a 500: given back.
    assert client.post("/api/server-errors?fail=2", headers=key(9)).status_code == 500
    assert used() == [(2,)]
    response = client.post("/api/server-errors", headers=key(9))
    assert response.status_code == 200 and response.headers["RateLimit-Remaining"] == "7"


def test_refund_never_counts_even_a_crash(client, app_db):
    assert client.post("/api/never?fail=2", headers=key(11)).status_code == 500
    assert client.post("/api/never", headers=key(11)).status_code == 200
    assert app_db("SELECT used FROM skene_usage WHERE step_id='never' AND user_key='11'") == [(2,)]


def test_skenes_routes_stand_before_an_apps_catch_all_and_are_found_by_name(client, gated_app):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient
    from testapp.skene import install

    app = FastAPI()
    install(app)

    @app.api_route("/{path:path}", methods=["GET", "PUT"])
    def catch_all(path: str):
        return {"caught": path}

    assert app.url_path_for("skene_upgrade_link", token="t0k") == "/skene/upgrade/t0k"
    with TestClient(app) as bare_client:
        link = bare_client.get("/skene/upgrade/not-a-token", follow_redirects=False)
        # skene's own answer to a token it cannot read, not the catch-all's.
        assert link.status_code in (302, 404) and "caught" not in link.text
        assert bare_client.get("/api/anything").json() == {"caught": "api/anything"}
        # A method skene's route does not take falls to the app's route that takes it, as Starlette matches.
        assert bare_client.put("/skene/upgrade/x").json() == {"caught": "skene/upgrade/x"}
        assert bare_client.post("/skene/upgrade/x").status_code == 405
