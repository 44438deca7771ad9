"""Pages under load: 50 users (county coordinators, province admins, one national admin) for 60 s against
gunicorn, each page's p95 over a static file's p95 in the same run.

    .venv/bin/pip install -e ".[test,bench]"    # locust
    .venv/bin/python bench/load.py [--scale 0.2] [--users 50] [--seconds 60] [--workers 3] [--port 55532]

Builds the national database on a throw-away PostgreSQL as bench/app_national.py does (`--scale`: the
share of each province's counties), computes the results, collects the static files as production does
(hashed names, gzipped copies) with --collect, starts gunicorn (`--workers`, served by WhiteNoise, no nginx), then:
  one user  the national overview and results pages, each fetched 5 times by the national admin alone
            (median), before any load;
  load      locust, headless: one national admin, one province admin in six, the rest county
            coordinators, each signed in before the run (with --login-form: through the login form
            when it starts), browsing what that role browses
            with 1–3 s between pages; every user also fetches a static file (app.css; by its hashed name with --collect). Each
            province admin works in its own province's cycle (a province office does not open the
            national one); the ratio leaves out the login, slow on purpose (Argon2).
Prints p50/p95 per page, each page's p95 over the static file's p95, the workers' peak memory; the last
line holds key=value pairs: ratio=<slowest page p95 / static p95> static_p95_ms= worst= national_results_ms=
national_overview_ms= failures= requests= worker_peak_mib= users= redis= scale=.
With redis-server installed, the workers share a throw-away Redis cache as production's do (REDIS_URL);
--no-redis gives each worker its own.
"""

from __future__ import annotations

import argparse
import csv
import http.cookiejar
import json
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from app_national import build, full_recompute, setup_django, start_postgres  # noqa: E402

LOCUSTFILE = BENCH / "_load_users.py"


def collect_static(env: dict) -> str:
    """collectstatic with hashed names and compressed copies; returns app.css's hashed URL."""
    subprocess.run([sys.executable, "-m", "django", "collectstatic", "--noinput", "-v0"], env=env, check=True)
    manifest = json.loads((Path(env["DUTYEVAL_VAR_DIR"]) / "static" / "staticfiles.json").read_text())
    return "/static/" + manifest["paths"]["dutyeval/app.css"]


