"""REDIS_URL switches the task queue to Redis with separate workers; without it the demo stays inline."""

import json
import os
import subprocess
import sys

PROBE = (
    "import json, dutyeval.settings as s; "
    "print(json.dumps({**{k: s.HUEY.get(k) for k in ('huey_class', 'immediate', 'url')}, "
    "'cache': getattr(s, 'CACHES', {}).get('default', {}).get('LOCATION')}))"
)


def _huey(**env) -> dict:
    environ = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "HUEY_IMMEDIATE")}
    environ.setdefault("DUTYEVAL_DEMO", "true")  # no SECRET_KEY needed for this probe
    out = subprocess.run([sys.executable, "-c", PROBE], env={**environ, **env}, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_default_is_sqlite_inline():
    assert _huey() == {"huey_class": "huey.SqliteHuey", "immediate": True, "url": None, "cache": None}


def test_redis_url_means_redis_and_a_worker():
    assert _huey(REDIS_URL="redis://127.0.0.1:6390/3") == {
        "huey_class": "huey.RedisHuey", "immediate": False, "url": "redis://127.0.0.1:6390/3",
        # the gunicorn workers share one cache (the national failing-checks count is made once)
        "cache": "redis://127.0.0.1:6390/3"}
