"""Smoke and restore tests of the production stack (deploy/), started by scripts/stack.sh:

nginx (TLS) → gunicorn → PostgreSQL, with recomputations queued in Redis and run by a separate
huey worker. Skipped unless DUTYEVAL_STACK_URL is set; run them with `bash scripts/stack.sh`.
Only the standard library and psycopg: no Django in this process, everything goes over HTTPS
as a browser would, and the database is only read to see what the worker did.
"""

from __future__ import annotations

import gzip
import http.client
import http.cookiejar
import json
import os
import re
import signal
import ssl
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

URL = os.environ.get("DUTYEVAL_STACK_URL", "")
pytestmark = [
    pytest.mark.stack,
    pytest.mark.skipif(not URL, reason="needs the running stack: bash scripts/stack.sh"),
]
ROOT = Path(__file__).resolve().parents[2]


def _env(name: str) -> str:
    return os.environ[f"DUTYEVAL_STACK_{name}"]


def _tls() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=_env("CAFILE"))  # verified, against the stack's own certificate


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies, CSRF token, Referer and Origin as a browser sends them."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=_tls()), urllib.request.HTTPCookieProcessor(self.jar)
        )

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(URL + path, timeout=30) as resp:
            return resp.geturl(), resp.read().decode("utf-8")

    def post(self, path: str, fields: list[tuple[str, str]]) -> tuple[str, str]:
        req = urllib.request.Request(
            URL + path, data=urllib.parse.urlencode(fields).encode(), method="POST",
            headers={"Referer": URL + path, "Origin": URL, "Content-Type": "application/x-www-form-urlencoded"},
        )
        with self.opener.open(req, timeout=60) as resp:
            return resp.geturl(), resp.read().decode("utf-8")


