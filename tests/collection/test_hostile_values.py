"""Numbers no column can hold and ids no table can hold: a validation message or a 404, never a 500."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from dutyeval.collection.models import DataValue
from dutyeval.core.catalogue import default_catalogue, parse_value

HUGE = ["1E+30", "-1E+30", "1e300", "9" * 5000, "1e999999999", "12345678901234567", 1e300, 10**40]
NOT_NUMBERS = ["NaN", "Infinity", "-Infinity", "sNaN", "inf", float("nan"), float("inf")]


@pytest.mark.parametrize("raw", HUGE)
def test_values_beyond_the_column_are_refused_with_a_message(raw):
    with pytest.raises(ValueError, match="超出可记录范围"):
        parse_value(default_catalogue()["edu_exp_budget"], raw)


@pytest.mark.parametrize("raw", NOT_NUMBERS)
def test_nan_and_infinity_are_not_numbers(raw):
    with pytest.raises(ValueError):
        parse_value(default_catalogue()["edu_exp_budget"], raw)


@pytest.mark.parametrize(
    ("code", "raw", "expected"),
    [
        ("edu_exp_budget", "1e-30", Decimal("0")),
        ("edu_exp_budget", "9999999999999999.9999", Decimal("9999999999999999.9999")),
        ("enrol_primary", "1E+3", Decimal("1000")),
    ],
)
def test_numbers_within_the_column_still_parse(code, raw, expected):
    assert parse_value(default_catalogue()[code], raw) == expected


@pytest.mark.parametrize("raw", ["0." + "0" * 3000 + "1", "1" * 61, "x" * 1_000_000])
def test_very_long_input_is_refused(raw):
    with pytest.raises(ValueError):
        parse_value(default_catalogue()["edu_exp_budget"], raw)


def test_the_message_does_not_echo_a_megabyte():
    with pytest.raises(ValueError) as exc:
        parse_value(default_catalogue()["edu_exp_budget"], "x" * 1_000_000)
    assert len(str(exc.value)) < 200


@pytest.mark.parametrize("raw", ["1E+30", "9" * 5000, "NaN", "Infinity", "1e-30"])
def test_the_web_form_answers_with_a_message(world, client_as, raw):
    c = client_as(world.county_filler)
    r = c.post(reverse("data-area", args=[world.sub.pk, "finance"]), {"edu_exp_budget": raw})
    assert r.status_code in (200, 302)
    if raw != "1e-30":
        assert r.status_code == 200 and DataValue.objects.count() == 0


@pytest.mark.parametrize("raw", ["1E+30", "9" * 5000, "NaN", "Infinity", 1e300, 10**40])
def test_the_api_answers_400_with_a_message(world, client_as, raw):
    c = client_as(world.county_filler)
    etag = c.get("/api/regions/140525/values/2020").headers.get("ETag", "*")
    r = c.put("/api/regions/140525/values/2020", json.dumps({"values": {"edu_exp_budget": raw}}),
              content_type="application/json", headers={"If-Match": etag})
    assert r.status_code == 400, r.content
    assert DataValue.objects.count() == 0


BIG = [2**63, 2**64, 10**30]


def _int_urls():
    """Every page URL with an integer in its path (grows with new URLs), with 1 in each int slot."""
    from django.urls import URLPattern, URLResolver, get_resolver
    from django.urls.converters import IntConverter

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if "api" not in str(p.pattern) and "admin" not in str(p.pattern):
                    yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and any(isinstance(c, IntConverter) for c in p.pattern.converters.values()):
                yield prefix + str(p.pattern)

    import django

    django.setup()
    return sorted(set(walk(get_resolver().url_patterns)))


@pytest.mark.parametrize("pk", BIG)
@pytest.mark.parametrize("route", _int_urls())
def test_ids_beyond_64_bits_in_page_urls_are_404(world, client_as, route, pk):
    import re

    c = client_as(world.province_admin)
    url = "/" + re.sub(r"<int:\w+>", str(pk), re.sub(r"<(?:slug|str):\w+>", "finance", route))
    assert c.get(url).status_code in (404, 405), url  # 405: a POST-only view, refused before the id matters
    assert c.post(url).status_code == 404, url


@pytest.mark.parametrize("pk", [*BIG, -1, 0, -(2**63) - 1])
@pytest.mark.parametrize("suffix", ["", "/submit", "/return"])
def test_ids_beyond_64_bits_in_the_api_are_404(world, client_as, pk, suffix):
    c = client_as(world.province_admin)
    method = c.get if not suffix else c.post
    kw = {"data": json.dumps({"reason": "x"}), "content_type": "application/json"} if suffix else {}
    r = method(f"/api/submissions/{pk}{suffix}", **kw)
    assert 400 <= r.status_code < 500, (r.status_code, r.content)


@pytest.mark.parametrize("query", [f"cycle={2**63}", f"cycle={10**30}"])
def test_huge_query_ids_in_the_api_are_4xx(world, client_as, query):
    r = client_as(world.province_admin).get(f"/api/submissions?{query}")
    assert 400 <= r.status_code < 500


@pytest.mark.parametrize("year", [2**63, 10**30])
def test_huge_years_in_the_api_are_not_a_crash(world, client_as, year):
    # a year is not an id: no data for it is a correct answer (writing it is refused by the year lock)
    r = client_as(world.province_admin).get(f"/api/regions/140525/values/{year}")
    assert r.status_code < 500
