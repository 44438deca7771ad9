"""Schemathesis against /api/openapi.json: no 5xx and no answer the schema does not document.

Every operation of the published schema is fuzzed as the county coordinator (泽州县) and as the
province admin (山西省), each signed in with a real session cookie and sending the CSRF header
the way the pages' htmx does, against the Django WSGI application itself (CSRF enforced, unlike
Django's test client). Valid inputs (positive mode) and invalid ones (negative mode) are both
generated; path parameters are drawn half at random and half from the world (own region, a
neighbour, another province; own and other submissions) so that the checks also reach the code
behind the lookups.

Deterministic for CI: Hypothesis is derandomized, keeps no example database, and every example
runs inside a savepoint that is rolled back, so examples neither see each other's writes nor
depend on their order.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
import schemathesis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from dutyeval.api.routes import api

SCHEMA_URL = "/api/openapi.json"
MAX_EXAMPLES = 60  # per operation, persona and mode
PERSONAS = ["county_filler", "province_admin"]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# Headers a well-behaved client adds: a PUT without If-Match only ever gets 428 and would fuzz nothing.
REQUEST_HEADERS = {("PUT", "/api/regions/{code}/values/{year}"): {"If-Match": "*"}}

# Operations with a finding that is someone else's to fix: {(METHOD, path): reason}. Empty is the goal.
AWAITING: dict[tuple[str, str], str] = {}

# how many cases ran, by persona and operation; printed at the end of each test (pytest -s)
CASES: Counter[str] = Counter()


def _operations() -> list:
    """(METHOD, path) of every operation the API publishes; read at collection, no database needed."""
    paths = api.get_openapi_schema()["paths"]
    return [
        pytest.param(m.upper(), path, marks=[pytest.mark.xfail(strict=False, reason=AWAITING[m.upper(), path])]
                     if (m.upper(), path) in AWAITING else [])
        for path, ops in paths.items() for m in ops
    ]


@pytest.fixture(scope="module")
def wsgi_app():
    """The real WSGI handler, with Django's per-request connection recycling switched off.

    Django's test client does the same: closing the connection at the end of a request would
    drop the test transaction (and its rolled-back savepoints) that pytest-django wraps the test in.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _signed_in(user) -> tuple[dict[str, str], dict[str, str]]:
    """Cookies and headers of a browser session for `user`: session cookie, CSRF cookie and header."""
    client = Client()
    client.force_login(user)
    csrf_secret = get_random_string(32)
    cookies = {
        settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
        settings.CSRF_COOKIE_NAME: csrf_secret,
    }
    # identity: schemathesis's WSGI transport does not undo the gzip the API sends to clients that accept it
    return cookies, {"X-CSRFToken": csrf_secret, "Accept-Encoding": "identity"}


def _known_path_values(world) -> dict[str, list]:
    """Real values for path parameters, by name: what a careless or hostile client would try first."""
    return {
        "code": [world.zezhou.code, world.yangcheng.code, world.shanxi.code, world.hebei.code],
        "year": [world.cycle.data_year, world.cycle.data_year - 1],
        "pk": [world.sub.pk, world.other_sub.pk],
    }


def _strategy(operation, mode: GenerationMode, known: dict[str, list], cookies: dict[str, str]):
    # the session cookie is fixed: negative mode must not "negate" the login, which only tests the 401
    def strategy(**path_parameters):
        return operation.as_strategy(generation_mode=mode, cookies=cookies, path_parameters=path_parameters or None)

    names = [p.name for p in operation.path_parameters]
    options = [strategy()]
    for name in names:
        options.extend(strategy(**{name: value}) for value in known.get(name, []))
    if len(names) > 1 and all(n in known for n in names):
        # both parameters real at once: e.g. own region and the year the cycle collects
        options.append(strategy(**{n: known[n][0] for n in names}))
    return st.one_of(options)


def _fuzz(operation, mode: GenerationMode, known: dict, label: str, headers: dict, cookies: dict) -> None:
    checks = CHECKS + ([negative_data_rejection] if mode is GenerationMode.NEGATIVE else [])

    @hsettings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,  # the same cases on every run: CI failures reproduce
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(case=_strategy(operation, mode, known, cookies))
    def run(case):
        CASES[label] += 1
        with transaction.atomic():
            # each example sees the world as the fixture built it, whatever earlier ones wrote
            response = case.call(headers=headers, cookies=cookies)
            case.validate_response(response, checks=checks, headers=headers)
            transaction.set_rollback(True)

    try:
        run()
    except Unsatisfiable:
        # negative mode on an operation without inputs (GET /api/regions): nothing can be made invalid
        if mode is GenerationMode.POSITIVE or CASES[label]:
            raise


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "path"), _operations())
def test_the_api_keeps_to_its_schema(world, wsgi_app, persona, method, path):
    cookies, headers = _signed_in(getattr(world, persona))
    headers = {**headers, **REQUEST_HEADERS.get((method, path), {})}
    cookie_header = "; ".join(f"{k}={v}" for k, v in cookies.items())
    schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, wsgi_app, headers={**headers, "Cookie": cookie_header})
    operation = schema[path][method]
    known = _known_path_values(world)
    label = f"{persona} {method} {path}"
    started = time.monotonic()

    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        _fuzz(operation, mode, known, f"{label} {mode.value}", headers, cookies)

    total = CASES[f"{label} positive"] + CASES[f"{label} negative"]
    print(f"\n{label}: {CASES[f'{label} positive']} positive + {CASES[f'{label} negative']} negative "
          f"= {total} cases in {time.monotonic() - started:.1f}s")
