"""The users of bench/load.py (a locustfile): what each role opens, named by page for the statistics.
Configuration comes from the JSON file named in DUTYEVAL_LOAD_CONFIG."""

from __future__ import annotations

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, task

CONFIG = json.loads(open(os.environ["DUTYEVAL_LOAD_CONFIG"], encoding="utf-8").read())  # noqa: SIM115
CYCLE = CONFIG["cycle"]
SUBS = CONFIG["subs"]  # [(submission id, region code)]
_next_sub = itertools.count()
_next_province = itertools.count()


class _Office(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    username = ""

    def on_start(self):
        name = self.login_name()
        session = CONFIG.get("sessions", {}).get(name)
        if session:  # signed in before the run (bench/load.py without --login-form)
            self.client.cookies.set(CONFIG["session_cookie"], session)
            return
        page = self.client.get("/login/", name="login").text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        r = self.client.post("/login/", {"username": name, "password": CONFIG["password"],
                                         "csrfmiddlewaretoken": token}, name="login",
                             headers={"Referer": self.host + "/login/"})  # fmt: skip
        if "/login/" in r.url:
            raise RuntimeError(f"login failed for {name}")

    def login_name(self) -> str:
        return self.username

    @task(2)
    def static(self):
        self.client.get(CONFIG["static"], name="static")


class NationalAdmin(_Office):
    """国家督导办: the whole country's overview and results, a page further, the API."""

    fixed_count = 1
    username = "national"

    @task(3)
    def overview(self):
        self.client.get(f"/cycles/{CYCLE}/", name="national overview")

    @task(3)
    def results(self):
        self.client.get(f"/cycles/{CYCLE}/results/", name="national results")

    @task(1)
    def results_page(self):
        self.client.get(
            f"/cycles/{CYCLE}/results/?page={random.randint(2, 20)}", name="national results page N"
        )

    @task(1)
    def api(self):
        self.client.get(f"/api/submissions?cycle={CYCLE}&limit=100", name="api submissions")


class ProvinceAdmin(_Office):
    """省级督导办: its own cycle's overview, results, the list sorted by self score, a county's scorecard."""

    weight = 1

    def login_name(self) -> str:
        # the provinces with the most counties first: the heaviest province pages are measured
        self.province = CONFIG["provinces"][next(_next_province) % len(CONFIG["provinces"])]
        own = CONFIG["province_cycles"][self.province]
        self.cycle, self.subs = own["cycle"], own["subs"]
        return f"p{self.province}"

    @task(3)
    def overview(self):
        self.client.get(f"/cycles/{self.cycle}/", name="province overview")

    @task(3)
    def results(self):
        self.client.get(f"/cycles/{self.cycle}/results/", name="province results")

    @task(1)
    def by_score(self):
        self.client.get(
            f"/cycles/{self.cycle}/?state=submitted&sort=-score", name="province overview by score"
        )

    @task(2)
    def scorecard(self):
        self.client.get(f"/s/{random.choice(self.subs)}/scorecard/", name="scorecard")


class Coordinator(_Office):
    """县级填报联络员: the task list, the submission, a data form, the scorecard."""

    weight = 5

    def login_name(self) -> str:
        self.sub, code = SUBS[next(_next_sub) % len(SUBS)]
        return f"c{code}"

    @task(2)
    def home(self):
        self.client.get("/", name="home (task list)")

    @task(2)
    def submission(self):
        self.client.get(f"/s/{self.sub}/", name="submission")

    @task(3)
    def form(self):
        self.client.get(f"/s/{self.sub}/data/finance/", name="data form")

    @task(2)
    def scorecard(self):
        self.client.get(f"/s/{self.sub}/scorecard/", name="scorecard")
