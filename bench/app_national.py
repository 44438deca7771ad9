"""The application at national scale on PostgreSQL: full recompute with storage, one region's incremental
recompute and a one-value form save, against a read_sql + pandas + COPY baseline.

    .venv/bin/python bench/app_national.py [--scale 0.2] [--port 55532] [--repeat 2] [--keep DIR]

Starts a throw-away PostgreSQL cluster (as scripts/test.sh does, on its own port, fsync off), migrates,
and builds the national database: every county of GB/T 2260 (`--scale` takes that fraction of each
province's counties) with the demo's figures for five years, one national cycle of the Shanxi county
scheme over all of them, self scores for nine counties in ten and reviewer scores for one in five.
Then it times, best of `--repeat`:
  full      compute (read figures and scores, score every region) + store (typed rows: results and
            every item's numbers, COPY), as the recompute job runs it; the items' words (rule,
            explanation, figures) are written when a region is first read, timed as
  first     a scorecard's first view after it (that region worded) and its second view;
  words     the worker's pass that then words every other region, a batch at a time; and once,
  full_worded  the full recompute wording every region at once, as the store did before;
  baseline  what a competent pandas user writes for the same job: pd.read_sql of the figures and the
            scores, the vectorised pandas scoring of bench/national.py (every check and item as
            whole-column operations, one pivot), and COPY of the results and of one row per
            region and check the scheme's items read (it writes no explanations or figures: less than ours);
  one       one region's recompute after a change (that region's rows, then the cycle's ranks in SQL),
            for several regions (median and max);
  save      a one-value save of the finance form through Django's full request path as a county
            coordinator: with a worker (production: the request only queues the job) and inline
            (the embedded default, HUEY_IMMEDIATE: the one-region recompute runs in the request).
The last line holds key=value pairs: ratio=<full / baseline> (below 1: faster) full_s= baseline_s=
one_region_s= one_region_max_s= first_view_ms= words_s= full_worded_s= save_ms= save_inline_ms= national_overview_ms= national_results_ms= counties=
values= peak_mib= load= (the 1-minute load average at the end: this machine is shared) scale=.
"""

from __future__ import annotations

import argparse
import glob
import math
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


# --- a throw-away PostgreSQL -------------------------------------------------------------------


