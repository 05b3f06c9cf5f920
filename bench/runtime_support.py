"""Python side of `npm run bench:runtime`, driven by bench/runtime.bench.ts.

Reuses the runtime tests' helpers (test/python/support.py): the gated test app with the runtime rendered
by skene's own build, signed Stripe events, and a throwaway PostgreSQL cluster.

  render <target>                     copy test/python/apps/gated to <target>, render the runtime, add the bench app
  prepare <target> <db url> <users>   app tables and users; one paid user (signed webhook); every user blocked on `blocked`
  postgres                            start PostgreSQL, print {"url": ...}, stop it when stdin closes
  usage <target> <db url> <step>      {"used": total units counted for <step>}
  microbench <target> <db url> <n>    time the store's statements in-process, per call (where the gate's time goes)
  asgi <target> <db url> <n> [one|all]
                                      drive the ungated and gated apps as ASGI callables in-process (no HTTP), CPU
                                      per request, and a cProfile of the gated requests' event-loop thread; `one`
                                      keeps every thread of the process on one CPU (see bench/runtime.bench.ts)
  instructions <target> <db url> <n>  the same in-process requests under valgrind's callgrind: instructions
                                      per request of each scenario, all threads (repeatable on a busy machine)
"""
import json
import os
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "test", "python"))

import support  # noqa: E402

HIGH_LIMIT = 10 ** 9
PAID_USER = 1
STEPS = [
    # Free users far below their limit and one paid (unlimited) user: every request takes the counting path.
    support.step("bench", "/api/work", {"free": HIGH_LIMIT, "paid": None}),
    # Limit 1: after one request each user is blocked and every request takes the 402 path.
    support.step("blocked", "/api/blocked", {"free": 1, "paid": 1}),
]


def render(target):
    support.render_project("gated", target, support.analysis_for("testapp"), support.compiled_loop(STEPS))
    shutil.copy(os.path.join(HERE, "runtime_app.py"), os.path.join(target, "testapp", "bench_app.py"))


def _use_project(target, database_url, gated):
    os.environ["TESTAPP_DATABASE_URL"] = database_url
    os.environ["STRIPE_WEBHOOK_SECRET"] = support.WEBHOOK_SECRET
    os.environ["BENCH_GATED"] = "1" if gated else "0"
    os.environ.pop("SKENE_DATABASE_URL", None)
    sys.path.insert(0, target)


def prepare(target, database_url, users):
    _use_project(target, database_url, gated=True)
    from fastapi.testclient import TestClient

    from testapp.bench_app import app
    from testapp.db import init_db

    init_db(users=users)
    with TestClient(app) as client:
        sub = support.subscription("sub_bench", "cus_bench", "active", user_id=PAID_USER)
        payload = json.dumps(support.stripe_event("evt_bench_paid", "customer.subscription.created", sub)).encode()
        response = client.post(
            "/skene/webhooks/stripe", content=payload,
            headers={"Stripe-Signature": support.sign(payload), "Content-Type": "application/json"},
        )
        if response.status_code != 200:
            raise SystemExit("the paid user's webhook was refused: %d %s" % (response.status_code, response.text))
        statuses = {}
        for user in range(1, users + 1):
            for _ in range(2):
                status = client.post("/api/blocked", headers={"X-API-Key": "key-%d" % user}).status_code
                statuses[status] = statuses.get(status, 0) + 1
    if statuses != {200: users, 402: users}:
        raise SystemExit("pre-blocking users gave %r, expected one 200 and one 402 each" % statuses)
    print(json.dumps({"users": users, "paid_user": PAID_USER}))


def usage(target, database_url, step_id):
    _use_project(target, database_url, gated=True)
    from testapp.skene import get_store

    store = get_store()
    rows = store.run(lambda cur: store.execute(cur, "SELECT COALESCE(SUM(used), 0) FROM skene_usage WHERE step_id = :step_id", {"step_id": step_id}).fetchone())
    print(json.dumps({"used": int(rows[0])}))