def start_gunicorn(env: dict, port: int, workers: int, log: Path) -> subprocess.Popen:
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers),
           "GUNICORN_ACCESS_LOG": "/dev/null", "GUNICORN_LOG_LEVEL": "warning"}  # fmt: skip
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen([str(gunicorn), "-c", str(ROOT / "deploy" / "gunicorn.conf.py")], env=env,
                            stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    for _ in range(360):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
            return proc
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer:\n{log.read_text()[-3000:]}")


def _province_cycles(national) -> dict[str, dict]:
    """Each province's own cycle over its counties (a province office sees its cycles, not the national
    one), with results: province prefix → {"cycle": pk, "subs": [submission ids]}."""
    from dutyeval.evaluation.models import Cycle, Submission
    from dutyeval.regions.models import Region

    out = {}
    for province in Region.objects.filter(level="province").order_by("code"):
        counties = list(Submission.objects.filter(cycle=national, region__code__startswith=province.code[:2])
                        .values_list("region_id", flat=True))  # fmt: skip
        if not counties:
            continue
        cycle = Cycle.objects.create(name=f"{province.name}2021年评价（负载测试）", scheme=national.scheme, year=2021,
                                     data_year=national.data_year, root=province)  # fmt: skip
        Submission.objects.bulk_create(
            [Submission(cycle=cycle, region_id=r, state="submitted") for r in counties]
        )
        full_recompute(Cycle.objects.select_related("scheme").get(pk=cycle.pk))
        out[province.code[:2]] = {
            "cycle": cycle.pk,
            "subs": list(Submission.objects.filter(cycle=cycle).values_list("pk", flat=True)),
        }
    return out


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis(tmp: Path) -> tuple[str, subprocess.Popen] | None:
    """A throw-away Redis for the cache the gunicorn workers share, as production has it (REDIS_URL);
    None where redis-server is not installed (`bash scripts/setup.sh --test` installs it)."""
    exe = shutil.which("redis-server")
    if exe is None:
        print("redis-server is not installed: each gunicorn worker keeps its own cache (unlike production)")
        return None
    import socket

    port = _free_port()
    proc = subprocess.Popen([exe, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
                             "--dir", str(tmp)], stdout=subprocess.DEVNULL)  # fmt: skip
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return f"redis://127.0.0.1:{port}/0", proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("redis-server did not answer")


def worker_peaks(master: int) -> list[float]:
    """Peak resident memory (VmHWM) of each gunicorn worker, MiB."""
    out = []
    for child in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        status = Path(f"/proc/{child}/status").read_text()
        out.append(int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024)
    return out


def one_user(port: int, cycle_pk: int, password: str) -> dict[str, float]:
    """The national admin alone: each national page 5 times, median seconds."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    page = opener.open(f"{base}/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"username": "national", "password": password, "csrfmiddlewaretoken": token}
    )
    opener.open(
        urllib.request.Request(f"{base}/login/", data.encode(), headers={"Referer": f"{base}/login/"})
    )
    out = {}
    for name, path in (("overview", f"/cycles/{cycle_pk}/"), ("results", f"/cycles/{cycle_pk}/results/")):
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            body = opener.open(
                urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip"})
            ).read()
            times.append(time.perf_counter() - t0)
        out[name] = statistics.median(times)
        out[name + "_kb"] = len(body) / 1024
    return out


def signed_in(subs, provinces, users: int) -> dict:
    """A session per bench user, made before the run as a sign-in would make it, so the timed minute
    measures the pages: with the login form, 50 Argon2 hashes at the start held all the workers and
    every page (the static file too) queued behind them for half the run."""
    from django.conf import settings
    from django.test import Client

    from dutyeval.accounts.models import User

    names = ["national", *(f"p{p}" for p in provinces), *(f"c{code}" for _pk, code in subs[:users])]
    sessions = {}
    for user in User.objects.filter(username__in=names):
        client = Client()
        client.force_login(user)
        sessions[user.username] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"sessions": sessions, "session_cookie": settings.SESSION_COOKIE_NAME}


def read_stats(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats.csv", newline="") as f:
        return [row for row in csv.DictReader(f) if row["Name"] != "Aggregated"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=2021)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--port", type=int, default=55532, help="PostgreSQL (gunicorn takes a free port)")
    ap.add_argument(
        "--login-form",
        action="store_true",
        help="every user signs in through the form when it starts (50 Argon2 hashes in the first seconds, "
        "which hold every worker); by default the users are signed in before the run",
    )
    ap.add_argument(
        "--collect", action="store_true", help="collectstatic with hashed, compressed files first"
    )
    ap.add_argument(
        "--no-redis",
        action="store_true",
        help="no shared cache: each gunicorn worker caches for itself (by default a throw-away Redis, as production)",
    )
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="dutyeval-load."))
    stop = start_postgres(args.port)
    gunicorn = redis = None
    try:
        setup_django(args.port, str(tmp / "var"))
        from dutyeval.evaluation.models import Cycle

        t0 = time.perf_counter()
        ns = build(args.scale, args.seed)
        cycle = Cycle.objects.select_related("scheme").get(pk=ns.cycle.pk)
        full_recompute(cycle)
        from dutyeval.evaluation.recompute import word_task

        word_task.call_local(
            cycle.pk
        )  # as the worker does after a full recompute: the words, a batch at a time
        province_cycles = _province_cycles(cycle)
        print(
            f"data: {ns.counties} counties, {ns.values} values, results computed ({time.perf_counter() - t0:.1f} s)"
        )
        env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1,localhost",
               "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}  # fmt: skip
        if args.collect:  # as production: hashed names, compressed copies (minutes where brotli is installed)
            env["DUTYEVAL_STATIC_MANIFEST"] = "true"
            static_url = collect_static(env)
        else:  # WhiteNoise serves the files from the finders, as the demo does
            static_url = "/static/dutyeval/app.css"
        redis = None if args.no_redis else start_redis(tmp)
        if redis is not None:  # the shared cache; the task queue too, though these users queue no job
            env["REDIS_URL"] = redis[0]
        from django.db import connections

        connections.close_all()
        web = _free_port()
        gunicorn = start_gunicorn(env, web, args.workers, tmp / "gunicorn.log")
        alone = one_user(web, cycle.pk, ns.password)
        print(f"one user, national admin: overview {alone['overview'] * 1000:.0f} ms ({alone['overview_kb']:.0f} KB"
              f" gzipped), results {alone['results'] * 1000:.0f} ms ({alone['results_kb']:.0f} KB gzipped)")  # fmt: skip

        subs = [(s.pk, s.region.code) for s in ns.subs]
        provinces = sorted(province_cycles, key=lambda p: -len(province_cycles[p]["subs"]))
        config = {"cycle": cycle.pk, "static": static_url, "password": ns.password, "subs": subs,
                  "provinces": provinces, "users": args.users, "province_cycles": province_cycles}  # fmt: skip
        if not args.login_form:
            config.update(signed_in(subs, provinces, args.users))
        (tmp / "load.json").write_text(json.dumps(config))
        prefix = tmp / "locust"
        locust = Path(sys.executable).with_name("locust")
        subprocess.run(
            [str(locust), "-f", str(LOCUSTFILE), "--headless", "-u", str(args.users), "-r", "10",
             "-t", f"{args.seconds}s", "--host", f"http://127.0.0.1:{web}", "--csv", str(prefix),
             "--only-summary", "--loglevel", "WARNING"],
            env={**env, "DUTYEVAL_LOAD_CONFIG": str(tmp / "load.json")}, check=False,
        )  # fmt: skip
        peaks = worker_peaks(gunicorn.pid)
        stats = read_stats(prefix)
        static = next(s for s in stats if s["Name"] == "static")
        static_p95 = float(static["95%"])
        print(f"\n{'page':<28}{'requests':>9}{'fail':>6}{'p50 ms':>9}{'p95 ms':>9}{'p95/static':>12}")
        worst, worst_ratio = "", 0.0
        for s in sorted(stats, key=lambda s: s["Name"]):
            ratio = float(s["95%"]) / static_p95 if static_p95 else math.inf
            if s["Name"] not in ("static", "login") and ratio > worst_ratio:
                worst, worst_ratio = s["Name"], ratio
            print(f"{s['Name']:<28}{s['Request Count']:>9}{s['Failure Count']:>6}{s['50%']:>9}{s['95%']:>9}"
                  f"{ratio:>12.2f}")  # fmt: skip
        requests = sum(int(s["Request Count"]) for s in stats)
        failures = sum(int(s["Failure Count"]) for s in stats)
        print(f"\ngunicorn workers ({args.workers}): peak memory {', '.join(f'{p:.0f}' for p in peaks)} MiB")
        print(
            f"ratio={worst_ratio:.2f} static_p95_ms={static_p95:.0f} worst={worst}"
            f" national_results_ms={alone['results'] * 1000:.0f} national_overview_ms={alone['overview'] * 1000:.0f}"
            f" failures={failures} requests={requests} worker_peak_mib={max(peaks):.0f} users={args.users}"
            f" redis={'yes' if redis else 'no'}"
            f" scale={args.scale}"
        )
    finally:
        if gunicorn is not None:
            os.killpg(gunicorn.pid, signal.SIGTERM)
            gunicorn.wait(timeout=30)
        if redis is not None:
            redis[1].terminate()
        from django.db import connections

        connections.close_all()
        stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