class Forms(HTMLParser):
    """Every <form>: its method and its submittable fields (name, value, type), in page order."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"method": (a.get("method") or "get").lower(), "action": a.get("action"), "fields": []})
        elif tag in ("input", "textarea", "select") and self.forms and a.get("name") and "disabled" not in a:
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.forms[-1]["fields"].append((a["name"], a.get("value") or "", a.get("type", "text")))


def _csrf(html: str) -> str:
    m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def _db():
    import psycopg

    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)


def test_health_through_nginx_reports_database_and_redis_queue():
    with urllib.request.urlopen(URL + "/healthz", context=_tls(), timeout=10) as resp:
        assert resp.status == 200
        body = json.loads(resp.read())
    assert body["status"] == body["database"] == body["queue"] == "ok"
    assert body["queue_mode"] == "worker"  # Redis, not inline


def test_django_sets_the_https_headers_behind_nginx():
    with urllib.request.urlopen(URL + "/login/", context=_tls(), timeout=10) as resp:
        headers = resp.headers
    assert "max-age=" in headers["Strict-Transport-Security"]  # Django saw HTTPS (X-Forwarded-Proto)
    assert headers["X-Content-Type-Options"] == "nosniff"
    cookies = headers.get_all("Set-Cookie") or []
    assert cookies and all("Secure" in c for c in cookies), cookies


def test_plain_http_is_sent_to_https():
    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as exc:
        opener.open(_env("HTTP_URL") + "/login/", timeout=10)
    assert exc.value.code == 301
    assert exc.value.headers["Location"].startswith("https://")


def test_static_files_come_from_nginx():
    static = Path(_env("STATIC_ROOT"))
    asset = next(static.rglob("htmx.min.js"))
    with urllib.request.urlopen(f"{URL}/static/{asset.relative_to(static).as_posix()}", context=_tls()) as resp:
        assert resp.read() == asset.read_bytes()
        assert "max-age=604800" in resp.headers["Cache-Control"]  # nginx's `expires 7d`, not whitenoise


def test_hashed_static_files_are_kept_a_year_and_sent_gzipped():
    static = Path(_env("STATIC_ROOT"))
    asset = next(p for p in static.rglob("echarts.min.*.js") if re.search(r"\.[0-9a-f]{12}\.js$", p.name))
    request = urllib.request.Request(f"{URL}/static/{asset.relative_to(static).as_posix()}",
                                     headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, context=_tls()) as resp:
        assert resp.headers["Content-Encoding"] == "gzip" and "immutable" in resp.headers["Cache-Control"]
        assert gzip.decompress(resp.read()) == asset.read_bytes()


def test_upload_limit_is_enforced_by_nginx():
    host = urllib.parse.urlsplit(URL)
    conn = http.client.HTTPSConnection(host.hostname, host.port, context=_tls(), timeout=10)
    conn.putrequest("POST", "/s/1/excel/")
    conn.putheader("Content-Type", "multipart/form-data; boundary=x")
    conn.putheader("Content-Length", str(30 * 1024 * 1024))  # more than client_max_body_size 21m
    conn.endheaders()
    assert conn.getresponse().status == 413
    conn.close()


def _numeric_field(fields: list[tuple[str, str, str]]) -> int:
    """The index of a figure ≥ 100 to raise by one: a valid value, and always a change."""
    numeric = [i for i, (name, value, kind) in enumerate(fields)
               if kind == "text" and re.fullmatch(r"\d{3,}(\.\d+)?", value)]
    assert numeric, "no numeric field to change on the data form"
    return next((i for i in numeric if "." not in fields[i][1]), numeric[0])


def _editable_county() -> str:
    """A county whose submission is still open (draft or returned): only those may change data."""
    with _db() as db:
        row = db.execute("SELECT r.code FROM evaluation_submission s JOIN regions_region r ON r.id = s.region_id "
                         "WHERE s.state IN ('draft', 'returned') ORDER BY r.code LIMIT 1").fetchone()
    assert row, "the demo has no open submission"
    return f"c{row[0]}"


def test_county_changes_a_value_and_the_worker_recomputes():
    user, password = _editable_county(), _env("PASSWORD")  # every demo login has the same password
    b = Browser()
    _, page = b.get("/login/")
    url, page = b.post("/login/", [("csrfmiddlewaretoken", _csrf(page)), ("username", user), ("password", password)])
    # a county coordinator lands on 我的待办, whose task links to its open submission
    m = re.search(r'class="task-link" href="/s/(\d+)/"', page)
    assert m, f"after login a county coordinator sees its task list with its submission, not {url}"
    sub = int(m.group(1))

    path = f"/s/{sub}/data/finance/"
    _, page = b.get(path)
    form = max((f for f in Forms(page).forms if f["method"] == "post"), key=lambda f: len(f["fields"]))
    fields = form["fields"]
    i = _numeric_field(fields)
    name, old, _ = fields[i]
    fields[i] = (name, str(Decimal(old) + 1), "text")

    with _db() as db:
        last_job = db.execute("SELECT coalesce(max(id), 0) FROM evaluation_recomputejob").fetchone()[0]
        cycle, computed_before = db.execute(
            "SELECT s.cycle_id, r.computed_at FROM evaluation_submission s "
            "LEFT JOIN evaluation_result r ON r.submission_id = s.id WHERE s.id = %s", [sub]).fetchone()

        # The worker is paused while the web request runs: if the request computed inline, the job
        # would be done before the worker could have touched it.
        worker = int(_env("WORKER_PID"))
        os.kill(worker, signal.SIGSTOP)
        try:
            t_save = time.monotonic()
            _, page = b.post(path, [(n, v) for n, v, _ in fields])
            t_save = time.monotonic() - t_save
            saved = db.execute(
                "SELECT v.value FROM collection_datavalue v JOIN collection_dataelement e ON e.id = v.element_id "
                "JOIN evaluation_submission s ON s.region_id = v.region_id JOIN evaluation_cycle c ON c.id = s.cycle_id "
                "WHERE s.id = %s AND e.code = %s AND v.year = c.data_year", [sub, name]).fetchone()[0]
            errors = re.findall(r'<(?:li|div) class="(?:err|error|warning)"[^>]*>([^<]+)', page)
            assert saved == Decimal(old) + 1, f"the data form did not save {name}: {errors}"
            jobs = db.execute("SELECT id, state FROM evaluation_recomputejob WHERE id > %s AND cycle_id = %s",
                              [last_job, cycle]).fetchall()
            assert jobs and all(state == "queued" for _, state in jobs), jobs
            with urllib.request.urlopen(URL + "/healthz", context=_tls(), timeout=10) as resp:
                health = json.loads(resp.read())
            # (not health["queue_pending"]: a worker blocked in BRPOP takes the message out of Redis
            # even while it is stopped, the message then waits in its socket)
            assert health["jobs_queued"] >= 1
            time.sleep(1.0)
            assert db.execute("SELECT state FROM evaluation_recomputejob WHERE id = %s",
                              [jobs[-1][0]]).fetchone()[0] == "queued"
        finally:
            os.kill(worker, signal.SIGCONT)

        t_wait = time.monotonic()
        deadline = t_wait + 90
        while True:
            state, seconds = db.execute("SELECT state, seconds FROM evaluation_recomputejob WHERE id = %s",
                                        [jobs[-1][0]]).fetchone()
            if state in ("done", "failed") or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert state == "done", f"the recompute job ended as {state!r}"
        computed_after = db.execute("SELECT computed_at FROM evaluation_result WHERE submission_id = %s",
                                    [sub]).fetchone()[0]
        assert computed_before is None or computed_after > computed_before
    assert "recompute_task" in Path(_env("WORKER_LOG")).read_text("utf-8", "replace")
    print(f"\nsave through nginx {t_save:.2f} s; recompute by the worker {seconds:.2f} s "
          f"(done {time.monotonic() - t_wait:.2f} s after the worker resumed)")


# every result with its item rows (score, status, explanation of each item, and the subtotals)
SCORES = ("SELECT count(*), md5(coalesce(string_agg(r.submission_id || ':' || r.total || ':' || r.grade || ':' "
          "|| r.rank || ':' || (SELECT md5(coalesce(string_agg(i.code || '=' || i.score || i.status || i.explanation, "
          "';' ORDER BY i.code), '')) FROM evaluation_resultitem i WHERE i.result_id = r.id), ',' "
          "ORDER BY r.submission_id), '')) FROM evaluation_result r")


def _fingerprint(dsn: str) -> dict:
    import psycopg
    from psycopg import sql

    with psycopg.connect(dsn, autocommit=True) as db:
        tables = [t for (t,) in db.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_type = 'BASE TABLE' ORDER BY 1")]
        counts = {t: db.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))).fetchone()[0]
                  for t in tables}
        seqs = [s for (s,) in db.execute(
            "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = 'public' ORDER BY 1")]
        sequences = {s: db.execute(sql.SQL("SELECT last_value, is_called FROM {}").format(sql.Identifier(s))).fetchone()
                     for s in seqs}
        return {"counts": counts, "sequences": sequences, "scores": db.execute(SCORES).fetchone()}


def test_backup_restores_into_a_fresh_database_with_the_same_rows_and_scores(tmp_path):
    import psycopg

    dsn = os.environ["DATABASE_URL"]
    pgbin = Path(_env("PGBIN"))
    env = {**os.environ, "BACKUP_DIR": str(tmp_path), "PG_DUMP": str(pgbin / "pg_dump"),
           "PG_RESTORE": str(pgbin / "pg_restore")}
    t0 = time.monotonic()
    out = subprocess.run(["bash", str(ROOT / "deploy/backup/dutyeval-backup.sh")], env=env, check=True,
                         capture_output=True, text=True).stdout
    dump = Path(out.strip().splitlines()[-1])
    assert dump.is_file() and dump.suffix == ".dump"
    t_dump = time.monotonic() - t0

    fresh = dsn.rsplit("/", 1)[0] + "/dutyeval_restore_check"
    with psycopg.connect(dsn, autocommit=True) as db:
        db.execute("DROP DATABASE IF EXISTS dutyeval_restore_check")
        db.execute("CREATE DATABASE dutyeval_restore_check")
    try:
        t1 = time.monotonic()
        subprocess.run([str(pgbin / "pg_restore"), "--no-owner", "--exit-on-error",
                        "--single-transaction", f"--dbname={fresh}", str(dump)], check=True)
        t_restore = time.monotonic() - t1
        original, restored = _fingerprint(dsn), _fingerprint(fresh)
    finally:
        with psycopg.connect(dsn, autocommit=True) as db:
            db.execute("DROP DATABASE IF EXISTS dutyeval_restore_check")

    assert restored["counts"] == original["counts"]
    assert restored["sequences"] == original["sequences"]
    assert restored["scores"] == original["scores"]
    filled = {t: n for t, n in original["counts"].items() if n}
    assert original["scores"][0] >= 10 and len(filled) > 15, "the demo province should be in the database"
    print(f"\nbackup {dump.stat().st_size / 1e6:.1f} MB in {t_dump:.2f} s, restored in {t_restore:.2f} s; "
          f"{len(original['counts'])} tables ({len(filled)} with rows, {sum(filled.values())} rows), "
          f"{original['scores'][0]} results, scores md5 {original['scores'][1]}")