def microbench(target, database_url, calls):
    """Times the store's calls one after another on one thread, so the figures are the store's own cost:
    a blocked user's consume() is the read alone; a free user's adds the atomic upsert; consume_async()
    from a running event loop adds the hand-off to skene's threads when the work cannot run on the loop."""
    import asyncio

    _use_project(target, database_url, gated=True)
    from testapp.skene import _config
    from testapp.skene import get_store

    store = get_store()
    step = _config.STEPS["bench"]
    blocked = _config.STEPS["blocked"]
    free_user = lambda i: str(2 + i % 50)  # noqa: E731

    def timed(label, fn):
        fn(0)  # opens the connection, creates the tables once
        started = time.perf_counter()
        for i in range(calls):
            fn(i)
        return {"what": label, "us": round((time.perf_counter() - started) / calls * 1e6, 1)}

    def timed_async(label, make):
        async def loop():
            await make(0)
            started = time.perf_counter()
            for i in range(calls):
                await make(i)
            return time.perf_counter() - started

        return {"what": label, "us": round(asyncio.run(loop()) / calls * 1e6, 1)}

    results = [
        timed("consume(), blocked user: the read alone", lambda i: store.consume(blocked, free_user(i))),
        timed("consume(), free user: read + bounded upsert", lambda i: store.consume(step, free_user(i))),
        timed("consume(), paid user: read + unbounded upsert", lambda i: store.consume(step, str(PAID_USER))),
    ]
    consume_async = getattr(store, "consume_async", None)
    if consume_async is not None:
        results += [
            timed_async("await consume_async(), blocked user (on the event loop)", lambda i: consume_async(blocked, free_user(i))),
            timed_async("await consume_async(), free user (on the event loop)", lambda i: consume_async(step, free_user(i))),
        ]
    results += [
        timed("store.run(SELECT 1): one driver round trip", lambda i: store.run(lambda cur: store.execute(cur, "SELECT 1").fetchall())),
        timed("store.run() doing nothing: connection checkout", lambda i: store.run(lambda cur: None)),
    ]
    print(json.dumps(results))


def _load_bench_app(target, variant):
    """A separate instance of testapp.bench_app; variant is a BENCH_GATED value (0, 1, installed)."""
    import importlib.util

    os.environ["BENCH_GATED"] = variant
    spec = importlib.util.spec_from_file_location(
        "bench_app_%s" % variant, os.path.join(target, "testapp", "bench_app.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.app


async def _asgi_request(app, path, api_key):
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
        "headers": [(b"host", b"bench"), (b"x-api-key", api_key.encode()), (b"content-length", b"0")],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80),
    }
    status = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    return status[0]


def _fastapi_handler_call(apps):
    """use(app): the ungated app's requests run FastAPI's own run_endpoint_function. Importing the gated app
    wrapped it for the whole process (skene's _endpoint_call.py); an app without skene has no such wrap."""
    from fastapi import routing

    wrapped = routing.run_endpoint_function
    runtime = sys.modules.get("testapp.skene._endpoint_call")
    original = getattr(runtime, "call_handler", None) or wrapped

    def use(app):
        routing.run_endpoint_function = original if app is apps["ungated"] else wrapped

    return use


# The in-process scenarios: (name, app, path, expected status, one bare driver's count before the request).
SCENARIOS = [
    ("ungated", "ungated", "/api/work", 200, False),
    ("installed, no gate on the route", "installed", "/api/work", 200, False),
    ("gated, counting", "gated", "/api/work", 200, False),
    ("gated, blocked (402)", "gated", "/api/blocked", 402, False),
    ("ungated + a bare driver's count", "ungated", "/api/work", 200, True),
]