def start_postgres(port: int, keep: str | None = None):
    """initdb + pg_ctl start in a temporary folder, as scripts/test.sh does. Returns a stop function."""
    pgbin = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: [int(x) for x in Path(p).parent.name.split(".")]
    )[-1]
    pgdata = keep or tempfile.mkdtemp(prefix="dutyeval-bench-pg.")
    Path(pgdata).mkdir(parents=True, exist_ok=True)
    runas = []
    if os.getuid() == 0:
        shutil.chown(pgdata, "postgres")
        runas = ["runuser", "-u", "postgres", "--"]
    if not (Path(pgdata) / "PG_VERSION").exists():
        subprocess.run([*runas, f"{pgbin}/initdb", "-D", pgdata, "-A", "trust", "-U", "dutyeval", "-E", "UTF8"],
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    opts = f"-p {port} -k {pgdata} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=256MB"
    subprocess.run([*runas, f"{pgbin}/pg_ctl", "-D", pgdata, "-o", opts, "-w", "-l", f"{pgdata}/log", "start"],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip

    def stop():
        subprocess.run(
            [*runas, f"{pgbin}/pg_ctl", "-D", pgdata, "-m", "fast", "stop"], stdout=subprocess.DEVNULL
        )
        if not keep:
            shutil.rmtree(pgdata, ignore_errors=True)

    return stop


def setup_django(port: int, var_dir: str, database: str = "postgres") -> None:
    os.environ.update(
        DATABASE_URL=f"postgres://dutyeval@127.0.0.1:{port}/{database}",
        DJANGO_SETTINGS_MODULE="dutyeval.settings",
        DUTYEVAL_DEMO="true",
        DUTYEVAL_VAR_DIR=var_dir,
        HUEY_IMMEDIATE="false",  # production: a worker runs the jobs, a request only queues them
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# --- the national database -----------------------------------------------------------------------


def copy_rows(model, fields: list[str], rows) -> int:
    """COPY rows (tuples in `fields` order, foreign keys as ids) into a model's table."""
    from django.db import connection

    columns = ", ".join(model._meta.get_field(f).column for f in fields)
    n = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as cp,
    ):
        for row in rows:
            cp.write_row(row)
            n += 1
    return n


def build(scale: float, seed: int) -> SimpleNamespace:
    """Every province's counties (a `scale` share of each), their figures, one national cycle with scores."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from dutyeval.accounts.models import User
    from dutyeval.collection.models import DataElement, DataValue
    from dutyeval.collection.services import sync_catalogue
    from dutyeval.core.schemefile import library_paths
    from dutyeval.evaluation.demo import YEARS, county_figures, county_traits
    from dutyeval.evaluation.models import Cycle, ItemScore, Submission
    from dutyeval.regions.models import Region
    from dutyeval.regions.services import load_regions
    from dutyeval.schemes.models import Indicator
    from dutyeval.schemes.services import freeze, import_scheme_file

    rng = random.Random(seed)
    load_regions()
    sync_catalogue()
    nation, _ = Region.objects.get_or_create(
        code="000000", defaults={"name": "全国", "level": "national", "parent": None}
    )
    by_province: dict[str, list] = {}
    for county in Region.objects.filter(level="county").order_by("code"):
        by_province.setdefault(county.code[:2], []).append(county)
    counties = [c for cs in by_province.values() for c in cs[: max(1, math.ceil(scale * len(cs)))]]
    elements = dict(DataElement.objects.values_list("code", "pk"))
    now = timezone.now()

    def values():
        for county in counties:
            traits = county_traits(rng)
            for k, year in enumerate(YEARS):
                for code, v in county_figures(rng, k, traits).items():
                    yield (elements[code], county.pk, year, v, "demo", "", now)

    n_values = copy_rows(
        DataValue, ["element", "region", "year", "value", "source", "quote", "updated"], values()
    )
    scheme, _ = import_scheme_file(next(p for p in library_paths() if p.stem == "shanxi-2021-county"))
    freeze(scheme)
    cycle = Cycle.objects.create(name="全国2021年对县级政府履行教育职责评价（基准测试）", scheme=scheme, year=2021,
                                 data_year=YEARS[-1], root=nation)  # fmt: skip
    states = ["draft"] * 45 + ["submitted"] * 40 + ["accepted"] * 15
    Submission.objects.bulk_create(
        [Submission(cycle=cycle, region=c, state=rng.choice(states)) for c in counties], batch_size=2000
    )
    subs = list(Submission.objects.filter(cycle=cycle).select_related("region"))
    manual = list(Indicator.objects.filter(scheme=scheme, children__isnull=True, rule_kind="manual"))

    def scores():
        for sub in subs:
            if rng.random() < 0.9:
                reviewed = rng.random() < 0.2
                for ind in manual:
                    own = (ind.points * Decimal(str(rng.uniform(0.7, 1)))).quantize(Decimal("0.01"))
                    review = (own * Decimal("0.9")).quantize(Decimal("0.01")) if reviewed else None
                    yield (sub.pk, ind.pk, own, "", review, "", None)

    fields = [
        "submission",
        "indicator",
        "self_score",
        "self_note",
        "reviewer_score",
        "reviewer_note",
        "vetoed",
    ]
    n_scores = copy_rows(ItemScore, fields, scores())
    hashed = make_password("Bench@2021pass")
    users = [
        User(
            username="national",
            role="national_admin",
            region=nation,
            password=hashed,
            display_name="国家督导办",
        )
    ]
    users += [User(username=f"c{s.region.code}", role="county_coordinator", region=s.region, password=hashed,
                   display_name=f"{s.region.name}联络员") for s in subs]  # fmt: skip
    provinces = Region.objects.filter(level="province", code__in=[f"{p}0000" for p in by_province])
    users += [User(username=f"p{p.code[:2]}", role="province_admin", region=p, password=hashed,
                   display_name=f"{p.name}督导办") for p in provinces]  # fmt: skip
    User.objects.bulk_create(users, batch_size=2000)
    return SimpleNamespace(cycle=cycle, counties=len(counties), values=n_values, scores=n_scores, subs=subs,
                           password="Bench@2021pass")  # fmt: skip


# --- ours ----------------------------------------------------------------------------------------


def full_recompute(cycle, words: bool | None = None) -> dict[str, float]:
    from dutyeval.core.scoring import score_all
    from dutyeval.evaluation.recompute import cycle_dataset, manual_scores, store

    t0 = time.perf_counter()
    ds, targets = cycle_dataset(cycle)
    manual = manual_scores(cycle)
    t1 = time.perf_counter()
    scores = score_all(cycle.scheme.to_core(), ds, cycle.data_year, manual, targets=targets)
    t2 = time.perf_counter()
    store(cycle, scores, words=words)
    t3 = time.perf_counter()
    return {"read": t1 - t0, "score": t2 - t1, "store": t3 - t2, "total": t3 - t0}


def one_region(cycle, code: str) -> float:
    """The job one changed region queues, run as the worker runs it."""
    from dutyeval.evaluation.recompute import recompute_task, schedule_recompute

    job = schedule_recompute(cycle, "基准测试", region=code)
    t0 = time.perf_counter()
    recompute_task.call_local(job.pk)
    seconds = time.perf_counter() - t0
    job.refresh_from_db()
    assert job.state == "done" and not job.full, (job.state, job.full, job.message)
    return seconds


def first_views(cycle, subs) -> tuple[float, float]:
    """A scorecard's first view after a full recompute (which leaves every region's words to its first
    reader: that view words the region) and its second view, median seconds over `subs`."""
    from dutyeval.evaluation.scorecard import build_scorecard

    first, second = [], []
    for sub in subs:
        for times in (first, second):
            t0 = time.perf_counter()
            card = build_scorecard(sub)
            times.append(time.perf_counter() - t0)
            assert card.result.worded and any(row.explanation for row in card.rows)
    return statistics.median(first), statistics.median(second)


_CLIENT: dict = {}


def form_save(ns, sub, inline: bool) -> float:
    """POST one changed figure of the finance form, as the coordinator's browser does."""
    from django.test import Client
    from huey.contrib.djhuey import HUEY

    from dutyeval.accounts.models import User
    from dutyeval.collection.models import DataValue
    from dutyeval.evaluation.models import RecomputeJob

    # one client for every save: a new one loads the middleware again (WhiteNoise scans the static files)
    client = _CLIENT.setdefault("client", Client())
    client.force_login(User.objects.get(username=f"c{sub.region.code}"))
    year = sub.cycle.year_of("edu_exp_budget")
    value = DataValue.objects.get(region=sub.region, year=year, element__code="edu_exp_budget").value
    new = value + Decimal("1.0000")
    HUEY.immediate = inline
    try:
        t0 = time.perf_counter()
        r = client.post(
            f"/s/{sub.pk}/data/finance/", {"edu_exp_budget": str(new), "orig-edu_exp_budget": str(value)}
        )
        seconds = time.perf_counter() - t0
    finally:
        HUEY.immediate = False
    assert r.status_code == 302, r.status_code
    assert DataValue.objects.get(region=sub.region, year=year, element__code="edu_exp_budget").value == new
    if not inline:  # the job waits for the worker: run it, so the next measurement starts from a quiet queue
        from dutyeval.evaluation.recompute import recompute_task

        job = RecomputeJob.objects.filter(cycle=sub.cycle, state="queued").first()
        assert job is not None and job.regions == [sub.region.code]
        recompute_task.call_local(job.pk)
    return seconds


def national_pages(ns, cycle, repeat: int = 5) -> dict[str, float]:
    """The national admin alone fetches the overview and the results page `repeat` times (median, in
    process through Django's full request path, no web server) after a warm-up fetch."""
    from django.conf import settings
    from django.test import Client

    from dutyeval.accounts.models import User

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(User.objects.get(username="national"))
    out = {}
    for name, url in (("overview", f"/cycles/{cycle.pk}/"), ("results", f"/cycles/{cycle.pk}/results/")):
        assert client.get(url).status_code == 200
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            r = client.get(url)
            times.append(time.perf_counter() - t0)
        assert r.status_code == 200, (url, r.status_code)
        out[name] = statistics.median(times)
    return out


# --- the baseline ---------------------------------------------------------------------------------


def baseline(cycle) -> dict[str, float]:
    """read_sql + the vectorised pandas scoring of bench/national.py + COPY of what it computed."""
    import pandas as pd
    from django.db import connection

    sys.path.insert(0, str(BENCH))
    from _gen_national import YEAR
    from national import baseline_scoring_vectorised

    from dutyeval.core.scoring import ManualScore

    t0 = time.perf_counter()
    years = cycle.years_read()
    shift = YEAR - cycle.data_year  # the baseline was written for its generator's year
    raw = connection.connection  # the psycopg connection Django holds
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pandas prefers SQLAlchemy; a DBAPI connection works
        long = pd.read_sql(
            "SELECT r.code AS region, e.code AS element, v.year + %(shift)s AS year, v.value::float8 AS value"
            " FROM collection_datavalue v JOIN regions_region r ON r.id = v.region_id"
            " JOIN collection_dataelement e ON e.id = v.element_id"
            " JOIN evaluation_submission s ON s.region_id = v.region_id AND s.cycle_id = %(cycle)s"
            " WHERE v.year >= %(y0)s AND v.year < %(y1)s",
            raw, params={"shift": shift, "cycle": cycle.pk, "y0": years.start, "y1": years.stop},
        )  # fmt: skip
        manual = pd.read_sql(
            "SELECT r.code AS region, i.code AS code, s.self_score, s.reviewer_score, s.vetoed"
            " FROM evaluation_itemscore s JOIN evaluation_submission b ON b.id = s.submission_id"
            " JOIN regions_region r ON r.id = b.region_id JOIN schemes_indicator i ON i.id = s.indicator_id"
            " WHERE b.cycle_id = %(cycle)s",
            raw, params={"cycle": cycle.pk},
        )  # fmt: skip
    long["region"] = long["region"].astype("category")
    long["element"] = long["element"].astype("category")
    nat = SimpleNamespace(
        scheme=cycle.scheme.to_core(),
        manual={(r, c): ManualScore(self_score=s, reviewer_score=v, vetoed=x)
                for r, c, s, v, x in manual.itertuples(index=False)},
    )  # fmt: skip
    t1 = time.perf_counter()
    out = baseline_scoring_vectorised(long, nat, scheme_only=True)
    t2 = time.perf_counter()
    checks = [c for c in out.columns if c not in ("total", "grade", "province", "rank")]
    items = (
        out[checks].reset_index(names="region").melt(id_vars="region", var_name="check", value_name="verdict")
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_result, bench_item")
        cursor.execute("CREATE TABLE bench_result (region text, total numeric(8,2), grade int, rank int)")
        cursor.execute("CREATE TABLE bench_item (region text, code text, verdict int)")
        with cursor.cursor.copy("COPY bench_result FROM STDIN") as cp:
            for region, total, grade, rank in zip(
                out.index, out["total"] / 100, out["grade"], out["rank"], strict=True
            ):
                cp.write_row((region, round(float(total), 2), int(grade), int(rank)))
        with cursor.cursor.copy("COPY bench_item FROM STDIN") as cp:
            for row in items.itertuples(index=False):
                cp.write_row((row.region, row.check, int(row.verdict)))
    t3 = time.perf_counter()
    return {"read": t1 - t0, "score": t2 - t1, "store": t3 - t2, "total": t3 - t0, "rows": len(items)}


# --- the run -----------------------------------------------------------------------------------------


def rss_mib(field: str = "VmHWM") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return math.nan


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="share of each province's counties")
    ap.add_argument("--seed", type=int, default=2021)
    ap.add_argument("--port", type=int, default=55532)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument(
        "--regions", type=int, default=5, help="regions timed one by one for the incremental recompute"
    )
    ap.add_argument("--keep", help="keep the cluster in this folder (and reuse it when it holds one)")
    args = ap.parse_args(argv)

    var_dir = tempfile.mkdtemp(prefix="dutyeval-bench-var.")
    stop = start_postgres(args.port, args.keep)
    try:
        t0 = time.perf_counter()
        setup_django(args.port, var_dir)
        from dutyeval.evaluation.models import Cycle, ResultItem

        ns = build(args.scale, args.seed)
        cycle = Cycle.objects.select_related("scheme").get(pk=ns.cycle.pk)
        print(f"data: {ns.counties} counties, {ns.values} values, {ns.scores} item scores, "
              f"one national cycle (built in {time.perf_counter() - t0:.1f} s)")  # fmt: skip

        base_rss = rss_mib("VmRSS")
        ours = [full_recompute(cycle) for _ in range(args.repeat)]
        best = min(ours, key=lambda t: t["total"])
        peak = rss_mib("VmHWM")
        rows = ResultItem.objects.filter(result__submission__cycle=cycle).count()
        print(f"full recompute (ours): {best['total']:.2f} s = read {best['read']:.2f} + score {best['score']:.2f}"
              f" + store {best['store']:.2f} ({rows} item rows; runs: "
              f"{', '.join(format(t['total'], '.2f') for t in ours)})")  # fmt: skip
        rng = random.Random(args.seed)
        first, again = first_views(cycle, rng.sample(ns.subs, min(args.regions, len(ns.subs))))
        print(f"a scorecard after it: first view {first * 1000:.0f} ms (words its region), second view "
              f"{again * 1000:.0f} ms (median of {min(args.regions, len(ns.subs))})")  # fmt: skip
        from dutyeval.evaluation.recompute import word_task

        t0 = time.perf_counter()
        worded_regions = word_task.call_local(cycle.pk)
        words_s = time.perf_counter() - t0
        print(f"then the worker words the other {worded_regions} regions in batches: {words_s:.2f} s")
        eager = full_recompute(cycle, words=True)
        print(f"full recompute wording every region at once (as before): {eager['total']:.2f} s = read "
              f"{eager['read']:.2f} + score {eager['score']:.2f} + store {eager['store']:.2f}")  # fmt: skip
        theirs = [baseline(cycle) for _ in range(args.repeat)]
        base = min(theirs, key=lambda t: t["total"])
        print(f"baseline (read_sql + pandas + COPY): {base['total']:.2f} s = read {base['read']:.2f}"
              f" + score {base['score']:.2f} + store {base['store']:.2f} ({base['rows']} item rows)")  # fmt: skip

        rng = random.Random(args.seed)
        picks = rng.sample(ns.subs, min(args.regions, len(ns.subs)))
        one = [one_region(cycle, s.region.code) for s in picks]
        print(f"one region (incremental, then ranks): median {statistics.median(one):.3f} s, max {max(one):.3f} s"
              f" over {len(one)} regions")  # fmt: skip
        editable = [s for s in ns.subs if s.state == "draft"]
        save = [form_save(ns, s, inline=False) for s in rng.sample(editable, min(5, len(editable)))]
        inline = [form_save(ns, s, inline=True) for s in rng.sample(editable, min(5, len(editable)))]
        print(f"one-value form save: {statistics.median(save) * 1000:.0f} ms with a worker (max "
              f"{max(save) * 1000:.0f}), {statistics.median(inline) * 1000:.0f} ms inline (max "
              f"{max(inline) * 1000:.0f})")  # fmt: skip
        pages = national_pages(ns, cycle)
        print(f"one user, national admin (in process): overview {pages['overview'] * 1000:.0f} ms, results "
              f"{pages['results'] * 1000:.0f} ms (median of 5)")  # fmt: skip
        print(
            f"memory: {base_rss:.0f} MiB before the recompute, peak {peak:.0f} MiB during it (whole process, "
            f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB)"
        )
        print(
            f"ratio={best['total'] / base['total']:.3f} full_s={best['total']:.3f} baseline_s={base['total']:.3f}"
            f" one_region_s={statistics.median(one):.3f} one_region_max_s={max(one):.3f}"
            f" first_view_ms={first * 1000:.0f} words_s={words_s:.3f} full_worded_s={eager['total']:.3f}"
            f" save_ms={statistics.median(save) * 1000:.0f} save_inline_ms={statistics.median(inline) * 1000:.0f}"
            f" national_overview_ms={pages['overview'] * 1000:.0f} national_results_ms={pages['results'] * 1000:.0f}"
            f" counties={ns.counties} values={ns.values} peak_mib={peak:.0f} load={os.getloadavg()[0]:.1f}"
            f" scale={args.scale}"
        )
    finally:
        from django.db import connections

        connections.close_all()
        stop()
        shutil.rmtree(var_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