class BareCount(object):
    """One counted write done with the database's own driver on a connection of its own, in a scratch
    table of the app's database: one autocommitted upsert, the least any per-request counter kept in that
    database does (its statement, and what a write by another connection costs the app's own queries)."""

    def __init__(self, database_url):
        if database_url.startswith("sqlite"):
            import sqlite3

            self.conn = sqlite3.connect(database_url.split("sqlite:///", 1)[1], isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            placeholder = "?"
        else:
            import psycopg2

            self.conn = psycopg2.connect(database_url)
            self.conn.autocommit = True
            placeholder = "%s"
        self.cursor = self.conn.cursor()
        self.cursor.execute("CREATE TABLE IF NOT EXISTS bench_bare_count (user_key TEXT PRIMARY KEY, used INTEGER)")
        self.statement = (
            "INSERT INTO bench_bare_count VALUES (%s, 1) ON CONFLICT (user_key) "
            "DO UPDATE SET used = bench_bare_count.used + 1 RETURNING used" % placeholder
        )

    def count(self, user_key):
        self.cursor.execute(self.statement, (user_key,))
        self.cursor.fetchall()


def asgi(target, database_url, calls, cpus="all"):
    """CPU per request of each scenario without HTTP in the way, then where the gated time goes.

    The scenarios take turns request by request (the order rotating), and each request's CPU time (the
    whole process's, so the threadpool's share counts) is one sample: the figure is the median, which a
    neighbour's burst on a shared machine moves far less than a batch's mean. cpus="one": the process and
    the threads it starts (they inherit it) run on one CPU, so the event loop's thread and the threadpool's
    hand the request over on the same CPU."""
    if cpus == "one":
        os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})
    import asyncio
    import cProfile
    import pstats
    import resource
    import statistics

    _use_project(target, database_url, gated=True)
    apps = {"ungated": _load_bench_app(target, "0"), "installed": _load_bench_app(target, "installed"), "gated": _load_bench_app(target, "1")}
    bare = BareCount(database_url)
    scenarios = SCENARIOS
    users = 200

    use = _fastapi_handler_call(apps)

    async def one(app_name, path, expected, user):
        use(apps[app_name])
        status = await _asgi_request(apps[app_name], path, "key-%d" % (user % users + 1))
        if status != expected:
            raise SystemExit("%s answered %d, expected %d" % (path, status, expected))

    async def measure():
        cpu = {name: [] for name, *_ in scenarios}
        wall = {name: [] for name, *_ in scenarios}
        kernel = {name: 0.0 for name, *_ in scenarios}
        for name, app_name, path, expected, counted in scenarios:
            for user in range(users):  # warm-up: every user has its rows
                if counted:
                    bare.count(str(user))
                await one(app_name, path, expected, user)

        async def take_turns(names, samples, walls, kernels):
            chosen = [scenario for scenario in scenarios if scenario[0] in names]
            for i in range(calls):
                for k in range(len(chosen)):
                    name, app_name, path, expected, counted = chosen[(i + k) % len(chosen)]
                    started_kernel = resource.getrusage(resource.RUSAGE_SELF).ru_stime
                    started, started_cpu = time.perf_counter(), time.process_time()
                    if counted:
                        bare.count(str(i % users))
                    await one(app_name, path, expected, i)
                    samples[name].append(time.process_time() - started_cpu)
                    walls[name].append(time.perf_counter() - started)
                    kernels[name] += resource.getrusage(resource.RUSAGE_SELF).ru_stime - started_kernel

        # skene's scenarios first, then the bare count beside the ungated app in a round of its own: a
        # second connection writing between skene's requests would make skene's writes re-read what it
        # changed, and so inflate the figure the target is about.
        bare_names = [name for name, *_, counted in scenarios if counted]
        await take_turns([name for name, *_ in scenarios if name not in bare_names], cpu, wall, kernel)
        round_names = ["ungated"] + bare_names
        reference = {name: [] for name in round_names}
        reference_wall = {name: [] for name in round_names}
        reference_kernel = {name: 0.0 for name in round_names}
        await take_turns(round_names, reference, reference_wall, reference_kernel)
        for name in bare_names:
            cpu[name], wall[name], kernel[name] = reference[name], reference_wall[name], reference_kernel[name]
        profiles = {}
        for name, app_name, path, expected, _ in scenarios[2:4]:
            profiler = cProfile.Profile()
            profiler.enable()
            for i in range(calls // 2):
                await one(app_name, path, expected, i + 7)
            profiler.disable()
            profiles[name] = profiler
        return cpu, wall, kernel, reference["ungated"], profiles

    cpu, wall, kernel, reference_ungated, profiles = asyncio.run(measure())
    result = {"per_request": [
        {
            "scenario": name,
            "cpu_us": round(statistics.median(cpu[name]) * 1e6, 1),
            "cpu_mean_us": round(statistics.mean(cpu[name]) * 1e6, 1),
            "kernel_us": round(kernel[name] / calls * 1e6, 1),
            "wall_us": round(statistics.median(wall[name]) * 1e6, 1),
            # The bare count's own round: its added CPU is against the ungated requests of that round.
            **({"baseline_cpu_us": round(statistics.median(reference_ungated) * 1e6, 1)} if counted else {}),
        }
        for name, *_, counted in scenarios
    ], "cpus": len(os.sched_getaffinity(0)), "profiles": {}}
    for name, profiler in profiles.items():
        stats = pstats.Stats(profiler)
        rows = []
        for (filename, line, function), (cc, nc, tottime, cumtime, callers) in stats.stats.items():
            if "/skene/" not in filename:
                continue
            rows.append({
                "function": "%s:%d %s" % (os.path.relpath(filename, target), line, function),
                "calls_per_request": round(nc / (calls // 2), 2),
                "self_us": round(tottime / (calls // 2) * 1e6, 1),
                "cumulative_us": round(cumtime / (calls // 2) * 1e6, 1),
            })
        rows.sort(key=lambda row: -row["cumulative_us"])
        result["profiles"][name] = rows[:12]
    print(json.dumps(result))


def _instructions_child(target, database_url, calls):
    """Run under callgrind with --dump-before=getppid: os.getppid() (which nothing else here calls) ends one
    dump, so each scenario's `calls` requests are one dump of their own, after a warm-up of every scenario."""
    import asyncio

    _use_project(target, database_url, gated=True)
    apps = {"ungated": _load_bench_app(target, "0"), "installed": _load_bench_app(target, "installed"), "gated": _load_bench_app(target, "1")}
    bare = BareCount(database_url)
    users = 200

    use = _fastapi_handler_call(apps)

    async def batch(app_name, path, expected, counted, n, offset):
        app = apps[app_name]
        use(app)
        for i in range(n):
            if counted:
                bare.count(str((offset + i) % users))
            status = await _asgi_request(app, path, "key-%d" % ((offset + i) % users + 1))
            if status != expected:
                raise SystemExit("%s answered %d, expected %d" % (path, status, expected))

    async def measure():
        for _, app_name, path, expected, counted in SCENARIOS:
            await batch(app_name, path, expected, counted, users, 0)  # warm-up: every user has its rows
        os.getppid()
        for index, (_, app_name, path, expected, counted) in enumerate(SCENARIOS):
            await batch(app_name, path, expected, counted, calls, 1000 * index)
            os.getppid()

    asyncio.run(measure())


def instructions(target, database_url, calls):
    """Instructions per request of each scenario, counted by callgrind over every thread of the process."""
    import glob
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as out:
        command = [
            "valgrind", "--tool=callgrind", "--dump-before=getppid", "--dump-instr=no", "--compress-strings=no",
            "--callgrind-out-file=%s" % os.path.join(out, "cg.out"),
            sys.executable, os.path.abspath(__file__), "_instructions_child", target, database_url, str(calls),
        ]
        # A fixed hash seed: the same dict and set layouts on every run, so the counts repeat.
        env = dict(os.environ, PYTHONHASHSEED="0")
        done = subprocess.run(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, env=env
        )
        if done.returncode != 0:
            raise SystemExit("callgrind run failed:\n%s%s" % (done.stdout, done.stderr[-3000:]))
        totals = {}
        for path in glob.glob(os.path.join(out, "cg.out.*")):
            with open(path) as dump:
                for line in dump:
                    if line.startswith("totals:"):
                        totals[int(path.rsplit(".", 1)[1])] = int(line.split()[1])
    # Dump 1 is start-up and warm-up; dump 2 + i is scenario i.
    if len(totals) < len(SCENARIOS) + 1:
        raise SystemExit("callgrind wrote %d dumps, expected %d" % (len(totals), len(SCENARIOS) + 1))
    rows = [
        {"scenario": name, "instructions": round(totals[2 + index] / calls)}
        for index, (name, *_) in enumerate(SCENARIOS)
    ]
    print(json.dumps({"calls": calls, "python": sys.version.split()[0], "per_request": rows}))


def postgres():
    server = support.Postgres()
    try:
        print(json.dumps({"url": server.url}), flush=True)
        sys.stdin.read()
    finally:
        server.stop()


def main(argv):
    command, args = argv[1], argv[2:]
    if command == "render":
        render(args[0])
    elif command == "prepare":
        prepare(args[0], args[1], int(args[2]))
    elif command == "usage":
        usage(args[0], args[1], args[2])
    elif command == "microbench":
        microbench(args[0], args[1], int(args[2]))
    elif command == "asgi":
        asgi(args[0], args[1], int(args[2]), args[3] if len(args) > 3 else "all")
    elif command == "instructions":
        instructions(args[0], args[1], int(args[2]))
    elif command == "_instructions_child":
        _instructions_child(args[0], args[1], int(args[2]))
    elif command == "postgres":
        postgres()
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
